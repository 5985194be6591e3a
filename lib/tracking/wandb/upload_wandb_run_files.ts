/**
 * Run files (config.yaml, wandb-metadata.json, media/...) through `CreateRunFiles` and PUT.
 * @module
 */
import type { WandbClient, WandbRequestOptions } from "./client.ts";
import { WandbError } from "./errors.ts";
import type { WandbRun } from "./types.ts";
import { checkFilePath } from "./_names.ts";
import { parseUploadHeaders, uploadRetry } from "./_upload.ts";

/** A run file: a path on disk or bytes in memory, under `name` in the run. */
export interface WandbRunFile {
  /** Name in the run, e.g. `config.yaml` or `media/table/preds_0_ab12.table.json`. */
  name: string;
  /** File on disk. */
  path?: string;
  /** Contents in memory (instead of `path`). */
  data?: Uint8Array | string;
}

/** Options for {@linkcode uploadWandbRunFiles}. */
export type UploadWandbRunFilesOptions = WandbRequestOptions;

const CREATE_RUN_FILES =
  `mutation CreateRunFiles($entity: String!, $project: String!, $run: String!, $files: [String!]!) {
  createRunFiles(input: {entityName: $entity, projectName: $project, runName: $run, files: $files}) {
    runID
    uploadHeaders
    files { name uploadUrl }
  }
}`;

const enc = new TextEncoder();

/**
 * Uploads files to a run: asks `CreateRunFiles` for upload URLs, then PUTs each file.
 *
 * @param client The client.
 * @param run The run.
 * @param files The files (a name appears once).
 * @param options Retry overrides and an abort signal.
 * @returns The names uploaded.
 * @throws {WandbError} `config` for a bad name or a file without `path`/`data`; `upload` when the storage
 *   rejects a PUT; the client's errors otherwise.
 * @example
 * ```ts
 * import { connectWandb, uploadWandbRunFiles, upsertWandbRun } from "./mod.ts";
 * const { client, entity } = await connectWandb();
 * const run = await upsertWandbRun(client, { id: "abc123", entity, project: "demo" });
 * await uploadWandbRunFiles(client, run, [{ name: "notes.txt", data: "hello" }]);
 * ```
 */
export async function uploadWandbRunFiles(
  client: WandbClient,
  run: WandbRun,
  files: WandbRunFile[],
  options: UploadWandbRunFilesOptions = {},
): Promise<string[]> {
  if (!files.length) return [];
  const names = new Set<string>();
  for (const f of files) {
    checkFilePath("run file name", f.name);
    if (names.has(f.name)) throw new WandbError("config", `Run file '${f.name}' is given twice`);
    if (f.data === undefined && f.path === undefined) {
      throw new WandbError("config", `Run file '${f.name}' has neither path nor data`);
    }
    names.add(f.name);
  }
  const data = await client.graphql<{
    createRunFiles:
      | { uploadHeaders: string[] | null; files: { name: string; uploadUrl: string | null }[] }
      | null;
  }>("CreateRunFiles", CREATE_RUN_FILES, {
    entity: run.entity,
    project: run.project,
    run: run.id,
    files: files.map((f) => f.name),
  }, options);
  const urls = new Map((data.createRunFiles?.files ?? []).map((f) => [f.name, f.uploadUrl]));
  const headers = parseUploadHeaders(data.createRunFiles?.uploadHeaders ?? []);
  for (const f of files) {
    const url = urls.get(f.name);
    if (!url) {
      throw new WandbError("protocol", `W&B's CreateRunFiles returned no upload URL for '${f.name}'`, {
        op: "CreateRunFiles",
      });
    }
    // a file on disk is streamed from it (never read whole), with its Content-Length
    const body = f.data !== undefined
      ? (typeof f.data === "string" ? enc.encode(f.data) : f.data)
      : undefined;
    const size = body?.length ?? (await Deno.stat(f.path!)).size;
    try {
      await client.request("upload", {
        method: "PUT",
        url,
        body,
        bodyFile: body ? undefined : f.path,
        // the server's uploadHeaders and nothing else: a presigned URL refuses what it did not sign
        headers,
        auth: false,
        readBody: false,
        ...options,
        retry: uploadRetry(options.retry, size),
      });
    } catch (e) {
      if (e instanceof WandbError && (e.kind === "http" || e.kind === "not_found" || e.kind === "auth")) {
        throw new WandbError(
          "upload",
          `Upload of run file '${f.name}' of run '${run.id}' failed: ${e.message}`,
          {
            op: "upload",
            status: e.status,
            transient: e.transient,
            cause: e,
          },
        );
      }
      throw e;
    }
  }
  return files.map((f) => f.name);
}
