/**
 * Video as a first-class input: metadata (ffprobe/ffmpeg), subtitle cues, a sentiment timeline from the
 * text track and the faces, thumbnails, contact sheets and an SVG chart, and tracking glue.
 * @module
 */

export * from "./errors.ts";
export * from "./types.ts";
export * from "./probe_video.ts";
export * from "./ffmpeg_path.ts";
export * from "./parse_subtitles.ts";
export * from "./extract_cues.ts";
export * from "./analyze_faces.ts";
export * from "./video_sentiment.ts";
export * from "./thumbnails.ts";
export * from "./contact_sheet.ts";
export * from "./detect_scenes.ts";
export * from "./timeline_svg.ts";
export * from "./log_video.ts";
export * from "./analyze_video.ts";
export type {
  ArtifactManifest,
  ArtifactVersion,
  BackendKind,
  ManifestEntry,
  Run,
  UsedArtifact,
} from "../tracking/mod.ts";
export { type Label, LABELS, type Model, type Scores } from "../models/types.ts";
