/**
 * timelineSvg: an SVG chart of a video's sentiment timeline.
 * @module
 */

import { basename } from "node:path";
import type { Label } from "../models/types.ts";
import type { VideoSentimentResult } from "./types.ts";

/** Options for {@linkcode timelineSvg}. */
export interface TimelineSvgOptions {
  /** Width in pixels (default 900). */
  width?: number;
  /** Title (default: the video's file name). */
  title?: string;
}

const COLORS: Record<Label, string> = { negative: "#d62728", neutral: "#8c8c8c", positive: "#2ca02c" };
const FACE_COLOR = "#1f77b4";

/** Escapes text for SVG/XML content and attributes. */
function esc(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  )
    // deno-lint-ignore no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");
}

function fmt(n: number): string {
  return String(Math.round(n * 10) / 10);
}

/**
 * Draws the text and face signals of a {@linkcode videoSentiment} result as a self-contained SVG (no
 * external fonts, scripts or links): one bar per cue (height = valence, colour = label, hover shows the
 * text), the face valence as a line with points, a time axis, and the overall results in the header.
 * Missing signals are stated in the chart ("no subtitles", "no face found in N frames"). All text is
 * XML-escaped.
 *
 * @param result The result of `videoSentiment`.
 * @param options Width and title.
 * @returns The SVG document as a string.
 *
 * @example
 * ```ts
 * import { timelineSvg, videoSentiment } from "./mod.ts";
 * import { loadModel } from "../models/mod.ts";
 * const result = await videoSentiment("clip.mp4", await loadModel("lexicon"));
 * await Deno.writeTextFile("timeline.svg", timelineSvg(result));
 * ```
 */
