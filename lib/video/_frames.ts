/**
 * Private: decoding sampled frames as raw RGB through an ffmpeg pipe.
 * @module
 */

import { cleanToolLine, ffmpegFor, fileArg, spawnTool } from "./_tools.ts";
import { VideoError } from "./errors.ts";

/** One decoded frame. */
export interface RawFrame {
  /** Frame number in the sampled sequence (0-based). */
  index: number;
  /** Time in the video, seconds (index / rate). */
  time: number;
  width: number;
  height: number;
  /** width * height * 3 bytes, RGB. */
  data: Uint8Array;
}

/**
 * Yields frames sampled at `rate` per second, scaled to `width` x `height` (even numbers), at most
 * `maxFrames`. A rate of 0 decodes every frame (for stills, where the fps filter of ffmpeg 4.1 yields
 * nothing). Stops ffmpeg when the consumer stops early.
 */
export async function* readFrames(
  path: string,
  rate: number,
  width: number,
  height: number,
  maxFrames: number,
): AsyncGenerator<RawFrame> {
  const frameSize = width * height * 3;
  const child = spawnTool(await ffmpegFor(path), [
    "-hide_banner",
    "-nostdin",
    "-v",
    "error",
    "-i",
    fileArg(path),
    "-an",
    "-sn",
    "-vf",
    rate > 0 ? `fps=${rate},scale=${width}:${height}` : `scale=${width}:${height}`,
    "-frames:v",
    String(maxFrames),
    "-f",
    "rawvideo",
    "-pix_fmt",
    "rgb24",
    "-",
  ], path);
  const stderrText = new Response(child.stderr).text();
  const reader = child.stdout.getReader();
  let buf = new Uint8Array(frameSize);
  let filled = 0;
  let index = 0;
  let finished = false;
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      let off = 0;
      while (off < value.length) {
        const n = Math.min(frameSize - filled, value.length - off);
        buf.set(value.subarray(off, off + n), filled);
        filled += n;
        off += n;
        if (filled === frameSize) {
          yield { index, time: rate > 0 ? index / rate : 0, width, height, data: buf };
          index++;
          buf = new Uint8Array(frameSize);
          filled = 0;
        }
      }
    }
    finished = true;
  } finally {
    if (!finished) {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
      await reader.cancel().catch(() => {});
      await child.status;
      await stderrText;
    }
  }
  const status = await child.status;
  const err = (await stderrText).split(/\r?\n/).map((l) => cleanToolLine(l, path)).filter((l) => l)
    .join("; ");
  if (!status.success) {
    throw new VideoError(
      path,
      err || `ffmpeg exited ${status.code}`,
      `Cannot decode frames of '${path}': ${err || `ffmpeg exited ${status.code}`}`,
    );
  }
}
