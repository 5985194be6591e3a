// Shared by logArtifact and useArtifact: the run checks and failure policy, validating a spec, copying
// files in, committing a version; wrapping a version with local file access.
import { chmodSync, copyFileSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import { TrackingError } from "./_errors.ts";
import { artifactDigest } from "./_hash.ts";
import { verifiedBlob } from "./_blob.ts";
import { fileNameProblem } from "./_file_name.ts";
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
  const { version, deduplicated } = store.artifacts.commitVersion({
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
  return { version: store.artifacts.getVersion(checked.spec.name, version)!, deduplicated };
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

/**
 * Wraps a stored version with local file access. Every file served is checked first: its manifest name
 * must be a safe relative name and its stored content must match its digest.
 */
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
    const problem = fileNameProblem(file);
    if (problem) throw new TrackingError(`Artifact ${v.ref} has a manifest that cannot be used: ${problem}`);
    return verifiedBlob(store, v.ref, file, entry.digest);
  };
  return {
    ...v,
    path: blob,
    files: () => [...names],
    download(dir: string): Promise<string> {
      try {
        return Promise.resolve(copyAll(resolve(dir)));
      } catch (e) {
        return Promise.reject(e);
      }
    },
  };
  function copyAll(root: string): string {
    // Every name and blob is checked before anything is written.
    const plan = names.map((name) => {
      const source = blob(name);
      const target = join(root, ...name.split("/"));
      if (!target.startsWith(root + sep)) {
        throw new TrackingError(`Artifact ${v.ref}: file '${name}' would be written outside '${root}'`);
      }
      return { source, target };
    });
    for (const { source, target } of plan) {
      mkdirSync(dirname(target), { recursive: true });
      const tmp = `${target}.part-${crypto.randomUUID().slice(0, 8)}`;
      try {
        copyFileSync(source, tmp);
        chmodSync(tmp, 0o644);
        renameSync(tmp, target);
      } catch (e) {
        rmSync(tmp, { force: true });
        throw e;
      }
    }
    return root;
  }
}