export function timelineSvg(result: VideoSentimentResult, options: TimelineSvgOptions = {}): string {
  const width = Math.max(300, Math.round(options.width ?? 900));
  const { metadata, text, faces } = result;
  const title = options.title ?? basename(metadata.path);
  const left = 56;
  const right = 16;
  const plotW = width - left - right;
  const duration = Math.max(metadata.duration, 0.001);
  const x = (t: number) => left + (Math.min(Math.max(t, 0), duration) / duration) * plotW;

  const top = 58;
  const bandH = 120;
  const textY0 = top;
  const faceY0 = top + bandH + 36;
  // Faces not asked for: no faces panel at all (an empty panel would read as "no face found").
  const axisY = (faces === null ? textY0 : faceY0) + bandH + 8;
  const height = axisY + 40;
  const y = (band: number, v: number) => band + bandH / 2 - (v * bandH) / 2;

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `font-family="sans-serif" font-size="12" role="img" aria-label="${
        esc(`Sentiment timeline of ${title}`)
      }">`,
  );
  parts.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  parts.push(`<text x="${left}" y="20" font-size="15" font-weight="bold">${esc(title)}</text>`);
  const textSummary = text.overall
    ? `text: ${text.overall.label} (valence ${
      text.overall.valence.toFixed(2)
    }, ${text.timeline.length} cues, ` +
      `${Math.round(text.overall.coverage * 100)}% covered, model ${text.model})`
    : `text: no subtitles`;
  const faceSummary = faces === null
    ? ""
    : faces.found
    ? `faces: ${faces.label} (valence ${
      faces.valence!.toFixed(2)
    }, ${faces.framesWithFaces}/${faces.framesAnalyzed} frames)`
    : `faces: none found in ${faces.framesAnalyzed} frames`;
  parts.push(
    `<text x="${left}" y="40" fill="#333333">${
      esc(
        `${
          fmt(metadata.duration)
        } s, ${metadata.width}x${metadata.height}, ${metadata.container} · ${textSummary}${
          faceSummary ? ` · ${faceSummary}` : ""
        }`,
      )
    }</text>`,
  );

  const bands: [number, string][] = faces === null
    ? [[textY0, "text"]]
    : [[textY0, "text"], [faceY0, "faces"]];
  for (const [band, label] of bands) {
    parts.push(
      `<rect x="${left}" y="${band}" width="${plotW}" height="${bandH}" fill="#fafafa" stroke="#dddddd"/>`,
    );
    parts.push(
      `<line x1="${left}" x2="${left + plotW}" y1="${y(band, 0)}" y2="${y(band, 0)}" stroke="#bbbbbb"/>`,
    );
    for (const v of [1, 0, -1]) {
      parts.push(
        `<text x="${left - 6}" y="${y(band, v) + 4}" text-anchor="end" fill="#666666" font-size="10">${
          v > 0 ? "+1" : v
        }</text>`,
      );
    }
    parts.push(
      `<text x="12" y="${band + bandH / 2}" transform="rotate(-90 12 ${
        band + bandH / 2
      })" text-anchor="middle" ` +
        `fill="#333333">${label}</text>`,
    );
  }

  // Text track.
  if (text.timeline.length === 0) {
    parts.push(
      `<text x="${left + plotW / 2}" y="${textY0 + bandH / 2 - 6}" text-anchor="middle" fill="#666666">${
        esc(`no text track: ${text.reason ?? "no cues"}`)
      }</text>`,
    );
  }
  for (const e of text.timeline) {
    const x0 = x(e.start);
    const w = Math.max(1, x(e.end) - x0);
    const yv = y(textY0, e.valence);
    const y0 = y(textY0, 0);
    const h = Math.max(1, Math.abs(y0 - yv));
    parts.push(
      `<rect x="${x0.toFixed(1)}" y="${Math.min(y0, yv).toFixed(1)}" width="${w.toFixed(1)}" height="${
        h.toFixed(1)
      }" ` +
        `fill="${COLORS[e.label]}" fill-opacity="0.8"><title>${
          esc(`${fmt(e.start)}-${fmt(e.end)} s ${e.label} (${e.confidence.toFixed(2)}): ${e.text}`)
        }</title></rect>`,
    );
  }

  // Face track (only when faces were analysed).
  if (faces !== null && !faces.found) {
    const msg = `no face found in ${faces.framesAnalyzed} frames analysed`;
    parts.push(
      `<text x="${left + plotW / 2}" y="${faceY0 + bandH / 2 - 6}" text-anchor="middle" fill="#666666">${
        esc(msg)
      }</text>`,
    );
  } else if (faces !== null) {
    const pts = faces.samples.filter((s) => s.valence !== null);
    if (pts.length > 1) {
      parts.push(
        `<polyline fill="none" stroke="${FACE_COLOR}" stroke-width="1.5" points="${
          pts.map((s) => `${x(s.time).toFixed(1)},${y(faceY0, s.valence!).toFixed(1)}`).join(" ")
        }"/>`,
      );
    }
    for (const s of pts) {
      parts.push(
        `<circle cx="${x(s.time).toFixed(1)}" cy="${
          y(faceY0, s.valence!).toFixed(1)
        }" r="3" fill="${FACE_COLOR}">` +
          `<title>${
            esc(`${fmt(s.time)} s: ${s.faces} face(s), valence ${s.valence!.toFixed(2)}`)
          }</title></circle>`,
      );
    }
  }

  // Time axis.
  parts.push(`<line x1="${left}" x2="${left + plotW}" y1="${axisY}" y2="${axisY}" stroke="#333333"/>`);
  const step = niceStep(duration / 10);
  for (let t = 0; t <= duration + 1e-9; t += step) {
    parts.push(`<line x1="${x(t)}" x2="${x(t)}" y1="${axisY}" y2="${axisY + 4}" stroke="#333333"/>`);
    parts.push(`<text x="${x(t)}" y="${axisY + 16}" text-anchor="middle" font-size="10">${fmt(t)}</text>`);
  }
  parts.push(`<text x="${left + plotW}" y="${axisY + 32}" text-anchor="end" fill="#666666">seconds</text>`);
  const legend: Array<[string, string]> = [
    ["positive", COLORS.positive],
    ["neutral", COLORS.neutral],
    ["negative", COLORS.negative],
    ...(faces === null ? [] : [["face valence", FACE_COLOR] as [string, string]]),
  ];
  legend.forEach(([name, color], i) => {
    const lx = left + i * 110;
    parts.push(`<rect x="${lx}" y="${axisY + 24}" width="10" height="10" fill="${color}"/>`);
    parts.push(`<text x="${lx + 14}" y="${axisY + 33}" font-size="10">${name}</text>`);
  });
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}

function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-3)));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}
