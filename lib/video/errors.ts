/**
 * The error type of the video module.
 * @module
 */

/**
 * An error about one video or subtitle file: names the file and the cause (for ffprobe/ffmpeg
 * failures, the tool's own message).
 *
 * @example
 * ```ts
 * import { probeVideo, VideoError } from "./mod.ts";
 * try {
 *   await probeVideo("missing.mp4");
 * } catch (e) {
 *   if (e instanceof VideoError) console.error(e.path, e.reason);
 * }
 * ```
 */
export class VideoError extends Error {
  /** The file the error is about. */
  readonly path: string;
  /** The cause, e.g. ffprobe's own message ("moov atom not found"). */
  readonly reason: string;

  /**
   * Makes the error.
   *
   * @param path The file the error is about.
   * @param reason The cause (tool message or what was wrong).
   * @param message The full message (default: `Cannot read video '<path>': <reason>`).
   */
  constructor(path: string, reason: string, message?: string) {
    super(message ?? `Cannot read video '${path}': ${reason}`);
    this.name = "VideoError";
    this.path = path;
    this.reason = reason;
  }
}
