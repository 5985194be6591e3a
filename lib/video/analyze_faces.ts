/**
 * analyzeFaces: the face-expression signal of a video.
 * @module
 */

import { loadFaceApi } from "./_face_api.ts";
import { readFrames } from "./_frames.ts";
import { valenceLabel } from "./_valence.ts";
import { probeVideo } from "./probe_video.ts";
import type { Expressions, FaceSample, FaceTrackResult, VideoMetadata } from "./types.ts";

/**
 * Valence of each face-api expression class, in -1..1. A coarse prior after the valence axis of
 * Russell's circumplex model of affect: happy is clearly pleasant (+1), neutral is 0, surprise is
 * ambiguous and only slightly positive (+0.2); sad, fearful, angry and disgusted are unpleasant. A face's
 * valence is the probability-weighted sum of these; a frame's is the detection-score-weighted mean over its
 * faces.
 *
 * @example
 * ```ts
 * import { EXPRESSION_VALENCE } from "./mod.ts";
 * // The valence of one face from face-api's expression probabilities.
 * const probs = { happy: 0.7, surprised: 0.1, neutral: 0.2, sad: 0, fearful: 0, angry: 0, disgusted: 0 };
 * const valence = Object.entries(probs)
 *   .reduce((v, [k, p]) => v + p * EXPRESSION_VALENCE[k as keyof typeof probs], 0);
 * console.log(valence.toFixed(2)); // "0.72"
 * ```
 */
export const EXPRESSION_VALENCE: Readonly<Expressions> = Object.freeze({
  happy: 1,
  surprised: 0.2,
  neutral: 0,
  sad: -0.8,
  fearful: -0.7,
  angry: -0.8,
  disgusted: -0.9,
});

/**
 * The highest sampling rate allowed (frames per second of video): detection costs ~0.4-1 s a frame.
 * A higher `fps` given to {@linkcode analyzeFaces} is lowered to this.
 *
 * @example
 * ```ts
 * import { MAX_FACE_FPS } from "./mod.ts";
 * const wanted = 12;
 * const fps = Math.min(wanted, MAX_FACE_FPS); // what analyzeFaces will sample: 5
 * console.log(fps);
 * ```
 */
export const MAX_FACE_FPS = 5;

/** Options for {@linkcode analyzeFaces}. */
export interface AnalyzeFacesOptions {
  /** Frames sampled per second of video (default 1, capped at {@linkcode MAX_FACE_FPS}). */
  fps?: number;
  /** Most frames analysed (default 30); the rate is lowered to spread them over the whole video. */
  maxFrames?: number;
  /**
   * Detector input size, a multiple of 32 (default 224: about 0.4-1 s a frame, no false positives on
   * generated test patterns; 320 or 416 find smaller faces, slower).
   */
  inputSize?: number;
  /** Minimum detection score of a face (default 0.5). */
  scoreThreshold?: number;
  /** Frames wider than this are scaled down before detection (default 640). */
  maxWidth?: number;
  /** The video's metadata when already probed. */
  metadata?: VideoMetadata;
  /** Called after each frame with (done, total). */
  onProgress?: (done: number, total: number) => void;
}

const CLASSES = Object.keys(EXPRESSION_VALENCE) as Array<keyof Expressions>;

/**
 * Runs face-api's tiny face detector and 7-class expression model (weights from the npm package, on disk;
 * CPU backend, no network) over frames sampled from the video, and maps expressions to valence with
 * {@linkcode EXPRESSION_VALENCE}. A video without faces gives `found: false` with the number of frames
 * analysed; it is not an error.
 *
 * @param path The video file.
 * @param options Sampling rate, frame cap, detector settings.
 * @returns The face track.
 * @throws {VideoError} When the video cannot be read or decoded.
 * @throws {RangeError} When an option is out of range.
 *
 * @example
 * ```ts
 * import { analyzeFaces } from "./mod.ts";
 * const faces = await analyzeFaces("clip.mp4", { fps: 1, maxFrames: 10 });
 * console.log(faces.found ? `valence ${faces.valence}` : `no face in ${faces.framesAnalyzed} frames`);
 * ```
 */
