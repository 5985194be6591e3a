/**
 * analyzeVideo: the tracked video workflow `deno task video` runs and a notebook can call.
 * @module
 */
import { basename, extname, join } from "node:path";
import { finishRun, initRun, type InitRunOptions, type Run } from "../tracking/mod.ts";
import { loadModel } from "../models/load_model.ts";
import type { Model } from "../models/types.ts";
import { writeAtomic } from "../_fs/write_atomic.ts";
import { type LoggedVideo, logVideo } from "./log_video.ts";
import { probeVideo } from "./probe_video.ts";
import { timelineSvg } from "./timeline_svg.ts";
import { videoSentiment, type VideoSentimentOptions } from "./video_sentiment.ts";
import type { VideoSentimentResult } from "./types.ts";

/** Options of {@linkcode analyzeVideo}: videoSentiment's, plus the model, checks, chart and tracking. */
export interface AnalyzeVideoOptions extends VideoSentimentOptions {
  /** Text model: a loaded model (the caller closes it) or a name/folder/reference for `loadModel` (default `"default"`; loaded and closed here). */
  model?: Model | string;
  /** Also decode the whole file; a corrupt file is an error before anything is tracked (default false). */
  verify?: boolean;
  /** Folder for the chart `<video name>.timeline.svg` (default `"out"`; created when missing). */
  out?: string;
  /** initRun options of the run (tracker, project, name, group, tags, notes, dir). */
  tracking?: Omit<InitRunOptions, "jobType" | "config">;
  /** Finish the run before returning (default true); false leaves it open, e.g. to print into its output. */
  finish?: boolean;
}

/** What {@linkcode analyzeVideo} returns. */
export interface AnalyzedVideo {
  /** The videoSentiment result (its metadata carries the `verify` outcome when asked for). */
  result: VideoSentimentResult;
  /** The chart written (`<out>/<video name>.timeline.svg`). */
  chartPath: string;
  /** The run (finished unless `finish: false`). */
  run: Run;
  /** What logVideo logged: the video artifact, the chart artifact, the metrics. */
  logged: LoggedVideo;
}

/**
 * Analyses a video's sentiment and tracks it: loads the model, runs {@linkcode videoSentiment}, optionally
 * decodes the whole file (`verify`), writes the timeline chart, then starts a run (job type `video`) and
 * logs the video as an input artifact with its contact sheet, the timeline table, the chart and the
 * overall scores ({@linkcode logVideo}). Everything that depends on the input happens before the run
 * exists, so a bad video, subtitle file or model leaves nothing tracked.
 *
 * @param file The video file.
 * @param options Model, subtitle source, face track, verify, chart folder, tracking, whether to finish.
 * @returns The result, the chart path, the run and what was logged.
 * @throws {Error} For a bad video, subtitle file, model or a corrupt file with `verify` (no run exists
 *   then); when logging fails the run is finished with exit code 1 and the error rethrown.
 * @example
 * ```ts ignore
 * import { analyzeVideo } from "./mod.ts";
 * const { result, chartPath, run } = await analyzeVideo("talk.mp4", {
 *   subtitles: "talk.srt",
 *   model: "lexicon",
 *   tracking: { project: "videos" },
 * });
 * console.log(result.text.overall?.label, chartPath, run.id);
 * ```
 */
export async function analyzeVideo(file: string, options: AnalyzeVideoOptions = {}): Promise<AnalyzedVideo> {
  const { model: modelOption = "default", verify, out = "out", tracking = {}, finish = true, ...sentiment } =
    options;
  const model = typeof modelOption === "string" ? await loadModel(modelOption) : modelOption;
  let result: VideoSentimentResult;
  try {
    result = await videoSentiment(file, model, sentiment);
    if (verify) {
      const checked = (await probeVideo(file, { verify: true })).verify!;
      if (!checked.ok) {
        const shown = checked.errors.slice(0, 3).join("; ") || "ffmpeg exited with an error";
        const more = checked.errors.length > 3 ? ` (and ${checked.errors.length - 3} more)` : "";
        throw new Error(
          `Cannot use video '${file}': it is corrupt (decoding it fails: ${shown}${more}); ` +
            `get an undamaged copy, or run without --verify to analyse what can be read`,
        );
      }
      result.metadata.verify = checked;
    }
  } finally {
    if (typeof modelOption === "string") await model.close();
  }
  await Deno.mkdir(out, { recursive: true });
  const chartPath = join(out, `${basename(file, extname(file))}.timeline.svg`);
  await writeAtomic(chartPath, timelineSvg(result));

  const run = await initRun({
    ...tracking,
    jobType: "video",
    config: {
      video: file,
      subtitles: sentiment.subtitles ?? null,
      model: typeof modelOption === "string" ? modelOption : model.name,
      model_type: model.type,
      faces: sentiment.faces ?? false,
      face_fps: sentiment.faceFps ?? null,
      max_frames: sentiment.maxFrames ?? null,
    },
  });
  let logged: LoggedVideo;
  try {
    logged = await logVideo(run, file, { result });
  } catch (e) {
    await finishRun(run, { exitCode: 1 });
    throw e;
  }
  if (finish) await finishRun(run, { exitCode: 0 });
  return { result, chartPath, run, logged };
}
