/**
 * Shared types of the video module.
 * @module
 */

import type { Label, Scores } from "../models/types.ts";

/** The primary video stream of a file. */
export interface VideoStreamInfo {
  /** Stream index in the container. */
  index: number;
  /** Codec short name, e.g. "h264", "vp8". */
  codec: string;
  /** Codec profile when known, e.g. "High". */
  profile: string | null;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Frame rate as an exact rational, e.g. "25/1", "30000/1001". */
  frameRate: string;
  /** Frame rate as a number, e.g. 29.97. */
  fps: number;
  /** Pixel format, e.g. "yuv420p". */
  pixelFormat: string | null;
  /** Stream bit rate in bit/s when known. */
  bitRate: number | null;
}

/** The primary audio stream of a file. */
export interface AudioStreamInfo {
  /** Stream index in the container. */
  index: number;
  /** Codec short name, e.g. "aac", "opus". */
  codec: string;
  /** Sample rate in Hz. */
  sampleRate: number;
  /** Number of channels. */
  channels: number;
  /** Channel layout, e.g. "mono", "stereo". */
  channelLayout: string | null;
  /** Stream bit rate in bit/s when known. */
  bitRate: number | null;
}

/** A subtitle stream of a file. */
export interface SubtitleStreamInfo {
  /** Stream index in the container. */
  index: number;
  /** Codec short name, e.g. "mov_text", "subrip", "webvtt". */
  codec: string;
  /** Language tag (e.g. "eng"), null when missing or "und". */
  language: string | null;
  /** Title tag when present. */
  title: string | null;
}

/** Result of decoding the whole file (`probeVideo(path, { verify: true })`). */
export interface VerifyResult {
  /** True when ffmpeg decoded every stream without an error. */
  ok: boolean;
  /** ffmpeg's error lines (empty when ok). */
  errors: string[];
}

/** What is in a video file. */
export interface VideoMetadata {
  /** The file as given. */
  path: string;
  /** File size in bytes. */
  size: number;
  /** Short container name: "mp4", "webm", "matroska", "avi", ... */
  container: string;
  /** The demuxer's format name, e.g. "mov,mp4,m4a,3gp,3g2,mj2". */
  formatName: string;
  /** Duration in seconds. */
  duration: number;
  /** Overall bit rate in bit/s when known. */
  bitRate: number | null;
  /** Width of the primary video stream. */
  width: number;
  /** Height of the primary video stream. */
  height: number;
  /** Frame rate of the primary video stream (number). */
  fps: number;
  /** Frame rate of the primary video stream (exact rational). */
  frameRate: string;
  /** The primary video stream. */
  video: VideoStreamInfo;
  /** The primary audio stream, null when the file has none. */
  audio: AudioStreamInfo | null;
  /** Every subtitle stream. */
  subtitles: SubtitleStreamInfo[];
  /** Codec names of the primary streams, e.g. `{ video: "h264", audio: "aac", subtitles: ["mov_text"] }`. */
  codecs: { video: string; audio: string | null; subtitles: string[] };
  /** Which tool produced this: ffprobe JSON, or parsed `ffmpeg -i` text (fallback). */
  source: "ffprobe" | "ffmpeg";
  /** Full decode result, present only with `verify: true`. */
  verify?: VerifyResult;
}

/** One subtitle cue. Times in seconds. */
export interface Cue {
  /** Start time in seconds. */
  start: number;
  /** End time in seconds. */
  end: number;
  /** Text with markup stripped; lines joined by "\n". */
  text: string;
}

/** The subtitle track a video's cues came from. */
export interface CueTrack {
  /** "embedded" (a stream in the file), "sidecar" (a .srt/.vtt file), or "none". */
  source: "embedded" | "sidecar" | "none";
  /** The sidecar file, or the video for embedded cues; null when none. */
  file: string | null;
  /** Stream index of an embedded track. */
  streamIndex: number | null;
  /** Language of the track when known. */
  language: string | null;
  /** The cues, sorted by start time. */
  cues: Cue[];
  /** Why there is no track (when source is "none"). */
  reason?: string;
}

/** One cue scored by the text model. */
export interface TimelineEntry extends Cue {
  /** Cue index (0-based). */
  index: number;
  /** The label with the highest score. */
  label: Label;
  /** The score of that label (0..1). */
  confidence: number;
  /** Score of every label (normalised to sum 1). */
  scores: Scores;
  /** positive - negative, in -1..1. */
  valence: number;
}

/** The overall text sentiment of a video. */
export interface OverallSentiment {
  /** The label with the highest weighted score. */
  label: Label;
  /** Cue-duration-weighted mean scores. */
  scores: Scores;
  /** positive - negative of the weighted scores, in -1..1. */
  valence: number;
  /** Seconds covered by cues. */
  coveredSeconds: number;
  /** coveredSeconds / duration. */
  coverage: number;
}

/** The text signal of a video. */
export interface TextTrackResult {
  /** False when the video has no subtitles: timeline empty, overall null. */
  found: boolean;
  /** Where the cues came from. */
  source: CueTrack["source"];
  /** The sidecar file, or the video for an embedded track; null when none. */
  file: string | null;
  /** Language of the track when known. */
  language: string | null;
  /** Why there is no text track. */
  reason?: string;
  /** Name of the text model. */
  model: string;
  /** One entry per cue, in time order. */
  timeline: TimelineEntry[];
  /** Overall sentiment weighted by cue duration; null without cues. */
  overall: OverallSentiment | null;
}

/** Probabilities of face-api's 7 expression classes. */
export type Expressions = Record<
  "neutral" | "happy" | "sad" | "angry" | "fearful" | "disgusted" | "surprised",
  number
>;

/** One analysed frame. */
export interface FaceSample {
  /** Frame time in seconds. */
  time: number;
  /** Faces found. */
  faces: number;
  /** Detection-score-weighted mean valence of the faces (-1..1), null when no face. */
  valence: number | null;
  /** Mean expressions of the faces, null when no face. */
  expressions: Expressions | null;
}

/** The face signal of a video. */
export interface FaceTrackResult {
  /** True when at least one face was found in one frame. */
  found: boolean;
  /** Frames decoded and run through the detector. */
  framesAnalyzed: number;
  /** Frames with at least one face. */
  framesWithFaces: number;
  /** Sampling rate actually used (frames per second of video). */
  sampleFps: number;
  /** Detector input size. */
  inputSize: number;
  /** One entry per analysed frame, in time order. */
  samples: FaceSample[];
  /** Mean valence over frames with faces; null when none. */
  valence: number | null;
  /** Label of that valence (threshold ±0.2); null when none. */
  label: Label | null;
  /** Mean expressions over frames with faces; null when none. */
  expressions: Expressions | null;
  /** Seconds spent in detection. */
  seconds: number;
}

/** One second of the per-second series. */
export interface SeriesPoint {
  /** Start of the second. */
  t: number;
  /** Overlap-weighted text valence in [t, t+1), null when no cue. */
  text: number | null;
  /** Mean face valence of samples in [t, t+1), null when none (or faces not analysed). */
  face: number | null;
}

/** Everything `videoSentiment` found. */
export interface VideoSentimentResult {
  /** What is in the file. */
  metadata: VideoMetadata;
  /** The text signal (subtitles through the text model). */
  text: TextTrackResult;
  /** Null when faces were not requested. */
  faces: FaceTrackResult | null;
  /** One point per second of video. */
  series: SeriesPoint[];
}
