/**
 * logVideo: a video and its sentiment timeline into a tracked run.
 * @module
 */

import {
  logArtifact,
  logMetrics,
  logTable,
  logVideoArtifact,
  type Run,
  setSummary,
  type UsedArtifact,
} from "../tracking/mod.ts";
import { basename, extname, join } from "node:path";
import { contactSheet } from "./contact_sheet.ts";
import { probeVideo } from "./probe_video.ts";
import { timelineSvg } from "./timeline_svg.ts";
import type { VideoMetadata, VideoSentimentResult } from "./types.ts";

/** Options for {@linkcode logVideo}. */
export interface LogVideoOptions {
  /** Artifact name (default: the file's base name, made valid). */
  name?: string;
  /** Extra metadata, merged over the probed metadata. */
  metadata?: Record<string, unknown>;
  /** Description of the artifact. */
  description?: string;
  /** Custom aliases. */
  aliases?: string[];
  /** Record the video as an input of the run (default true) or as an output (false). */
  use?: boolean;
  /** Include a contact sheet (`contact_sheet.png`) in the artifact (default true). */
  contactSheet?: boolean;
  /**
   * A `videoSentiment` result of this video: logs its timeline as the table `video_timeline` (and the
   * face samples as `video_faces`), its chart as a `chart` artifact (`timeline.svg`), and the overall
   * scores as metrics (`text_valence`, `text_positive`, ..., `face_valence`) and summary labels.
   */
  result?: VideoSentimentResult;
  /** The probe result when already known (saves a probe). */
  probe?: VideoMetadata;
}

/** What {@linkcode logVideo} logged. */
export interface LoggedVideo {
  /** The probed metadata. */
  metadata: VideoMetadata;
  /** The video artifact metadata as logged. */
  artifactMetadata: Record<string, unknown>;
  /** The video artifact version (null on the console/disabled backends or after a tracking failure). */
  video: UsedArtifact | null;
  /** The chart artifact version, when a result was given and the backend stores artifacts. */
  chart: UsedArtifact | null;
  /** Metrics logged (empty without a result). */
  metrics: Record<string, number>;
}

/** A valid artifact name from a file name: no `/`, `:` or `..`, 1..128 characters. */
function artifactName(path: string): string {
  const base = basename(path, extname(path)).replace(/[\/:\\]/g, "-").replace(/\.{2,}/g, ".")
    .replace(/\s+/g, "_").slice(0, 128);
  return base.length > 0 && base !== "." ? base : "video";
}

/** The probe fields a video artifact carries. */
function probeMetadata(m: VideoMetadata): Record<string, unknown> {
  return {
    duration: m.duration,
    resolution: `${m.width}x${m.height}`,
    width: m.width,
    height: m.height,
    format: m.container,
    formatName: m.formatName,
    fps: m.fps,
    frameRate: m.frameRate,
    codecs: m.codecs,
    bitRate: m.bitRate,
    size: m.size,
    audio: m.audio
      ? { codec: m.audio.codec, sampleRate: m.audio.sampleRate, channels: m.audio.channels }
      : null,
    subtitles: m.subtitles.map((s) => ({ index: s.index, codec: s.codec, language: s.language })),
    probedWith: m.source,
    ...(m.verify ? { verify: { ok: m.verify.ok, errors: m.verify.errors.slice(0, 10) } } : {}),
  };
}

/**
 * Logs a video into a run: probes it, and logs the file (plus a contact sheet) through tracking's
 * `logVideoArtifact` with the probe's duration, resolution, format, codecs and fps as metadata. Given a
 * `videoSentiment` result, also logs the timeline as a table, the SVG chart as a file artifact and the
 * overall scores as metrics. Tracking failures follow the run's policy (a warning, or a throw with
 * `strict: true`); a video that cannot be probed throws before anything is logged.
 *
 * @param run The run from `initRun`.
 * @param path The video file.
 * @param options Name, extra metadata, input/output, contact sheet, sentiment result.
 * @returns What was logged.
 * @throws {VideoError} When the video cannot be probed or the contact sheet cannot be made.
 *
 * @example
 * ```ts
 * import { logVideo, videoSentiment } from "./mod.ts";
 * import { finishRun, initRun } from "../tracking/mod.ts";
 * import { loadModel } from "../models/mod.ts";
 * const run = await initRun({ project: "video" });
 * const result = await videoSentiment("clip.mp4", await loadModel("lexicon"));
 * const logged = await logVideo(run, "clip.mp4", { result });
 * console.log(logged.video?.ref, logged.metrics);
 * await finishRun(run);
 * ```
 */
