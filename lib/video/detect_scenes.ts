/**
 * detectScenes: scene cuts of a video.
 * @module
 */

import { fileArg, runFfmpeg, toolCause } from "./_tools.ts";
import { round } from "./_valence.ts";
import { VideoError } from "./errors.ts";

/** Options for {@linkcode detectScenes}. */
export interface DetectScenesOptions {
  /** Scene-change score above which a frame starts a new scene, in (0, 1) (default 0.3). */
  threshold?: number;
}

/** One scene cut. */
export interface SceneCut {
  /** Time of the first frame of the new scene, seconds. */
  time: number;
  /** ffmpeg's scene-change score (0..1). */
  score: number;
}

/**
 * Finds scene cuts with ffmpeg's scene-change detector (`select='gt(scene,T)'` + `metadata=print`).
 *
 * @param path The video file.
 * @param options Threshold.
 * @returns The cuts in time order (empty for a single continuous shot).
 * @throws {VideoError} When ffmpeg cannot read the video.
 * @throws {RangeError} When the threshold is outside (0, 1).
 *
 * @example
 * ```ts
 * import { detectScenes } from "./mod.ts";
 * const cuts = await detectScenes("clip.mp4", { threshold: 0.3 });
 * console.log(cuts.map((c) => c.time));
 * ```
 */
export async function detectScenes(path: string, options: DetectScenesOptions = {}): Promise<SceneCut[]> {
  const threshold = options.threshold ?? 0.3;
  if (!(threshold > 0 && threshold < 1)) {
    throw new RangeError(`Cannot detect scenes of '${path}': threshold must be in (0, 1), got ${threshold}`);
  }
  const out = await runFfmpeg([
    "-v",
    "error",
    "-i",
    fileArg(path),
    "-an",
    "-sn",
    "-vf",
    `select='gt(scene,${threshold})',metadata=print:file=-`,
    "-f",
    "null",
    "-",
  ], path);
  if (out.code !== 0) {
    const cause = toolCause(out.stderr, path);
    throw new VideoError(path, cause, `Cannot detect scenes of '${path}': ${cause} (ffmpeg)`);
  }
  const text = new TextDecoder().decode(out.stdout);
  const cuts: SceneCut[] = [];
  let time: number | null = null;
  for (const line of text.split("\n")) {
    const t = /pts_time:([\d.]+)/.exec(line);
    if (t) time = Number(t[1]);
    const s = /lavfi\.scene_score=([\d.]+)/.exec(line);
    if (s && time !== null) {
      cuts.push({ time: round(time, 3), score: round(Number(s[1]), 4) });
      time = null;
    }
  }
  return cuts;
}
