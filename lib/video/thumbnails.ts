/**
 * thumbnails: evenly spaced stills of a video.
 * @module
 */

import { join } from "node:path";
import { runFfmpegStills, toolCause } from "./_tools.ts";
import { round } from "./_valence.ts";
import { VideoError } from "./errors.ts";
import { probeVideo } from "./probe_video.ts";
import type { VideoMetadata } from "./types.ts";

/** Options for {@linkcode thumbnails}. */
export interface ThumbnailsOptions {
  /** Number of stills (default 6, 1..100). */
  count?: number;
  /** Width in pixels; height keeps the aspect ratio (default 320). */
  width?: number;
  /** File name prefix (default "thumb_"): files are `<prefix>01.jpg`, ... */
  prefix?: string;
  /** The video's metadata when already probed. */
  metadata?: VideoMetadata;
}

/** One still. */
export interface Thumbnail {
  /** The JPEG file. */
  path: string;
  /** Its time in the video, seconds. */
  time: number;
}

/**
 * Writes `count` JPEG stills spread evenly over the video into `outDir` (created when missing), in one
 * ffmpeg pass (`fps=count/duration,scale=width:-2`).
 *
 * @param path The video file.
 * @param outDir The folder for the stills.
 * @param options Count, width, name prefix.
 * @returns The stills written, in time order.
 * @throws {VideoError} When the video cannot be read or ffmpeg fails.
 * @throws {RangeError} When count or width is out of range.
 *
 * @example
 * ```ts
 * import { thumbnails } from "./mod.ts";
 * const stills = await thumbnails("clip.mp4", "out/thumbs", { count: 4 });
 * console.log(stills.map((s) => `${s.time}s ${s.path}`));
 * ```
 */
export async function thumbnails(
  path: string,
  outDir: string,
  options: ThumbnailsOptions = {},
): Promise<Thumbnail[]> {
  const count = options.count ?? 6;
  const width = options.width ?? 320;
  const prefix = options.prefix ?? "thumb_";
  if (!Number.isInteger(count) || count < 1 || count > 100) {
    throw new RangeError(
      `Cannot make thumbnails of '${path}': count must be an integer in 1..100, got ${count}`,
    );
  }
  if (!Number.isInteger(width) || width < 16 || width > 4096) {
    throw new RangeError(
      `Cannot make thumbnails of '${path}': width must be an integer in 16..4096, got ${width}`,
    );
  }
  if (/[\/\\%]/.test(prefix)) {
    throw new RangeError(
      `Cannot make thumbnails of '${path}': prefix '${prefix}' cannot contain '/', '\\' or '%'`,
    );
  }
  const meta = options.metadata ?? await probeVideo(path);
  await Deno.mkdir(outDir, { recursive: true });
  const duration = Math.max(meta.duration, 0.001);
  const rate = count / duration;
  const pattern = join(outDir, `${prefix}%02d.jpg`);
  const out = await runFfmpegStills(path, `fps=${rate},scale=${width}:-2`, count, pattern, ["-q:v", "4"]);
  if (out.code !== 0) {
    const cause = toolCause(out.stderr, path);
    throw new VideoError(path, cause, `Cannot make thumbnails of '${path}': ${cause} (ffmpeg)`);
  }
  const stills: Thumbnail[] = [];
  for (let i = 1; i <= count; i++) {
    const file = join(outDir, `${prefix}${String(i).padStart(2, "0")}.jpg`);
    try {
      await Deno.stat(file);
    } catch {
      break;
    }
    stills.push({ path: file, time: round((i - 1) / rate, 3) });
  }
  return stills;
}
