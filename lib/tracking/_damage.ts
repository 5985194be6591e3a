// A damaged store database: how it is recognised and what the user is told. A store that has held a
// database gets a marker file next to it, so that a store.db emptied later is told apart from a new one.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TrackingError } from "./_errors.ts";

/** Marker written once store.db holds the schema. */
const MARKER = "store.db.created";

/** Whether `e` is SQLite saying the file is not a healthy database (SQLITE_CORRUPT, SQLITE_NOTADB). */
export function isDamage(e: unknown): boolean {
  const code = (e as { errcode?: unknown })?.errcode;
  if (typeof code === "number") return (code & 0xff) === 11 || (code & 0xff) === 26;
  return /file is not a database|database disk image is malformed/i.test(String((e as Error)?.message));
}

/** Whether the store in `dir` has held a database before (its marker exists). */
export function hadDatabase(dir: string): boolean {
  return existsSync(join(dir, MARKER));
}

/** Records that the store in `dir` holds a database (best effort). */
export function markDatabase(dir: string): void {
  if (hadDatabase(dir)) return;
  try {
    writeFileSync(
      join(dir, MARKER),
      "sentilab: store.db in this folder held a tracking database; an empty store.db here means it was damaged\n",
    );
  } catch { /* read-only: nothing to mark */ }
}

/** The error for a damaged store.db in `dir`: what, where, and what to do. */
export function damagedError(dir: string, reason: string, cause?: unknown): TrackingError {
  const db = join(dir, "store.db");
  return new TrackingError(
    `The tracking database '${db}' is damaged (${reason}); sentilab does not write to it any more. ` +
      `Restore it from a backup, or move it aside to start a fresh store: mv '${db}' '${db}.damaged' ` +
      `(the artifact files in '${join(dir, "files")}' stay where they are)`,
    { cause },
  );
}
