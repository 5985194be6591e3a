import { join } from "node:path";
import { withFiles } from "./_artifact.ts";
import { TrackingError } from "./_errors.ts";
import { findVersion, parseRef } from "./_ref.ts";
import { readStore } from "./_read.ts";
import { stateOf } from "./_state.ts";
import { useArtifact } from "./use_artifact.ts";
import type { ArtifactVersion, Run, UsedArtifact } from "./types.ts";

/** Options for {@linkcode downloadArtifact}. */
export interface DownloadArtifactOptions {
  /**
   * Run that uses the artifact: the version is recorded as its input (the use edge), resolved in the run's
   * store. Without a run (or with a run that stores nothing) nothing is recorded.
   */
  run?: Run;
  /** Store directory when there is no run (default: SENTILAB_DIR, else `.sentilab`). */
  dir?: string;
  /** The artifact type expected (e.g. `model`, `dataset`): another type is an error naming both. */
  type?: string;
}

/** What {@linkcode downloadArtifact} returns. */
export interface DownloadedArtifact {
  /** The version the reference resolved to. */
  version: ArtifactVersion;
  /** Folder holding the version's files under their manifest paths (a cache: do not modify). */
  path: string;
}

/**
 * Resolves an artifact reference (`name`, `name:vN`, `name:alias`) in the local store and makes its files
 * available as a plain folder, like W&B's `run.use_artifact(ref).download()`. Store files are
 * content-addressed, so the folder is a cache next to them, `<store>/cache/<digest>/`, filled once per
 * version digest (written to a temp folder, then renamed) and reused afterwards. With a run, the version
 * is recorded as the run's input.
 *
 * @param ref The artifact reference.
 * @param options The run that uses it, or the store to read; the expected type.
 * @returns The version and the folder of its files.
 * @throws {TrackingError} for a malformed reference, a missing store or version (listing the versions the
 *   name has), or a version of another type.
 *
 * @example
 * ```ts
 * import { downloadArtifact, finishRun, initRun, logArtifact } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/a.txt`, "hello");
 * const run = await initRun({ dir: `${dir}/store` });
 * await logArtifact(run, { name: "notes", type: "dataset", files: [`${dir}/a.txt`] });
 * await finishRun(run);
 * const got = await downloadArtifact("notes:v0", { dir: `${dir}/store` });
 * console.log(await Deno.readTextFile(`${got.path}/a.txt`)); // hello
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function downloadArtifact(
  ref: string,
  options: DownloadArtifactOptions = {},
): Promise<DownloadedArtifact> {
  const parsed = parseRef(ref);
  const runStore = options.run ? stateOf(options.run).store : null;
  let used: UsedArtifact;
  let storeDir: string;
  if (options.run && runStore) {
    checkType(findVersion(runStore, parsed), options.type);
    const u = await useArtifact(options.run, ref);
    if (!u) throw new TrackingError(`Could not use artifact '${ref}' in run '${options.run.name}'`);
    used = u;
    storeDir = runStore.dir;
  } else {
    const store = readStore({ dir: options.dir, readOnly: true });
    const v = findVersion(store, parsed);
    checkType(v, options.type);
    used = withFiles(store, v);
    storeDir = store.dir;
  }
  const { path: _p, files: _f, download: _d, ...version } = used;
  return { version, path: await cached(used, storeDir) };
}

function checkType(v: ArtifactVersion, type: string | undefined): void {
  if (type !== undefined && v.type !== type) {
    throw new TrackingError(`Artifact ${v.ref} has type '${v.type}', not '${type}'`);
  }
}

async function cached(used: UsedArtifact, storeDir: string): Promise<string> {
  const root = join(storeDir, "cache");
  const target = join(root, used.digest);
  try {
    if ((await Deno.stat(target)).isDirectory) return target;
  } catch { /* not cached yet */ }
  try {
    await Deno.mkdir(root, { recursive: true });
    const tmp = await Deno.makeTempDir({ dir: root, prefix: `.${used.digest}.tmp-` });
    try {
      await used.download(tmp);
      await Deno.chmod(tmp, 0o755);
      await Deno.rename(tmp, target);
    } catch (e) {
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
      // another process filled the cache first
      if ((await Deno.stat(target).catch(() => null))?.isDirectory) return target;
      throw e;
    }
    return target;
  } catch (e) {
    if (!(e instanceof Deno.errors.PermissionDenied || (e as { code?: string }).code === "EROFS")) throw e;
    // a store on read-only media: a private temp folder instead of the cache
    return await used.download(await Deno.makeTempDir({ prefix: `sentilab-${used.name}-` }));
  }
}
