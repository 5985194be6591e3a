/**
 * contactSheet: one image with a grid of stills of a video.
 * @module
 */

import { extname } from "node:path";
import { writeAtomic } from "../_fs/write_atomic.ts";
import { runFfmpegStills, toolCause } from "./_tools.ts";
import { VideoError } from "./errors.ts";
import { probeVideo } from "./probe_video.ts";
import type { VideoMetadata } from "./types.ts";

/** Options for {@linkcode contactSheet}. */
export interface ContactSheetOptions {
  /** Tiles across (default 3). */
  columns?: number;
  /** Tiles down (default 2). */
  rows?: number;
  /** Width of one tile in pixels (default 213); height keeps the aspect ratio. */
  tileWidth?: number;
  /** The video's metadata when already probed. */
  metadata?: VideoMetadata;
}

/** The contact sheet written. */
export interface ContactSheet {
  /** The image written. */
  path: string;
  /** Image width in pixels. */
  width: number;
  /** Image height in pixels. */
  height: number;
  /** Tiles across. */
  columns: number;
  /** Tiles down. */
  rows: number;
}

/**
 * Writes a contact sheet: `columns x rows` stills spread evenly over the video, tiled into one PNG or
 * JPEG (by `outFile`'s extension), in one ffmpeg pass (`fps,scale,tile`). Written to a temporary sibling
 * and renamed, so a failure leaves no partial file.
 *
 * @param path The video file.
 * @param outFile The image to write (.png, .jpg or .jpeg).
 * @param options Grid and tile size.
 * @returns The sheet's path and size.
 * @throws {VideoError} When the video cannot be read or ffmpeg fails.
 * @throws {RangeError} When the extension or a size is not supported.
 *
 * @example
 * ```ts
 * import { contactSheet } from "./mod.ts";
 * const sheet = await contactSheet("clip.mp4", "out/sheet.png", { columns: 4, rows: 3 });
 * console.log(sheet.width, sheet.height);
 * ```
 */
export async function contactSheet(
  path: string,
  outFile: string,
  options: ContactSheetOptions = {},
): Promise<ContactSheet> {
  const columns = options.columns ?? 3;
  const rows = options.rows ?? 2;
  const tileWidth = options.tileWidth ?? 213;
  const ext = extname(outFile).toLowerCase();
  if (![".png", ".jpg", ".jpeg"].includes(ext)) {
    throw new RangeError(`Cannot write contact sheet '${outFile}': use a .png, .jpg or .jpeg file name`);
  }
  for (
    const [name, v, max] of [["columns", columns, 20], ["rows", rows, 20], [
      "tileWidth",
      tileWidth,
      2048,
    ]] as const
  ) {
    if (!Number.isInteger(v) || v < 1 || v > max) {
      throw new RangeError(
        `Cannot write contact sheet '${outFile}': ${name} must be an integer in 1..${max}, got ${v}`,
      );
    }
  }
  const meta = options.metadata ?? await probeVideo(path);
  const tiles = columns * rows;
  const tileW = even(tileWidth);
  const tileH = even(meta.height * tileW / meta.width);
  const rate = tiles / Math.max(meta.duration, 0.001);
  await writeAtomic(outFile, async (tmp) => {
    const out = await runFfmpegStills(
      path,
      `fps=${rate},scale=${tileW}:${tileH},tile=${columns}x${rows}`,
      1,
      tmp,
    );
    let ok = out.code === 0;
    if (ok) {
      try {
        ok = (await Deno.stat(tmp)).size > 0;
      } catch {
        ok = false;
      }
    }
    if (!ok) {
      const cause = out.code === 0 ? "ffmpeg wrote no image (too few frames?)" : toolCause(out.stderr, path);
      throw new VideoError(path, cause, `Cannot write contact sheet '${outFile}' of '${path}': ${cause}`);
    }
  });
  return { path: outFile, width: tileW * columns, height: tileH * rows, columns, rows };
}

function even(n: number): number {
  return Math.max(2, Math.round(n / 2) * 2);
}
