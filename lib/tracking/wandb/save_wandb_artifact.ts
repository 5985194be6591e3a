/**
 * The artifact save flow of W&B, skipping files the server already has.
 * @module
 */
import type { WandbClient, WandbRequestOptions } from "./client.ts";
import { WandbError } from "./errors.ts";
import type { SavedArtifact, WandbArtifactFile, WandbRun } from "./types.ts";
import { wandbArtifactDigest } from "./wandb_artifact_digest.ts";
import { useWandbArtifact } from "./use_wandb_artifact.ts";
import { md5Base64, md5File } from "./_md5.ts";
import { checkFilePath } from "./_names.ts";
import { parseUploadHeaders, pool, uploadRetry } from "./_upload.ts";

/** An artifact version to save. */
export interface SaveWandbArtifactSpec {
  /** Collection name: 1..128 letters, digits, `-`, `_`, `.`. */
  name: string;
  /** Type, e.g. `model`, `dataset`, `run_table`. */
  type: string;
  /** Description. */
  description?: string;
  /** JSON-serialisable metadata. */
  metadata?: Record<string, unknown>;
  /** Aliases to put on the version; `latest` is always added. */
  aliases?: string[];
  /** Files of the version. */
  files: WandbArtifactFile[];
}

/** Options for {@linkcode saveWandbArtifact}. */
export interface SaveWandbArtifactOptions extends WandbRequestOptions {
  /** Uploads in parallel (default 4). */
  concurrency?: number;
  /**
   * Also mark the version as used by the run (`UseArtifact` after the commit, as Python's
   * `run.use_artifact(new_artifact)` does). The run is still recorded as the version's creator.
   */
  use?: boolean;
  /**
   * Ask for the `latest` alias too (default true). With `false` and content the server already has, only
   * `aliases` move to that version (how a replayer puts a custom alias on an old version); a new version
   * still gets `latest` from the server at commit.
   */
  latest?: boolean;
}

// The documents are the real SDK's (wandb/wandb core/api/graphql/mutation_create_artifact.graphql,
// mutation_create_artifact_manifest.graphql, mutation_create_artifact_files.graphql,
// mutation_commit_artifact.graphql); tests/wandb_documents_test.ts validates them against W&B's schema.
const CREATE_ARTIFACT = `mutation CreateArtifact($input: CreateArtifactInput!) {
  createArtifact(input: $input) {
    artifact { id state digest versionIndex artifactSequence { id latestArtifact { id versionIndex } } }
  }
}`;

const CREATE_MANIFEST = `mutation CreateArtifactManifest(
  $artifactID: ID!, $baseArtifactID: ID, $name: String!, $digest: String!, $entityName: String!,
  $projectName: String!, $runName: String!, $manifestType: ArtifactManifestType!, $includeUpload: Boolean!
) {
  createArtifactManifest(input: {
    artifactID: $artifactID, baseArtifactID: $baseArtifactID, name: $name, digest: $digest,
    entityName: $entityName, projectName: $projectName, runName: $runName, type: $manifestType
  }) {
    artifactManifest { id file { id uploadUrl @include(if: $includeUpload) uploadHeaders @include(if: $includeUpload) } }
  }
}`;

const CREATE_FILES = `mutation CreateArtifactFiles(
  $artifactFiles: [CreateArtifactFileSpecInput!]!, $storageLayout: ArtifactStorageLayout!
) {
  createArtifactFiles(input: {artifactFiles: $artifactFiles, storageLayout: $storageLayout}) {
    files { edges { node { storagePath uploadUrl uploadHeaders artifact { id } } } }
  }
}`;

const COMMIT = `mutation CommitArtifact($artifactID: ID!) {
  commitArtifact(input: {artifactID: $artifactID}) { artifact { id digest versionIndex } }
}`;

const ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789";

/**
 * A client id as the SDK makes one for `clientID` / `sequenceClientID`: 128 random lower-case letters and
 * digits (wandb/wandb wandb/sdk/artifacts/artifact.py `generate_fast_id(128)`, wandb/sdk/lib/runid.py).
 */
function clientId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(128));
  return Array.from(bytes, (b) => ID_CHARS[b % ID_CHARS.length]).join("");
}

