// Shared by logArtifact and useArtifact: the run checks and failure policy, validating a spec, copying
// files in, committing a version; wrapping a version with local file access.
import { chmodSync, copyFileSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { TrackingError } from "./_errors.ts";
import { artifactDigest, b64ToHex } from "./_hash.ts";
import { buildManifest, collectFiles, ingestFiles, type SourceFile } from "./_files.ts";
import { humanSize, say } from "./_console.ts";
import type { Store } from "./_store.ts";
import { fail, type RunState, stateOf } from "./_state.ts";
import { checkName, recordToJson } from "./_validate.ts";
import type { ArtifactSpec, ArtifactVersion, Run, UsedArtifact } from "./types.ts";

/** A validated spec, ready to store. */
export interface CheckedSpec {
  spec: ArtifactSpec;
  metadataJson: string;
  aliases: string[];
  files: SourceFile[];
}

/**
 * Validates a spec and its aliases and lists its files (nothing is written).
 * @throws {TrackingError} naming the problem.
 */
function checkSpec(spec: ArtifactSpec, aliases: string[] | undefined): CheckedSpec {
  if (typeof spec !== "object" || spec === null) {
    throw new TrackingError(`Cannot log artifact: expected { name, type, files }, got ${spec}`);
  }
  checkName(spec.name, "name", String(spec.name));
  checkName(spec.type, "type", spec.name);
  const list = aliases ?? [];
  if (!Array.isArray(list)) {
    throw new TrackingError(`Cannot log artifact '${spec.name}': aliases must be an array`);
  }
  for (const a of list) checkName(a, "alias", spec.name);
  if (spec.description !== undefined && typeof spec.description !== "string") {
    throw new TrackingError(`Cannot log artifact '${spec.name}': description must be a string`);
  }
  const metadataJson = recordToJson(spec.metadata, "metadata", `Cannot log artifact '${spec.name}'`);
  return { spec, metadataJson, aliases: [...new Set(list)], files: collectFiles(spec) };
}

/** Copies the files in and commits (or deduplicates) the version. */
async function storeSpec(
  store: Store,
  run: Run,
  checked: CheckedSpec,
  direction: "output" | "input",
): Promise<{ version: ArtifactVersion; deduplicated: boolean }> {
  const { contents } = await ingestFiles(store, checked.files);
  const manifest = buildManifest(contents);
  let size = 0;
  for (const e of Object.values(contents)) size += e.size;
  const { version, deduplicated } = store.commitVersion({
    runId: run.id,
    name: checked.spec.name,
    type: checked.spec.type,
    description: checked.spec.description ?? "",
    metadataJson: checked.metadataJson,
    manifest,
    digest: artifactDigest(contents),
    size,
    fileCount: Object.keys(contents).length,
    aliases: checked.aliases,
    direction,
  });
  return { version: store.getVersion(checked.spec.name, version)!, deduplicated };
}

/**
 * Runs `body` for an artifact call under the tracking policy: null on the disabled backend, an error for
 * a finished run, and any failure becomes one warning and null (or a throw with `strict: true`).
 */
export async function artifactCall(
  run: Run,
  op: "logArtifact" | "useArtifact",
  finished: () => string,
  body: (state: RunState) => Promise<UsedArtifact | null>,
): Promise<UsedArtifact | null> {
  let s;
  try {
    s = stateOf(run);
  } catch (e) {
    fail(null, op, e);
    return null;
  }
  if (s.backend === "disabled") return null;
  try {
    if (s.finished) throw new TrackingError(finished());
    return await body(s);
  } catch (e) {
    fail(run, op, e);
    return null;
  }
}

/**
 * Validates a spec and stores it as an output or input of the run (deduplicated), returning the version
 * with its files; on the console backend prints what would have been stored and returns null.
 */
export async function storeOrDescribe(
  run: Run,
  store: Store | null,
  spec: ArtifactSpec,
  aliases: string[] | undefined,
  direction: "output" | "input",
): Promise<UsedArtifact | null> {
  const checked = checkSpec(spec, aliases);
  if (!store) {
    describeSpec(run, checked, direction === "output" ? "logged" : "used");
    return null;
  }
  const { version } = await storeSpec(store, run, checked, direction);
  return withFiles(store, version);
}

/** Prints what would have been stored (console backend). */
function describeSpec(run: Run, checked: CheckedSpec, verb: string): void {
  const size = checked.files.reduce((n, f) => n + f.size, 0);
  say(
    run,
    `${verb} artifact ${checked.spec.name} (${checked.spec.type}): ${checked.files.length} file(s), ${
      humanSize(size)
    }`,
  );
}

/** Wraps a stored version with local file access. */
export function withFiles(store: Store, v: ArtifactVersion): UsedArtifact {
  const contents = v.manifest.contents;
  const names = Object.keys(contents).sort();
  const blob = (file: string) => {
    const entry = contents[file];
    if (!entry) {
      throw new TrackingError(
        `Artifact ${v.ref} has no file '${file}'; its files are: ${names.slice(0, 10).join(", ")}` +
          (names.length > 10 ? ", ..." : ""),
      );
    }
    return store.blobPath(b64ToHex(entry.digest));
  };
  return {
    ...v,
    path: blob,
    files: () => [...names],
    download(dir: string): Promise<string> {
      const root = resolve(dir);
      for (const name of names) {
        const target = join(root, ...name.split("/"));
        mkdirSync(dirname(target), { recursive: true });
        copyFileSync(blob(name), target);
        chmodSync(target, 0o644);
      }
      return Promise.resolve(root);
    },
  };
}
