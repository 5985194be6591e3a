/**
 * ffmpegPath: where the ffmpeg binary that sentilab runs is.
 * @module
 */

import { FFMPEG_NOT_FOUND, ffmpegNotFound, findFfmpeg } from "./_tools.ts";
import { VideoError } from "./errors.ts";

/**
 * The path of the ffmpeg binary the video functions run, for making or converting media yourself (e.g. a
 * test clip in a notebook). Looked up once: `SENTILAB_FFMPEG` (a path, or a name on PATH), else the binary
 * inside npm:@ffmpeg-installer/ffmpeg (present when the project's node_modules is), else `ffmpeg` on PATH.
 * When mod.ts is imported from a URL there is no node_modules: set `SENTILAB_FFMPEG` or install ffmpeg.
 *
 * @returns The absolute path of an executable ffmpeg.
 * @throws {VideoError} When none is found ("ffmpeg not found: set SENTILAB_FFMPEG (and SENTILAB_FFPROBE)
 *   to its path or put it on PATH"); `path` is the SENTILAB_FFMPEG value, or "ffmpeg".
 *
 * @example
 * ```ts
 * import { ffmpegPath } from "./mod.ts";
 * const ffmpeg = await ffmpegPath();
 * const args = ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=2", "clip.mp4"];
 * const { success } = await new Deno.Command(ffmpeg, { args }).output();
 * console.log(success);
 * ```
 */
export async function ffmpegPath(): Promise<string> {
  const bin = await findFfmpeg();
  if (bin === null) {
    throw new VideoError(Deno.env.get("SENTILAB_FFMPEG") || "ffmpeg", FFMPEG_NOT_FOUND, ffmpegNotFound());
  }
  return bin;
}