const enc = new TextEncoder();
const NAME = /^[A-Za-z0-9_.\-]{1,128}$/;

interface Entry {
  file: WandbArtifactFile;
  digest: string;
  size: number;
}

function invalid(spec: SaveWandbArtifactSpec, why: string): WandbError {
  return new WandbError("config", `Cannot save artifact '${spec.name}': ${why}`);
}

function bytesOf(file: WandbArtifactFile): Uint8Array | null {
  if (file.data === undefined) return null;
  return typeof file.data === "string" ? enc.encode(file.data) : file.data;
}

/** Re-raises a storage rejection as an `upload` error that names the file. */
function uploadError(e: unknown, what: string): unknown {
  if (e instanceof WandbError && (e.kind === "http" || e.kind === "not_found" || e.kind === "auth")) {
    return new WandbError("upload", `Upload of ${what} failed: ${e.message}`, {
      op: "upload",
      status: e.status,
      transient: e.transient,
      cause: e,
    });
  }
  return e;
}

/**
 * Saves an artifact version as an output of a run, with W&B's flow (wandb/wandb core/pkg/artifacts/saver.go):
 * CreateArtifact (digest deduplication on, `clientID`/`sequenceClientID`) → CreateArtifactManifest (no
 * digest yet) → CreateArtifactFiles (storage layout V2) → PUT of the files the server does not have, with
 * the server's `uploadHeaders` only → CreateArtifactManifest with the manifest's digest and upload URL →
 * PUT of the manifest → CommitArtifact.
 *
 * When the server already has a committed version with the same digest, nothing is uploaded and that
 * version is returned with `deduplicated: true` (the requested aliases move to it). Saving again after a
 * failure is therefore safe: no version is duplicated, and files already stored are not sent again.
 *
 * @param client The client.
 * @param run The run that logs the artifact.
 * @param spec Name, type, files (on disk or in memory, digests optional), aliases, metadata.
 * @param options Upload concurrency, retry overrides and an abort signal.
 * @returns The saved version: id, version index, digest, files uploaded and skipped.
 * @throws {WandbError} `config` for a bad name, alias or file (also a file that changed since its digest
 *   was taken); `upload` when the storage rejects a PUT; the client's errors otherwise.
 * @example
 * ```ts
 * import { connectWandb, saveWandbArtifact, upsertWandbRun } from "./mod.ts";
 * const { client, entity } = await connectWandb();
 * const run = await upsertWandbRun(client, { id: "abc123", entity, project: "demo" });
 * const saved = await saveWandbArtifact(client, run, {
 *   name: "sample-data",
 *   type: "dataset",
 *   files: [{ name: "sample.jsonl", data: '{"text":"good","label":"positive"}\n' }],
 * });
 * console.log(`${saved.name}:v${saved.versionIndex}`);
 * ```
 */
