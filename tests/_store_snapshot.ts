/**
 * A store directory's files with their digests, to assert that a read wrote nothing: store.db and also
 * SQLite's -wal and -shm files (a write can sit in the WAL, leaving store.db's bytes as they were) and the
 * content-addressed files.
 * @module
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";

function digest(path: string): string {
  return createHash("sha256").update(Deno.readFileSync(path)).digest("hex");
}

/** Every file under `dir` (relative path) with its SHA-256. */
export function snapshot(dir: string, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of Deno.readDirSync(join(dir, prefix))) {
    const rel = join(prefix, e.name);
    if (e.isDirectory) { for (const [k, v] of snapshot(dir, rel)) out.set(k, v); }
    else out.set(rel, digest(join(dir, rel)));
  }
  return out;
}

/**
 * Asserts that nothing under `dir` was written since `before` (its {@linkcode snapshot}): the same files
 * with the same bytes, apart from SQLite's coordination files a reader may add (store.db-shm, and an empty
 * store.db-wal), as a read-only connection in a writable folder does.
 */
export function assertNotWritten(dir: string, before: Map<string, string>): void {
  const after = snapshot(dir);
  for (const [name, d] of before) assert.deepEqual(after.get(name), d, `${name} changed`);
  for (const name of after.keys()) {
    if (!before.has(name)) assert(/^store\.db-(wal|shm)$/.test(name), `reader created ${name}`);
  }
  if (after.has("store.db-wal")) assert.deepEqual(Deno.statSync(join(dir, "store.db-wal")).size, 0);
}
