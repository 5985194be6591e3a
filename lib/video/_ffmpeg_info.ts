/**
 * Private: parsing the stderr of `ffmpeg -i FILE` (the fallback when ffprobe is unavailable).
 * The layout is ffmpeg 4.x's; it is not a stable interface, so only well-known fields are read.
 * @module
 */

import { numberToRational } from "./_rational.ts";
import type { AudioStreamInfo, SubtitleStreamInfo, VideoStreamInfo } from "./types.ts";

/** What could be read from `ffmpeg -i` text. */
export interface FfmpegInfo {
  formatName: string;
  duration: number | null;
  bitRate: number | null;
  video: VideoStreamInfo[];
  audio: AudioStreamInfo[];
  subtitles: SubtitleStreamInfo[];
}

/** Parses `ffmpeg -hide_banner -i FILE` stderr; null when there is no `Input #0` section. */
export function parseFfmpegInfo(stderr: string): FfmpegInfo | null {
  const input = /^Input #0, (.+?), from '/m.exec(stderr);
  if (!input) return null;
  const info: FfmpegInfo = {
    formatName: input[1],
    duration: null,
    bitRate: null,
    video: [],
    audio: [],
    subtitles: [],
  };
  const dur = /Duration: (\d+):(\d+):(\d+(?:\.\d+)?)/.exec(stderr);
  if (dur) info.duration = Number(dur[1]) * 3600 + Number(dur[2]) * 60 + Number(dur[3]);
  const br = /Duration: .*?bitrate: (\d+) kb\/s/.exec(stderr);
  if (br) info.bitRate = Number(br[1]) * 1000;
  const streamRe = /^\s*Stream #0:(\d+)(?:\[0x[0-9a-f]+\])?(?:\((\w+)\))?: (Video|Audio|Subtitle): (.*)$/gm;
  for (const m of stderr.matchAll(streamRe)) {
    const index = Number(m[1]);
    const lang = m[2] && m[2] !== "und" ? m[2] : null;
    const body = m[4];
    const parts = splitTop(body);
    const codecPart = parts[0] ?? "";
    const codec = codecPart.split(/\s+/)[0] ?? "unknown";
    const profile = /^\S+ \(([^)]+)\)/.exec(codecPart)?.[1] ?? null;
    const kbs = /(\d+) kb\/s/.exec(body);
    const bitRate = kbs ? Number(kbs[1]) * 1000 : null;
    if (m[3] === "Video") {
      const size = /(?:^|[\s,])(\d{2,5})x(\d{2,5})(?:[\s,[]|$)/.exec(body);
      const fpsM = /([\d.]+)(k?) fps/.exec(body) ?? /([\d.]+)(k?) tbr/.exec(body);
      const fps = fpsM ? Number(fpsM[1]) * (fpsM[2] === "k" ? 1000 : 1) : 0;
      info.video.push({
        index,
        codec,
        profile,
        width: size ? Number(size[1]) : 0,
        height: size ? Number(size[2]) : 0,
        frameRate: fps > 0 ? numberToRational(fps) : "0/0",
        fps,
        pixelFormat: parts[1]?.split(/[\s(]/)[0] ?? null,
        bitRate,
      });
    } else if (m[3] === "Audio") {
      const hz = /(\d+) Hz/.exec(body);
      const layout = parts[2]?.trim() ?? null;
      info.audio.push({
        index,
        codec,
        sampleRate: hz ? Number(hz[1]) : 0,
        channels: channelsOf(layout),
        channelLayout: layout,
        bitRate,
      });
    } else {
      info.subtitles.push({ index, codec, language: lang, title: null });
    }
  }
  return info;
}

/** Splits on commas that are not inside parentheses or brackets. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "(" || ch === "[") depth++;
    if (ch === ")" || ch === "]") depth--;
    if (ch === "," && depth === 0) {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

function channelsOf(layout: string | null): number {
  if (!layout) return 0;
  const known: Record<string, number> = {
    mono: 1,
    stereo: 2,
    "2.1": 3,
    quad: 4,
    "5.0": 5,
    "5.1": 6,
    "7.1": 8,
  };
  const base = layout.replace(/\(.*\)$/, "");
  if (base in known) return known[base];
  const n = /(\d+) channels/.exec(layout);
  return n ? Number(n[1]) : 0;
}