export async function logVideo(run: Run, path: string, options: LogVideoOptions = {}): Promise<LoggedVideo> {
  const metadata = options.probe ?? options.result?.metadata ?? await probeVideo(path);
  const name = options.name ?? artifactName(path);
  const artifactMetadata = { ...probeMetadata(metadata), ...(options.metadata ?? {}) };
  const tmp = await Deno.makeTempDir({ prefix: "sentilab-video-" });
  try {
    // Files are added under their base names: the video, and `contact_sheet.png`.
    const files = [path];
    if (options.contactSheet !== false) {
      files.push((await contactSheet(path, join(tmp, "contact_sheet.png"), { metadata })).path);
    }
    const result = options.result;
    let chart: UsedArtifact | null = null;
    const metrics: Record<string, number> = {};
    // Everything that can fail for a reason of the video is done above; logging starts here.
    const video = await logVideoArtifact(run, files, {
      name,
      metadata: artifactMetadata,
      description: options.description ?? `Video ${basename(path)}`,
      aliases: options.aliases,
      use: options.use ?? true,
    });
    if (result) {
      const t = result.text;
      await logTable(run, "video_timeline", {
        columns: [
          "index",
          "start",
          "end",
          "text",
          "label",
          "confidence",
          "negative",
          "neutral",
          "positive",
          "valence",
        ],
        rows: t.timeline.map((e) => [
          e.index,
          e.start,
          e.end,
          e.text,
          e.label,
          e.confidence,
          e.scores.negative,
          e.scores.neutral,
          e.scores.positive,
          e.valence,
        ]),
      });
      metrics.video_duration = metadata.duration;
      metrics.text_cues = t.timeline.length;
      if (t.overall) {
        metrics.text_valence = t.overall.valence;
        metrics.text_negative = t.overall.scores.negative;
        metrics.text_neutral = t.overall.scores.neutral;
        metrics.text_positive = t.overall.scores.positive;
        metrics.text_coverage = t.overall.coverage;
      }
      const f = result.faces;
      if (f) {
        await logTable(run, "video_faces", {
          columns: [
            "time",
            "faces",
            "valence",
            "neutral",
            "happy",
            "sad",
            "angry",
            "fearful",
            "disgusted",
            "surprised",
          ],
          rows: f.samples.map((s) => [
            s.time,
            s.faces,
            s.valence,
            s.expressions?.neutral ?? null,
            s.expressions?.happy ?? null,
            s.expressions?.sad ?? null,
            s.expressions?.angry ?? null,
            s.expressions?.fearful ?? null,
            s.expressions?.disgusted ?? null,
            s.expressions?.surprised ?? null,
          ]),
        });
        metrics.face_frames = f.framesAnalyzed;
        metrics.face_frames_with_faces = f.framesWithFaces;
        if (f.valence !== null) metrics.face_valence = f.valence;
      }
      await logMetrics(run, metrics);
      await setSummary(run, {
        text_label: t.overall?.label ?? null,
        text_found: t.found,
        text_source: t.source,
        face_label: f?.label ?? null,
        faces_found: f ? f.found : null,
      });
      const svgFile = join(tmp, "timeline.svg");
      await Deno.writeTextFile(svgFile, timelineSvg(result));
      chart = await logArtifact(run, {
        name: `${name}-timeline`.slice(0, 128),
        type: "chart",
        description: `Sentiment timeline of ${basename(path)}`,
        metadata: { video: basename(path), model: t.model, cues: t.timeline.length, faces: f?.found ?? null },
        files: [{ path: svgFile, name: "timeline.svg" }],
      });
    }
    return { metadata, artifactMetadata, video, chart, metrics };
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}