export async function analyzeFaces(
  path: string,
  options: AnalyzeFacesOptions = {},
): Promise<FaceTrackResult> {
  const fps = options.fps ?? 1;
  const maxFrames = options.maxFrames ?? 30;
  const inputSize = options.inputSize ?? 224;
  const scoreThreshold = options.scoreThreshold ?? 0.5;
  const maxWidth = options.maxWidth ?? 640;
  if (!(fps > 0) || !Number.isFinite(fps)) {
    throw new RangeError(`Cannot analyse faces: fps must be > 0, got ${fps}`);
  }
  if (!Number.isInteger(maxFrames) || maxFrames < 1) {
    throw new RangeError(`Cannot analyse faces: maxFrames must be an integer >= 1, got ${maxFrames}`);
  }
  if (!Number.isInteger(inputSize) || inputSize < 32 || inputSize % 32 !== 0) {
    throw new RangeError(`Cannot analyse faces: inputSize must be a multiple of 32, got ${inputSize}`);
  }
  if (!(scoreThreshold > 0 && scoreThreshold < 1)) {
    throw new RangeError(`Cannot analyse faces: scoreThreshold must be in (0, 1), got ${scoreThreshold}`);
  }
  const meta = options.metadata ?? await probeVideo(path);
  const duration = Math.max(meta.duration, 1 / Math.max(meta.fps, 1));
  let rate = Math.min(fps, MAX_FACE_FPS);
  if (rate * duration > maxFrames) rate = maxFrames / duration;
  const total = Math.max(1, Math.min(maxFrames, Math.ceil(rate * duration)));
  const width = even(Math.min(maxWidth, meta.width));
  const height = even(meta.height * width / meta.width);

  const faceapi = await loadFaceApi();
  const detectorOptions = new faceapi.TinyFaceDetectorOptions({ inputSize, scoreThreshold });
  const samples: FaceSample[] = [];
  const t0 = performance.now();
  const still = meta.duration * meta.fps <= 1.5;
  for await (const frame of readFrames(path, still ? 0 : rate, width, height, total)) {
    const tensor = faceapi.tf.tensor3d(frame.data, [frame.height, frame.width, 3], "int32");
    let faces;
    try {
      faces = await faceapi.detectAllFaces(tensor, detectorOptions).withFaceExpressions();
    } finally {
      tensor.dispose();
    }
    samples.push(summarise(frame.time, faces));
    options.onProgress?.(samples.length, total);
  }
  const seconds = (performance.now() - t0) / 1000;
  const withFaces = samples.filter((s) => s.faces > 0);
  const valence = withFaces.length > 0 ? mean(withFaces.map((s) => s.valence!)) : null;
  return {
    found: withFaces.length > 0,
    framesAnalyzed: samples.length,
    framesWithFaces: withFaces.length,
    sampleFps: round(rate, 4),
    inputSize,
    samples,
    valence: valence === null ? null : round(valence, 4),
    label: valence === null ? null : valenceLabel(valence),
    expressions: withFaces.length > 0 ? meanExpressions(withFaces.map((s) => s.expressions!)) : null,
    seconds: round(seconds, 3),
  };
}

function summarise(
  time: number,
  faces: Array<{ detection: { score: number }; expressions: Record<string, number> }>,
): FaceSample {
  if (faces.length === 0) return { time: round(time, 3), faces: 0, valence: null, expressions: null };
  let wsum = 0;
  let vsum = 0;
  const ex = Object.fromEntries(CLASSES.map((c) => [c, 0])) as Expressions;
  for (const f of faces) {
    const w = f.detection.score;
    let v = 0;
    for (const c of CLASSES) {
      const p = f.expressions[c] ?? 0;
      v += p * EXPRESSION_VALENCE[c];
      ex[c] += w * p;
    }
    vsum += w * v;
    wsum += w;
  }
  for (const c of CLASSES) ex[c] = round(ex[c] / wsum, 4);
  return { time: round(time, 3), faces: faces.length, valence: round(vsum / wsum, 4), expressions: ex };
}

function meanExpressions(list: Expressions[]): Expressions {
  const out = Object.fromEntries(CLASSES.map((c) => [c, 0])) as Expressions;
  for (const e of list) for (const c of CLASSES) out[c] += e[c] / list.length;
  for (const c of CLASSES) out[c] = round(out[c], 4);
  return out;
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function even(n: number): number {
  return Math.max(2, Math.round(n / 2) * 2);
}

function round(n: number, d: number): number {
  const f = 10 ** d;
  return Math.round(n * f) / f;
}
