/**
 * The one atomic file write of sentilab: write a temporary sibling, then rename it over the target, so a
 * reader sees the old file or the whole new one, never half of one, and a failed write leaves the target
 * untouched and no temporary file behind. Ground floor: imports only Node built-ins, so lib/tracking,
 * lib/display and every other module may use it.
 * @module
 */
import { basename, dirname, extname, join } from "node:path";

/** Options of {@linkcode writeAtomic}. */
export interface WriteAtomicOptions {
  /** Create the parent folder first (default false). */
  mkdir?: boolean;
}

/**
 * A temporary sibling path of `file` (same folder, so the final rename stays on one file system; hidden, and
 * with the same extension, so tools that look at the extension, like ffmpeg, still work).
 *
 * @param file The path the temporary file will be renamed to.
 * @returns `DIR/.NAME.tmp-XXXXXXXX.EXT`.
 * @example
 * ```ts
 * tempSibling("out/chart.svg"); // "out/.chart.tmp-1a2b3c4d.svg"
 * ```
 */
export function tempSibling(file: string): string {
  const ext = extname(file);
  return join(dirname(file), `.${basename(file, ext)}.tmp-${crypto.randomUUID().slice(0, 8)}${ext}`);
}

/**
 * Writes `path` atomically: the content goes to a {@linkcode tempSibling} that is then renamed over `path`.
 * `data` is the text or bytes to write, or a function that writes the temporary path itself (e.g. runs
 * ffmpeg with it as output); on any error the temporary file is removed and the error rethrown.
 *
 * @param path The file to write (replaced if it exists).
 * @param data Text (written as UTF-8), bytes, or a writer of the temporary path.
 * @param options Whether to create the parent folder.
 * @returns `path`.
 * @example
 * ```ts
 * const dir = await Deno.makeTempDir();
 * await writeAtomic(`${dir}/report/metrics.html`, "<p>ok</p>", { mkdir: true });
 * ```
 */
export async function writeAtomic(
  path: string,
  data: string | Uint8Array | ((tmp: string) => Promise<void>),
  options: WriteAtomicOptions = {},
): Promise<string> {
  if (options.mkdir) await Deno.mkdir(dirname(path), { recursive: true });
  const tmp = tempSibling(path);
  try {
    if (typeof data === "string") await Deno.writeTextFile(tmp, data);
    else if (data instanceof Uint8Array) await Deno.writeFile(tmp, data);
    else await data(tmp);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
  return path;
}
