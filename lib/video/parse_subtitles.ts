/**
 * parseSubtitles: SRT and WebVTT text to cues.
 * @module
 */

import { stripMarkup } from "./_markup.ts";
import type { Cue } from "./types.ts";

/** Options for {@linkcode parseSubtitles}. */
export interface ParseSubtitlesOptions {
  /** "srt", "vtt" or "auto" (WEBVTT header → vtt, else srt; both timing styles are accepted). Default "auto". */
  format?: "auto" | "srt" | "vtt";
  /** Name of the source, used in error messages (default "subtitles"). */
  source?: string;
  /** Keep markup instead of stripping it (default false). */
  keepMarkup?: boolean;
}

const TIME = String.raw`(?:(\d+):)?(\d{1,2}):(\d{1,2})[,.](\d{1,3})`;
const TIMING = new RegExp(String.raw`^\s*${TIME}\s*-->\s*${TIME}(?:\s+.*)?$`);

function seconds(h: string | undefined, m: string, s: string, ms: string): number {
  return Number(h ?? 0) * 3600 + Number(m) * 60 + Number(s) + Number(ms.padEnd(3, "0")) / 1000;
}

/**
 * Parses SRT or WebVTT text into cues. Robust to a BOM, CRLF or CR line ends, cue numbers and
 * identifiers, WebVTT cue settings (`align:start position:10%`), NOTE/STYLE/REGION blocks, hours-less
 * timestamps, `,` or `.` before milliseconds, multi-line cues and missing blank lines before a timing
 * line. Markup is stripped; cues left empty, or ending before they start, are dropped. Cues are sorted by
 * start time.
 *
 * @param text The file content.
 * @param options Format, source name for errors, markup handling.
 * @returns The cues.
 * @throws {SyntaxError} When the text is not empty but holds no timing line at all (names the source and
 *   the first line).
 *
 * @example
 * ```ts
 * import { parseSubtitles } from "./mod.ts";
 * const cues = parseSubtitles("1\n00:00:01,000 --> 00:00:02,500\n<i>Hello</i> there\n");
 * console.log(cues); // [{ start: 1, end: 2.5, text: "Hello there" }]
 * ```
 */
export function parseSubtitles(text: string, options: ParseSubtitlesOptions = {}): Cue[] {
  const source = options.source ?? "subtitles";
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
  const format = options.format ?? "auto";
  const isVtt = format === "vtt" || (format === "auto" && /^WEBVTT/.test(lines[0] ?? ""));
  if (format === "vtt" && !/^WEBVTT/.test(lines[0] ?? "")) {
    throw new SyntaxError(`Cannot parse '${source}': line 1: a WebVTT file must start with 'WEBVTT'`);
  }
  const cues: Cue[] = [];
  let timings = 0;
  let i = isVtt ? 1 : 0;
  // Skip the VTT header block.
  if (isVtt) { while (i < lines.length && lines[i].trim() !== "") i++; }
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === "") {
      i++;
      continue;
    }
    if (isVtt && /^(NOTE|STYLE|REGION)(\s|$)/.test(line)) {
      while (i < lines.length && lines[i].trim() !== "") i++;
      continue;
    }
    let m = TIMING.exec(line);
    if (!m && i + 1 < lines.length) {
      // A cue number or identifier line before the timing line.
      const next = TIMING.exec(lines[i + 1]);
      if (next) {
        i++;
        m = next;
      }
    }
    if (!m) {
      // Not a cue: skip this block.
      while (i < lines.length && lines[i].trim() !== "") i++;
      continue;
    }
    timings++;
    const start = seconds(m[1], m[2], m[3], m[4]);
    const end = seconds(m[5], m[6], m[7], m[8]);
    i++;
    const body: string[] = [];
    while (i < lines.length && lines[i].trim() !== "" && !TIMING.exec(lines[i])) {
      // An SRT cue number directly followed by a timing line starts a new cue even without a blank line.
      if (!isVtt && /^\d+$/.test(lines[i].trim()) && i + 1 < lines.length && TIMING.exec(lines[i + 1])) break;
      body.push(lines[i]);
      i++;
    }
    const raw = body.join("\n");
    const cueText = options.keepMarkup ? raw.trim() : stripMarkup(raw);
    if (cueText.length === 0 || end < start) continue;
    cues.push({ start, end, text: cueText });
  }
  const nonEmpty = lines.findIndex((l) => l.trim() !== "");
  if (timings === 0 && nonEmpty >= 0 && !(isVtt && lines.slice(1).every((l) => !l.includes("-->")))) {
    throw new SyntaxError(
      `Cannot parse '${source}': no cue timing line found (line ${nonEmpty + 1}: '${
        lines[nonEmpty].slice(0, 60)
      }'); expected e.g. '00:00:01,000 --> 00:00:02,000'`,
    );
  }
  return cues.sort((a, b) => a.start - b.start || a.end - b.end);
}