export async function saveWandbArtifact(
  client: WandbClient,
  run: WandbRun,
  spec: SaveWandbArtifactSpec,
  options: SaveWandbArtifactOptions = {},
): Promise<SavedArtifact> {
  if (typeof spec.name !== "string" || !NAME.test(spec.name)) {
    throw invalid(spec, "names are 1..128 letters, digits, '-', '_' or '.'");
  }
  if (typeof spec.type !== "string" || !NAME.test(spec.type)) {
    throw invalid(spec, `type ${JSON.stringify(spec.type)} must be 1..128 letters, digits, '-', '_' or '.'`);
  }
  const aliases = [...new Set([...(options.latest === false ? [] : ["latest"]), ...(spec.aliases ?? [])])];
  for (const a of aliases) {
    if (!/^[A-Za-z0-9_.\-]{1,128}$/.test(a) || /^v\d+$/.test(a)) {
      throw invalid(
        spec,
        `alias ${
          JSON.stringify(a)
        } must be letters, digits, '-', '_' or '.' and not look like a version (v3)`,
      );
    }
  }
  if (!spec.files.length) throw invalid(spec, "it has no files");
  const seen = new Set<string>();
  const entries: Entry[] = [];
  for (const file of spec.files) {
    checkFilePath(`file name in artifact '${spec.name}'`, file.name);
    if (seen.has(file.name)) throw invalid(spec, `file '${file.name}' is given twice`);
    seen.add(file.name);
    const data = bytesOf(file);
    if (file.digest && file.size !== undefined) entries.push({ file, digest: file.digest, size: file.size });
    else if (data) entries.push({ file, digest: md5Base64(data), size: data.length });
    else if (file.path) {
      try {
        entries.push({ file, ...(await md5File(file.path)) });
      } catch (e) {
        throw invalid(spec, `cannot read '${file.path}' for '${file.name}': ${(e as Error).message}`);
      }
    } else throw invalid(spec, `file '${file.name}' has neither path nor data`);
  }
  const contents: Record<string, { digest: string; size: number }> = {};
  for (const e of entries) contents[e.file.name] = { digest: e.digest, size: e.size };
  const digest = wandbArtifactDigest(contents);
  const req = { retry: options.retry, signal: options.signal };

  const created = await client.graphql<{
    createArtifact: {
      artifact: {
        id: string;
        state: string;
        versionIndex?: number | null;
        artifactSequence?: { latestArtifact?: { id: string } | null } | null;
      };
    } | null;
  }>("CreateArtifact", CREATE_ARTIFACT, {
    input: {
      entityName: run.entity,
      projectName: run.project,
      artifactTypeName: spec.type,
      artifactCollectionName: spec.name,
      runName: run.id,
      digest,
      digestAlgorithm: "MANIFEST_MD5",
      description: spec.description ?? null,
      aliases: aliases.map((alias) => ({ artifactCollectionName: spec.name, alias })),
      metadata: spec.metadata ? JSON.stringify(spec.metadata) : null,
      enableDigestDeduplication: true,
      clientID: clientId(),
      sequenceClientID: clientId(),
    },
  }, req);
  const artifact = created.createArtifact?.artifact;
  if (!artifact?.id) {
    throw new WandbError("protocol", `W&B's CreateArtifact for '${spec.name}' returned no artifact`, {
      op: "CreateArtifact",
    });
  }
  const result: SavedArtifact = {
    id: artifact.id,
    entity: run.entity,
    project: run.project,
    name: spec.name,
    type: spec.type,
    versionIndex: artifact.versionIndex ?? null,
    digest,
    deduplicated: false,
    uploaded: 0,
    skipped: 0,
  };
  if (artifact.state === "COMMITTED") {
    if (options.use) await useWandbArtifact(client, run, artifact.id, req);
    return { ...result, deduplicated: true, skipped: entries.length };
  }

  const manifestVars = {
    artifactID: artifact.id,
    // the sequence's latest version, as the SDK names it (saver.go `Save`: `ArtifactSequence.LatestArtifact`)
    baseArtifactID: artifact.artifactSequence?.latestArtifact?.id ?? null,
    name: "wandb_manifest.json",
    entityName: run.entity,
    projectName: run.project,
    runName: run.id,
    manifestType: "FULL",
  };
  const manifest = await client.graphql<{
    createArtifactManifest: { artifactManifest: { id: string } } | null;
  }>("CreateArtifactManifest", CREATE_MANIFEST, { ...manifestVars, digest: "", includeUpload: false }, req);
  const manifestId = manifest.createArtifactManifest?.artifactManifest?.id;
  if (!manifestId) {
    throw new WandbError("protocol", `W&B's CreateArtifactManifest for '${spec.name}' returned no id`, {
      op: "CreateArtifactManifest",
    });
  }

  const births = new Map<string, string>();
  const uploads: { entry: Entry; url: string; headers: Record<string, string> }[] = [];
  for (let i = 0; i < entries.length; i += 500) {
    const batch = entries.slice(i, i + 500);
    const files = await client.graphql<{
      createArtifactFiles: {
        files: {
          edges: {
            node: {
              uploadUrl: string | null;
              uploadHeaders: string[] | null;
              artifact?: { id: string } | null;
            };
          }[];
        };
      } | null;
    }>("CreateArtifactFiles", CREATE_FILES, {
      storageLayout: "V2",
      artifactFiles: batch.map((e) => ({
        artifactID: artifact.id,
        name: e.file.name,
        md5: e.digest,
        artifactManifestID: manifestId,
      })),
    }, req);
    const edges = files.createArtifactFiles?.files?.edges ?? [];
    if (edges.length !== batch.length) {
      throw new WandbError(
        "protocol",
        `W&B's CreateArtifactFiles returned ${edges.length} files for ${batch.length} of '${spec.name}'`,
        { op: "CreateArtifactFiles" },
      );
    }
    edges.forEach(({ node }, j) => {
      const entry = batch[j];
      births.set(entry.file.name, node.artifact?.id ?? artifact.id);
      if (node.uploadUrl) {
        uploads.push({ entry, url: node.uploadUrl, headers: parseUploadHeaders(node.uploadHeaders) });
      } else result.skipped++;
    });
  }

  await pool(uploads, options.concurrency ?? 4, async ({ entry, url, headers }) => {
    // A file on disk is checked in one streaming pass and then streamed from disk (with its
    // Content-Length): neither is ever held whole in memory.
    const body = bytesOf(entry.file) ?? undefined;
    const actual = body ? { digest: md5Base64(body), size: body.length } : await md5File(entry.file.path!);
    if (actual.digest !== entry.digest || actual.size !== entry.size) {
      throw invalid(
        spec,
        `file '${entry.file.name}' changed since its digest was taken (expected ${entry.digest}, ${entry.size} bytes; ` +
          `found ${actual.digest}, ${actual.size} bytes)`,
      );
    }
    try {
      await client.request("upload", {
        method: "PUT",
        url,
        body,
        bodyFile: body ? undefined : entry.file.path,
        headers,
        auth: false,
        readBody: false,
        ...req,
        retry: uploadRetry(req.retry, actual.size),
      });
    } catch (e) {
      throw uploadError(e, `'${entry.file.name}' of artifact '${spec.name}'`);
    }
    result.uploaded++;
  });

  const manifestJson: Record<string, unknown> = {
    version: 1,
    storagePolicy: "wandb-storage-policy-v1",
    storagePolicyConfig: { storageLayout: "V2" },
    contents: Object.fromEntries(
      entries.map((
        e,
      ) => [e.file.name, { digest: e.digest, size: e.size, birthArtifactID: births.get(e.file.name) }]),
    ),
  };
  const manifestBytes = enc.encode(JSON.stringify(manifestJson));
  // A FULL manifest: CreateArtifactManifest again, now with the manifest's digest and its upload URL, then
  // the PUT (wandb/wandb core/pkg/artifacts/saver.go `Save`; UpdateArtifactManifest is for INCREMENTAL and
  // PATCH manifests only).
  const final = await client.graphql<{
    createArtifactManifest: {
      artifactManifest: { file: { uploadUrl?: string | null; uploadHeaders?: string[] | null } };
    } | null;
  }>("CreateArtifactManifest", CREATE_MANIFEST, {
    ...manifestVars,
    digest: md5Base64(manifestBytes),
    includeUpload: true,
  }, req);
  const file = final.createArtifactManifest?.artifactManifest?.file;
  if (!file?.uploadUrl) {
    throw new WandbError(
      "protocol",
      `W&B's CreateArtifactManifest for '${spec.name}' returned no upload URL for the manifest`,
      { op: "CreateArtifactManifest" },
    );
  }
  try {
    await client.request("upload", {
      method: "PUT",
      url: file.uploadUrl,
      body: manifestBytes,
      headers: parseUploadHeaders(file.uploadHeaders),
      auth: false,
      readBody: false,
      ...req,
    });
  } catch (e) {
    throw uploadError(e, `the manifest of artifact '${spec.name}'`);
  }

  const committed = await client.graphql<{
    commitArtifact: { artifact: { id: string; digest: string; versionIndex?: number | null } } | null;
  }>("CommitArtifact", COMMIT, { artifactID: artifact.id }, req);
  const c = committed.commitArtifact?.artifact;
  if (c?.digest && c.digest !== digest) {
    throw new WandbError(
      "digest",
      `W&B committed artifact '${spec.name}' with digest ${c.digest}, expected ${digest}`,
      { op: "CommitArtifact" },
    );
  }
  if (options.use) await useWandbArtifact(client, run, artifact.id, req);
  return { ...result, versionIndex: c?.versionIndex ?? result.versionIndex };
}
