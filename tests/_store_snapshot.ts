/**
 * A store directory's files with their digests, to assert that a read wrote nothing: store.db and also
 * SQLite's -wal and -shm files (a write can sit in the WAL, leaving store.db's bytes as they were) and the
 * content-addressed files.
 * @module
 */
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
