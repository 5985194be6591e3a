// Collecting the files of an artifact spec, and copying them into the content-addressed store.
import {
  chmodSync,
  copyFileSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
} from "node:fs";
import { basename, dirname, join, resolve, sep } from "node:path";
import { TrackingError } from "./_errors.ts";
import { blobProblem } from "./_blob.ts";
import { fileNameProblem } from "./_file_name.ts";
import { b64ToHex, comparePaths, md5File, toBase64 } from "./_hash.ts";
import type { Store } from "./_store.ts";
import type { ArtifactManifest, ArtifactSpec, ManifestEntry } from "./types.ts";

/** A file to include in an artifact. */
export interface SourceFile {
  /** Path inside the artifact (manifest key), '/'-separated. */
  path: string;
  /** Absolute path of the file on disk (symlinks resolved). */
  source: string;
  /** Size at collection time. */
  size: number;
}

/**
 * Lists the files of an artifact spec, validating them before anything is written.
 * @throws {TrackingError} for missing files, symlinks pointing outside a folder, duplicate entries.
 */
export function collectFiles(spec: ArtifactSpec): SourceFile[] {
  const ctx = `Cannot log artifact '${spec.name}'`;
  if (!Array.isArray(spec.files) || spec.files.length === 0) {
    throw new TrackingError(`${ctx}: 'files' must list at least one file or folder`);
  }
  const out = new Map<string, SourceFile>();
  const add = (path: string, source: string, size: number) => {
    const problem = fileNameProblem(path);
    if (problem) throw new TrackingError(`${ctx}: ${problem}`);
    const prev = out.get(path);
    if (prev && prev.source !== source) {
      throw new TrackingError(
        `${ctx}: two files map to '${path}' ('${prev.source}' and '${source}'); rename one`,
      );
    }
    out.set(path, { path, source, size });
  };
  for (const item of spec.files) {
    const given = typeof item === "string" ? item : item?.path;
    if (typeof given !== "string" || given.length === 0) {
      throw new TrackingError(`${ctx}: each entry of 'files' must be a path or { path, name }`);
    }
    const abs = resolve(given);
    let st;
    try {
      st = statSync(abs);
    } catch {
      throw new TrackingError(`${ctx}: file '${given}' does not exist (resolved to '${abs}')`);
    }
    const name = typeof item === "string" ? undefined : item.name;
    if (st.isDirectory()) {
      const root = realpathSync(abs);
      const prefix = name === undefined || name === "" ? "" : name.replace(/\/+$/, "") + "/";
      walk(root, root, "", given, prefix, new Set([root]), add, ctx);
    } else if (st.isFile()) {
      add(name ?? basename(abs), realpathSync(abs), st.size);
    } else {
      throw new TrackingError(`${ctx}: '${given}' is neither a file nor a folder`);
    }
  }
  if (out.size === 0) throw new TrackingError(`${ctx}: the folders given contain no files`);
  return [...out.values()].sort((a, b) => comparePaths(a.path, b.path));
}

function walk(
  root: string,
  dir: string,
  relBase: string,
  given: string,
  prefix: string,
  seen: Set<string>,
  add: (path: string, source: string, size: number) => void,
  ctx: string,
): void {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => comparePaths(a.name, b.name));
  for (const entry of entries) {
    const full = join(dir, entry.name);
    const rel = relBase + entry.name;
    let real = full;
    if (entry.isSymbolicLink()) {
      try {
        real = realpathSync(full);
      } catch {
        throw new TrackingError(
          `${ctx}: '${join(given, rel)}' is a broken symlink; remove it or fix its target`,
        );
      }
      if (real !== root && !real.startsWith(root + sep)) {
        throw new TrackingError(
          `${ctx}: '${join(given, rel)}' is a symlink pointing outside '${given}' (to '${real}'); ` +
            `copy the file into the folder or remove the link`,
        );
      }
    }
    const st = statSync(real);
    if (st.isDirectory()) {
      if (seen.has(real)) continue;
      seen.add(real);
      walk(root, real, rel + "/", given, prefix, seen, add, ctx);
    } else if (st.isFile()) {
      add(prefix + rel, real, st.size);
    }
  }
}

/** Statistics of one ingest (for tests and benchmarks). */
export interface IngestResult {
  contents: Record<string, ManifestEntry>;
  hashed: number;
  cached: number;
}

/**
 * Copies files into the store (temp name, then rename) and returns their manifest entries. A file whose
 * path, size, mtime and inode match the hash cache and whose content is already stored is neither read
 * nor copied again.
 */
export async function ingestFiles(store: Store, files: SourceFile[]): Promise<IngestResult> {
  const contents: Record<string, ManifestEntry> = {};
  let hashed = 0, cached = 0;
  for (const f of files) {
    const before = statSync(f.source, { bigint: true });
    const size = Number(before.size), mtime = String(before.mtimeNs), ino = String(before.ino);
    const hit = store.hashes.cachedDigest(f.source, size, mtime, ino);
    if (hit !== null && blobProblem(store, hit) === null) {
      contents[f.path] = { digest: hit, size };
      cached++;
      continue;
    }
    const tmp = join(store.tmpDir, `${crypto.randomUUID()}.part`);
    try {
      copyFileSync(f.source, tmp);
      const digest = toBase64(await md5File(tmp));
      const blob = store.blobPath(b64ToHex(digest));
      const copiedSize = lstatSync(tmp).size;
      if (blobProblem(store, digest) === null) {
        unlinkSync(tmp);
      } else {
        // New content, or a stored copy that is missing or was changed on disk: this copy repairs it.
        mkdirSync(dirname(blob), { recursive: true });
        chmodSync(tmp, 0o444);
        renameSync(tmp, blob);
        const st = statSync(blob, { bigint: true });
        store.hashes.cacheDigest(blob, Number(st.size), String(st.mtimeNs), String(st.ino), digest);
      }
      const after = statSync(f.source, { bigint: true });
      if (after.size === before.size && after.mtimeNs === before.mtimeNs && after.ino === before.ino) {
        store.hashes.cacheDigest(f.source, size, mtime, ino, digest);
      }
      contents[f.path] = { digest, size: copiedSize };
      hashed++;
    } catch (e) {
      try {
        unlinkSync(tmp);
      } catch { /* gone */ }
      throw new TrackingError(
        `Cannot copy '${f.source}' into the store '${store.dir}': ${(e as Error).message}`,
        {
          cause: e,
        },
      );
    }
  }
  return { contents, hashed, cached };
}

/** A W&B manifest (entries in sorted order) from entries. */
export function buildManifest(contents: Record<string, ManifestEntry>): ArtifactManifest {
  const sorted: Record<string, ManifestEntry> = {};
  for (const k of Object.keys(contents).sort(comparePaths)) sorted[k] = contents[k];
  return {
    version: 1,
    storagePolicy: "wandb-storage-policy-v1",
    storagePolicyConfig: { storageLayout: "V2" },
    contents: sorted,
  };
}
