/**
 * videoSentiment: a sentiment timeline of a video from its text track and, optionally, its faces.
 * @module
 */

import { type Label, LABELS, type Scores } from "../sentiment/mod.ts";
import type { Model } from "../models/types.ts";
import { predictBatch } from "../inference/predict_batch.ts";
import { round } from "./_valence.ts";
import { analyzeFaces } from "./analyze_faces.ts";
import { extractCues } from "./extract_cues.ts";
import { probeVideo } from "./probe_video.ts";
import type {
  Cue,
  FaceTrackResult,
  OverallSentiment,
  SeriesPoint,
  TextTrackResult,
  TimelineEntry,
  VideoSentimentResult,
} from "./types.ts";

/** Options for {@linkcode videoSentiment}. */
export interface VideoSentimentOptions {
  /** A sidecar .srt/.vtt to use instead of the video's own subtitles. */
  subtitles?: string;
  /** Preferred language of an embedded subtitle stream. */
  language?: string;
  /** Also analyse faces (default false: slow, ~0.4-1 s per frame). */
  faces?: boolean;
  /** Face frames sampled per second of video (default 1, capped at 5). */
  faceFps?: number;
  /** Most face frames analysed (default 30). */
  maxFrames?: number;
  /** Face detector input size (default 224). */
  faceInputSize?: number;
  /** Texts per `scoreBatch` call (default 256). */
  batchSize?: number;
  /** Called with progress of the face track (done, total). */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Scores a video's sentiment over time. The text track: every subtitle cue (embedded, or a sidecar) goes
 * through the text model, giving a timeline (start, end, text, label, confidence, scores, valence) and an
 * overall result weighted by cue duration. Optionally (`faces: true`) a separate face track from
 * {@linkcode analyzeFaces}. A per-second series holds both signals. A video without subtitles gives
 * `text.found === false` with the reason and an empty timeline; without faces `faces.found === false`:
 * nothing is invented.
 *
 * @param path The video file.
 * @param model A loaded text model (`loadModel(...)`, or any object implementing `Model`).
 * @param options Subtitle source, face track settings.
 * @returns Metadata, text track, face track (null unless requested) and the per-second series.
 * @throws {VideoError} When the video or the given subtitles cannot be read.
 * @throws {TypeError} When the model returns rows of the wrong shape.
 *
 * @example
 * ```ts
 * import { videoSentiment } from "./mod.ts";
 * import { loadModel } from "../models/mod.ts";
 * const model = await loadModel("lexicon");
 * const result = await videoSentiment("clip.mp4", model, { subtitles: "clip.srt" });
 * console.log(result.text.overall?.label, result.text.timeline.length);
 * ```
 */
export async function videoSentiment(
  path: string,
  model: Model,
  options: VideoSentimentOptions = {},
): Promise<VideoSentimentResult> {
  if (!model || typeof model.scoreBatch !== "function" || !Array.isArray(model.labels)) {
    throw new TypeError(`Cannot analyse '${path}': model must implement Model (labels, scoreBatch)`);
  }
  const batchSize = options.batchSize ?? 256;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`Cannot analyse '${path}': batchSize must be an integer >= 1, got ${batchSize}`);
  }
  const metadata = await probeVideo(path);
  const track = await extractCues(path, {
    subtitles: options.subtitles,
    language: options.language,
    metadata,
  });
  const timeline = await scoreCues(model, track.cues, batchSize);
  const text: TextTrackResult = {
    found: track.cues.length > 0,
    source: track.source,
    file: track.file,
    language: track.language,
    model: model.name,
    timeline,
    overall: overallOf(timeline, metadata.duration),
  };
  if (track.source === "none") text.reason = track.reason;
  else if (track.cues.length === 0) text.reason = `the subtitle track (${track.source}) has no cue with text`;

  let faces: FaceTrackResult | null = null;
  if (options.faces) {
    faces = await analyzeFaces(path, {
      fps: options.faceFps,
      maxFrames: options.maxFrames,
      inputSize: options.faceInputSize,
      metadata,
      onProgress: options.onProgress,
    });
  }
  return { metadata, text, faces, series: seriesOf(metadata.duration, timeline, faces) };
}

async function scoreCues(model: Model, cues: Cue[], batchSize: number): Promise<TimelineEntry[]> {
  // Score rows become predictions the one way lib/inference does it (validation, argmax, confidence).
  const texts = cues.map((c) => c.text.replace(/\n/g, " "));
  const predictions = await predictBatch(model, texts, { batchSize, workers: 1 });
  return predictions.map((p, i) => {
    const scores = { negative: 0, neutral: 0, positive: 0 } as Scores;
    for (const l of LABELS) scores[l] = round(p.scores[l], 6);
    return {
      index: i,
      start: cues[i].start,
      end: cues[i].end,
      text: cues[i].text,
      label: p.label,
      confidence: scores[p.label],
      scores,
      valence: round(scores.positive - scores.negative, 6),
    };
  });
}

function argmax(scores: Scores): Label {
  let best: Label = LABELS[0];
  for (const l of LABELS) if (scores[l] > scores[best]) best = l;
  return best;
}

function overallOf(timeline: TimelineEntry[], duration: number): OverallSentiment | null {
  if (timeline.length === 0) return null;
  const scores = { negative: 0, neutral: 0, positive: 0 } as Scores;
  let total = 0;
  for (const e of timeline) {
    const w = Math.max(e.end - e.start, 0.001);
    total += w;
    for (const l of LABELS) scores[l] += w * e.scores[l];
  }
  for (const l of LABELS) scores[l] = round(scores[l] / total, 6);
  const covered = coveredSeconds(timeline);
  return {
    label: argmax(scores),
    scores,
    valence: round(scores.positive - scores.negative, 6),
    coveredSeconds: round(covered, 3),
    coverage: duration > 0 ? round(Math.min(1, covered / duration), 4) : 0,
  };
}

/** Seconds covered by the union of the cue intervals. */
function coveredSeconds(cues: Cue[]): number {
  const sorted = [...cues].sort((a, b) => a.start - b.start);
  let total = 0;
  let curStart = -1;
  let curEnd = -1;
  for (const c of sorted) {
    if (c.start > curEnd) {
      total += curEnd - curStart;
      curStart = c.start;
      curEnd = c.end;
    } else curEnd = Math.max(curEnd, c.end);
  }
  return total + (curEnd - curStart);
}

function seriesOf(duration: number, timeline: TimelineEntry[], faces: FaceTrackResult | null): SeriesPoint[] {
  const n = Math.max(1, Math.ceil(duration - 1e-6));
  const series: SeriesPoint[] = [];
  for (let t = 0; t < n; t++) {
    let w = 0;
    let v = 0;
    for (const e of timeline) {
      const overlap = Math.min(e.end, t + 1) - Math.max(e.start, t);
      if (overlap > 0) {
        w += overlap;
        v += overlap * e.valence;
      }
    }
    const fv = faces?.samples.filter((s) => s.valence !== null && s.time >= t && s.time < t + 1)
      .map((s) => s.valence!) ?? [];
    series.push({
      t,
      text: w > 0 ? round(v / w, 4) : null,
      face: fv.length > 0 ? round(fv.reduce((a, b) => a + b, 0) / fv.length, 4) : null,
    });
  }
  return series;
}
