import { seriesColor } from "./_color.ts";
import { escapeText, formatNumber, truncate } from "./_escape.ts";
import { CAPTION_STYLE, scoreBar, TABLE_STYLE, TD_NUM_STYLE, TD_STYLE, TH_STYLE } from "./_html.ts";
import type { PredictionLike } from "./types.ts";

/** Options for {@linkcode predictionsTable}. */
export interface PredictionsTableOptions {
  /** Gold labels, one per prediction: adds a "gold" column and marks wrong rows. */
  gold?: readonly string[];
  /** Rows to show (default 100; the footer says how many there are in all). */
  limit?: number;
  /** Index of the first row to show (default 0): page with `offset` and `limit`. */
  offset?: number;
  /** Show only rows whose prediction differs from the gold label (needs `gold`). */
  errorsOnly?: boolean;
  /** Longest text shown, in characters, before it is cut with "…" (default 280). */
  maxTextLength?: number;
  /** Caption above the table (default: none). */
  title?: string;
  /** Height of the scrolling area in pixels (default 420). */
  maxHeight?: number;
}

function checkCount(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`Invalid ${name} ${value}: expected an integer >= ${min}`);
  }
  return value;
}

/**
 * Renders predictions as a browsable HTML table: a scrolling area with a sticky header, one row per
 * prediction (its row number, counted from 1 as in the footer, text, predicted label, confidence, a bar of the label scores and, with `gold`, the
 * gold label with wrong rows highlighted), and a footer saying which rows of how many are shown.
 * Every text is escaped: a text such as `<script>alert(1)</script>` is shown, never run.
 *
 * @param predictions The predictions, e.g. what `predictBatch` returns.
 * @param options Gold labels, paging (`offset`, `limit`), `errorsOnly`, caption.
 * @returns An HTML fragment (`<div>` with a `<table>`).
 * @throws {RangeError} When `gold` does not have one label per prediction, when `errorsOnly` is set
 *   without `gold`, or when `limit`, `offset`, `maxTextLength` or `maxHeight` is not a valid count.
 *
 * @example
 * ```ts
 * import { predictionsTable } from "./mod.ts";
 * const html = predictionsTable(
 *   [{ text: "<b>great</b>", label: "positive", confidence: 0.9 }],
 *   { gold: ["negative"] },
 * );
 * console.assert(html.includes("&lt;b&gt;great&lt;/b&gt;"));
 * ```
 */
export function predictionsTable(
  predictions: readonly PredictionLike[],
  options: PredictionsTableOptions = {},
): string {
  if (!Array.isArray(predictions)) {
    throw new TypeError(`predictionsTable expects an array of predictions, got ${typeof predictions}`);
  }
  const gold = options.gold;
  if (gold !== undefined && gold.length !== predictions.length) {
    throw new RangeError(
      `gold has ${gold.length} labels but there are ${predictions.length} predictions: pass one gold label per prediction`,
    );
  }
  if (options.errorsOnly && !gold) throw new RangeError("errorsOnly needs gold labels: pass options.gold");
  const limit = checkCount("limit", options.limit ?? 100, 1);
  const offset = checkCount("offset", options.offset ?? 0, 0);
  const maxText = checkCount("maxTextLength", options.maxTextLength ?? 280, 1);
  const maxHeight = checkCount("maxHeight", options.maxHeight ?? 420, 40);

  let indices = predictions.map((_, i) => i);
  if (options.errorsOnly && gold) indices = indices.filter((i) => predictions[i].label !== gold[i]);
  const shown = indices.slice(offset, offset + limit);
  const wrongCount = gold ? predictions.filter((p, i) => p.label !== gold[i]).length : 0;

  const head = ["#", "text", "predicted", "confidence", "scores", ...(gold ? ["gold"] : [])]
    .map((h, j) => `<th style="${TH_STYLE}${j === 0 || j === 3 ? "text-align:right;" : ""}">${h}</th>`)
    .join("");
  const rows = shown.map((i) => {
    const p = predictions[i];
    const wrong = gold !== undefined && p.label !== gold[i];
    const bg = wrong ? "background:#fdecea;" : "";
    const text = escapeText(truncate(String(p.text ?? ""), maxText));
    const full = Array.from(String(p.text ?? "")).length > maxText ? ` title="${escapeText(p.text)}"` : "";
    return `<tr class="${wrong ? "wrong" : "ok"}" style="${bg}">` +
      `<td style="${TD_NUM_STYLE}color:#888;">${i + 1}</td>` +
      `<td style="${TD_STYLE}max-width:520px;white-space:pre-wrap;word-break:break-word;"${full}>${text}</td>` +
      `<td style="${TD_STYLE}color:${seriesColor(0, p.label)};font-weight:600;">${escapeText(p.label)}</td>` +
      `<td style="${TD_NUM_STYLE}">${escapeText(formatNumber(p.confidence, 3))}</td>` +
      `<td style="${TD_STYLE}">${scoreBar(p.scores)}</td>` +
      (gold
        ? `<td style="${TD_STYLE}white-space:nowrap;">${wrong ? "✗ " : "✓ "}${escapeText(gold[i])}</td>`
        : "") +
      `</tr>`;
  }).join("");
  const total = indices.length;
  const range = shown.length > 0
    ? `rows ${offset + 1}–${offset + shown.length} of ${total}`
    : `no rows (of ${total})`;
  const footer = range + (options.errorsOnly ? " wrong predictions" : "") +
    (gold && !options.errorsOnly ? ` · ${wrongCount} wrong of ${predictions.length}` : "") +
    (offset + shown.length < total ? ` · next page: offset ${offset + shown.length}` : "");
  const caption = options.title
    ? `<caption style="${CAPTION_STYLE}">${escapeText(options.title)}</caption>`
    : "";
  return `<div class="sentilab-predictions"><div style="max-height:${maxHeight}px;overflow:auto;` +
    `border:1px solid #ddd;"><table style="${TABLE_STYLE}width:100%;">${caption}<thead><tr>${head}</tr></thead>` +
    `<tbody>${rows}</tbody></table></div>` +
    `<div style="font:12px system-ui,sans-serif;color:#666;padding:2px 0;">${escapeText(footer)}</div></div>`;
}
