import { join } from "node:path";
import { withFiles } from "./_artifact.ts";
import { TrackingError } from "./_errors.ts";
import { findVersion, parseRef } from "./_ref.ts";
import { readStore } from "./_read.ts";
import { stateOf } from "./_state.ts";
import { wandbConfigured } from "./_target.ts";
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
  /**
   * W&B project to look in when the local store lacks the version and W&B is configured (WANDB_API_KEY,
   * WANDB_MODE not offline/disabled); default: the run's project, else WANDB_PROJECT, else `sentilab`.
   */
  project?: string;
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
 * When the local store lacks the version and W&B is configured (WANDB_API_KEY set, WANDB_MODE neither
 * `offline` nor `disabled`), the version is looked up on W&B (`project`, the entity of the key) and its
 * files downloaded (each checked against its MD5) into the same cache; with a run it is then stored
 * locally and recorded as the run's input, so lineage stays complete offline.
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
    let local: ArtifactVersion;
    try {
      local = findVersion(runStore, parsed);
    } catch (e) {
      const remote = await fromWandb(ref, e as Error, runStore.dir, options);
      if (!remote) throw e;
      const u = await useArtifact(options.run, {
        name: remote.version.name,
        type: remote.version.type,
        description: remote.version.description,
        metadata: remote.version.metadata,
        files: [remote.path],
      });
      return { version: u ? strip(u) : remote.version, path: remote.path };
    }
    checkType(local, options.type);
    const u = await useArtifact(options.run, ref);
    if (!u) throw new TrackingError(`Could not use artifact '${ref}' in run '${options.run.name}'`);
    used = u;
    storeDir = runStore.dir;
  } else {
    let store;
    let v: ArtifactVersion;
    try {
      store = readStore({ dir: options.dir, readOnly: true });
      v = findVersion(store, parsed);
    } catch (e) {
      const remote = await fromWandb(ref, e as Error, store?.dir ?? null, options);
      if (remote) return remote;
      throw e;
    }
    checkType(v, options.type);
    used = withFiles(store, v);
    storeDir = store.dir;
  }
  return { version: strip(used), path: await cached(used, storeDir) };
}

function strip(used: UsedArtifact): ArtifactVersion {
  const { path: _p, files: _f, download: _d, ...version } = used;
  return version;
}

/**
 * The version from W&B, its files downloaded into `<store>/cache/<digest>` (or a temp folder without a
 * store), or null when W&B is not configured. A version W&B does not have either is an error saying both.
 */
async function fromWandb(
  ref: string,
  localError: Error,
  storeDir: string | null,
  options: DownloadArtifactOptions,
): Promise<DownloadedArtifact | null> {
  if (!wandbConfigured()) return null;
  const { connectWandb, downloadWandbArtifact, getWandbArtifact } = await import("./wandb/mod.ts");
  const project = options.project ?? options.run?.project ?? Deno.env.get("WANDB_PROJECT") ?? "sentilab";
  let found;
  try {
    const { client, entity } = await connectWandb({ timeoutMs: 10_000 });
    const a = await getWandbArtifact(client, ref, { entity, project });
    if (!a) {
      throw new TrackingError(`${localError.message}; W&B has no '${ref}' in ${entity}/${project} either`);
    }
    if (options.type !== undefined && a.type !== options.type) {
      throw new TrackingError(
        `Artifact ${a.name}:v${a.versionIndex} on W&B has type '${a.type}', not '${options.type}'`,
      );
    }
    found = { client, a, entity };
  } catch (e) {
    if (e instanceof TrackingError) throw e;
    throw new TrackingError(`${localError.message}; looking on W&B failed: ${(e as Error).message}`);
  }
  const { client, a } = found;
  const root = storeDir ? join(storeDir, "cache") : await Deno.makeTempDir({ prefix: "sentilab-wandb-" });
  const target = join(root, a.digest);
  if (!(await Deno.stat(target).catch(() => null))?.isDirectory) {
    await Deno.mkdir(root, { recursive: true });
    const tmp = await Deno.makeTempDir({ dir: root, prefix: `.${a.digest}.tmp-` });
    try {
      await downloadWandbArtifact(client, a, tmp);
      await Deno.chmod(tmp, 0o755);
      await Deno.rename(tmp, target);
    } catch (e) {
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
      if (!(await Deno.stat(target).catch(() => null))?.isDirectory) {
        throw new TrackingError(`Downloading '${ref}' from W&B failed: ${(e as Error).message}`);
      }
    }
  }
  let size = 0;
  for (const e of Object.values(a.manifest)) size += e.size;
  const contents = Object.fromEntries(
    Object.keys(a.manifest).sort().map((
      k,
    ) => [k, { digest: a.manifest[k].digest, size: a.manifest[k].size }]),
  );
  const version: ArtifactVersion = {
    name: a.name,
    type: a.type,
    version: a.versionIndex,
    ref: `${a.name}:v${a.versionIndex}`,
    digest: a.digest,
    aliases: a.aliases,
    description: a.description ?? "",
    metadata: a.metadata,
    manifest: {
      version: 1,
      storagePolicy: "wandb-storage-policy-v1",
      storagePolicyConfig: { storageLayout: "V2" },
      contents,
    },
    size,
    fileCount: Object.keys(contents).length,
    createdAt: new Date().toISOString(),
    createdBy: null,
  };
  return { version, path: target };
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
