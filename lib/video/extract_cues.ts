/**
 * extractCues: the subtitle cues of a video, embedded or sidecar.
 * @module
 */

import { basename, dirname, extname, join } from "node:path";
import { fileArg, runFfmpeg, toolCause } from "./_tools.ts";
import { VideoError } from "./errors.ts";
import { parseSubtitles } from "./parse_subtitles.ts";
import { probeVideo } from "./probe_video.ts";
import type { CueTrack, SubtitleStreamInfo, VideoMetadata } from "./types.ts";

/** Options for {@linkcode extractCues}. */
export interface ExtractCuesOptions {
  /** A sidecar .srt or .vtt file to use instead of the video's own subtitles. */
  subtitles?: string;
  /** Preferred language of an embedded stream (e.g. "eng"); default: the first text stream. */
  language?: string;
  /** The video's metadata when already probed (saves a probe). */
  metadata?: VideoMetadata;
}

const BITMAP_CODECS = new Set(["dvd_subtitle", "dvb_subtitle", "hdmv_pgs_subtitle", "xsub", "dvb_teletext"]);

/**
 * Extracts the subtitle cues of a video. In order: the `subtitles` file when given; else an embedded
 * text subtitle stream (probed first, converted to WebVTT by ffmpeg); else a sidecar beside the video with
 * the same base name (`clip.srt`, `clip.vtt`, `clip.en.srt`, ...). Markup is stripped.
 * A video with none of these gives `{ source: "none", cues: [], reason }`: no text is invented.
 *
 * @param path The video file.
 * @param options Sidecar file, preferred language, known metadata.
 * @returns The track: where the cues came from and the cues.
 * @throws {VideoError} When the video cannot be read, the given sidecar is missing or unreadable, or
 *   ffmpeg cannot convert the embedded stream.
 *
 * @example
 * ```ts
 * import { extractCues } from "./mod.ts";
 * const track = await extractCues("clip.mp4");
 * for (const cue of track.cues) console.log(cue.start, cue.end, cue.text);
 * ```
 */
export async function extractCues(path: string, options: ExtractCuesOptions = {}): Promise<CueTrack> {
  if (options.subtitles !== undefined) {
    // Validate the video too, so that a bad video fails the same way with or without a sidecar.
    if (!options.metadata) await probeVideo(path);
    return await readSidecar(options.subtitles);
  }
  const meta = options.metadata ?? await probeVideo(path);
  const text = meta.subtitles.filter((s) => !BITMAP_CODECS.has(s.codec));
  const stream = pickStream(text, options.language);
  if (stream) return await readEmbedded(path, stream);
  const sidecar = await findSidecar(path);
  if (sidecar) return await readSidecar(sidecar);
  const bitmap = meta.subtitles.length > text.length
    ? ` (its ${meta.subtitles.length - text.length} image-based subtitle stream(s) hold no text)`
    : "";
  return {
    source: "none",
    file: null,
    streamIndex: null,
    language: null,
    cues: [],
    reason: `no text subtitle stream in '${path}'${bitmap} and no sidecar .srt/.vtt beside it`,
  };
}

function pickStream(streams: SubtitleStreamInfo[], language?: string): SubtitleStreamInfo | undefined {
  if (language) {
    const want = language.toLowerCase();
    const hit = streams.find((s) => s.language?.toLowerCase() === want) ??
      streams.find((s) => s.language?.toLowerCase().startsWith(want.slice(0, 2)));
    if (hit) return hit;
  }
  return streams[0];
}

async function readEmbedded(path: string, stream: SubtitleStreamInfo): Promise<CueTrack> {
  const out = await runFfmpeg(
    ["-v", "error", "-i", fileArg(path), "-map", `0:${stream.index}`, "-c:s", "webvtt", "-f", "webvtt", "-"],
    path,
  );
  if (out.code !== 0) {
    const cause = toolCause(out.stderr, path);
    throw new VideoError(
      path,
      cause,
      `Cannot extract subtitle stream #${stream.index} (${stream.codec}) of '${path}': ${cause} (ffmpeg)`,
    );
  }
  const cues = parseSubtitles(new TextDecoder().decode(out.stdout), {
    format: "vtt",
    source: `${path}#${stream.index}`,
  });
  return { source: "embedded", file: path, streamIndex: stream.index, language: stream.language, cues };
}

async function readSidecar(file: string): Promise<CueTrack> {
  const ext = extname(file).toLowerCase();
  if (ext !== ".srt" && ext !== ".vtt") {
    throw new VideoError(
      file,
      `unsupported subtitle extension '${ext || "(none)"}'`,
      `Cannot read subtitles '${file}': only .srt and .vtt files are supported, got '${ext || "(none)"}'`,
    );
  }
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound ? "no such file" : (e as Error).message;
    throw new VideoError(file, why, `Cannot read subtitles '${file}': ${why}`);
  }
  try {
    const cues = parseSubtitles(text, { source: file });
    const lang = /\.([a-z]{2,3}(?:-[A-Za-z]+)?)\.(?:srt|vtt)$/i.exec(basename(file))?.[1] ?? null;
    return { source: "sidecar", file, streamIndex: null, language: lang, cues };
  } catch (e) {
    throw new VideoError(file, (e as Error).message, (e as Error).message);
  }
}

async function findSidecar(video: string): Promise<string | null> {
  const dir = dirname(video);
  const base = basename(video, extname(video));
  for (const ext of [".srt", ".vtt"]) {
    const exact = join(dir, base + ext);
    if (await isFile(exact)) return exact;
  }
  const found: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isFile) continue;
      const n = entry.name;
      if (n.startsWith(base + ".") && /\.[a-z]{2,3}(?:-[A-Za-z]+)?\.(?:srt|vtt)$/i.test(n)) found.push(n);
    }
  } catch {
    return null;
  }
  found.sort();
  return found.length > 0 ? join(dir, found[0]) : null;
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await Deno.stat(p)).isFile;
  } catch {
    return false;
  }
}
