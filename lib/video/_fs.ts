/**
 * Private: file helpers.
 * @module
 */

import { basename, dirname, extname, join } from "node:path";

/** A temporary sibling path of `file` with the same extension (for write-then-rename). */
export function tempSibling(file: string): string {
  const ext = extname(file);
  const rand = crypto.randomUUID().slice(0, 8);
  return join(dirname(file), `.${basename(file, ext)}.tmp-${rand}${ext}`);
}

/** Removes a file, ignoring a missing one. */
export async function removeQuiet(file: string): Promise<void> {
  try {
    await Deno.remove(file);
  } catch {
    // gone already
  }
}
