/**
 * Download an artifact version's files, verifying each against its manifest digest.
 * @module
 */
import { join } from "node:path";
import { writeAtomic } from "../../_fs/write_atomic.ts";
import type { WandbClient, WandbRequestOptions } from "./client.ts";
import { WandbError } from "./errors.ts";
import type { WandbArtifact } from "./types.ts";
import { b64ToHex, md5Base64 } from "./_md5.ts";
import { checkFilePath } from "./_names.ts";
import { pool } from "./_upload.ts";
import { fileNameSegment, pyQuote } from "./_url_path.ts";

/** Options for {@linkcode downloadWandbArtifact}. */
export interface DownloadWandbArtifactOptions extends WandbRequestOptions {
  /** Downloads in parallel (default 4). */
  concurrency?: number;
}

/**
 * Downloads every file of an artifact version into `dir` (created when missing). Each file's MD5 is
 * checked against the manifest before it is moved into place; a mismatch leaves no file behind.
 *
 * @param client The client.
 * @param artifact From {@linkcode getWandbArtifact}.
 * @param dir Target folder.
 * @param options Concurrency, retry overrides and an abort signal.
 * @returns The file names written, sorted.
 * @throws {WandbError} `digest` when a file does not match its manifest digest; `config` for an unsafe
 *   path in the manifest; the client's errors otherwise.
 * @example
 * ```ts
 * import { connectWandb, downloadWandbArtifact, getWandbArtifact } from "./mod.ts";
 * const { client, entity } = await connectWandb();
 * const a = await getWandbArtifact(client, "sample-data:latest", { entity, project: "demo" });
 * if (a) console.log(await downloadWandbArtifact(client, a, "./downloads/sample-data"));
 * ```
 */
export async function downloadWandbArtifact(
  client: WandbClient,
  artifact: WandbArtifact,
  dir: string,
  options: DownloadWandbArtifactOptions = {},
): Promise<string[]> {
  const names = Object.keys(artifact.manifest).sort();
  for (const n of names) checkFilePath(`file name in the manifest of '${artifact.name}'`, n);
  await Deno.mkdir(dir, { recursive: true });
  await pool(names, options.concurrency ?? 4, async (name) => {
    const entry = artifact.manifest[name];
    const birth = entry.birthArtifactID ?? artifact.id;
    // The SDK's V2 download URL: region, entity, project, collection, birth artifact, hex MD5 and the file's
    // name only, never the folders of a nested path (wandb/wandb
    // wandb/sdk/artifacts/storage_policies/wandb_storage_policy.py `_file_url`, `entry.path.name`), each
    // part encoded as the SDK's requests sends it (_url_path.ts).
    const e = pyQuote;
    const url = `${client.baseUrl}/artifactsV2/default/${e(artifact.entity)}/${e(artifact.project)}/${
      e(artifact.name)
    }/${e(birth)}/${b64ToHex(entry.digest)}/${fileNameSegment(name.slice(name.lastIndexOf("/") + 1))}`;
    const res = await client.request("artifact_file_get", {
      method: "GET",
      url,
      retry: options.retry,
      signal: options.signal,
    });
    const actual = md5Base64(res.body);
    if (actual !== entry.digest) {
      throw new WandbError(
        "digest",
        `Downloaded file '${name}' of artifact '${artifact.name}:v${artifact.versionIndex}' has MD5 ${actual} but ` +
          `its manifest says ${entry.digest}: the download was discarded; try again, or report the corrupt file`,
        { op: "artifact_file_get" },
      );
    }
    const target = join(dir, ...name.split("/"));
    await writeAtomic(target, res.body, { mkdir: true });
  });
  return names;
}
