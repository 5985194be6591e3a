import { seriesColor } from "./_color.ts";
import { escapeText, formatNumber, truncate } from "./_escape.ts";
import { CAPTION_STYLE, TABLE_STYLE, TD_NUM_STYLE, TD_STYLE, TH_STYLE } from "./_html.ts";
import type { PredictionLike } from "./types.ts";

/** Options for {@linkcode disagreementsTable}. */
export interface DisagreementsTableOptions {
  /** Names of the two models (default `["A", "B"]`). */
  names?: readonly [string, string];
  /** Gold labels, one per text: adds a "gold" column and says which model was right. */
  gold?: readonly string[];
  /** Rows to show (default 50). */
  limit?: number;
  /** Longest text shown, in characters (default 200). */
  maxTextLength?: number;
  /** Caption above the table (default "Where the models disagree"). */
  title?: string;
}

/**
 * Lists the texts on which two models predict different labels, most confident disagreements first:
 * text, each model's label and confidence and, with `gold`, the gold label and who was right. A summary
 * line counts the disagreements (and, with gold, how many each model won). Texts are escaped.
 *
 * @param a Predictions of the first model.
 * @param b Predictions of the second model, same texts in the same order.
 * @param options Model names, gold labels, row limit, caption.
 * @returns An HTML fragment.
 * @throws {RangeError} When `a`, `b` (and `gold`) differ in length, when a text differs at the same
 *   index (the index is named), or when `limit` / `maxTextLength` is not a positive integer.
 *
 * @example
 * ```ts
 * import { disagreementsTable } from "./mod.ts";
 * const a = [{ text: "ok", label: "neutral", confidence: 0.6 }];
 * const b = [{ text: "ok", label: "positive", confidence: 0.7 }];
 * const html = disagreementsTable(a, b, { names: ["onnx", "lexicon"], gold: ["positive"] });
 * console.assert(html.includes("1 of 1"));
 * ```
 */
export function disagreementsTable(
  a: readonly PredictionLike[],
  b: readonly PredictionLike[],
  options: DisagreementsTableOptions = {},
): string {
  if (a.length !== b.length) {
    throw new RangeError(
      `Cannot compare ${a.length} predictions with ${b.length}: predict the same texts with both models`,
    );
  }
  const gold = options.gold;
  if (gold && gold.length !== a.length) {
    throw new RangeError(`gold has ${gold.length} labels but there are ${a.length} predictions`);
  }
  const limit = options.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`Invalid limit ${limit}: expected an integer >= 1`);
  }
  const maxText = options.maxTextLength ?? 200;
  if (!Number.isInteger(maxText) || maxText < 1) {
    throw new RangeError(`Invalid maxTextLength ${maxText}: expected an integer >= 1`);
  }
  const [nameA, nameB] = options.names ?? ["A", "B"];
  const diff: number[] = [];
  for (let i = 0; i < a.length; i++) {
    if (a[i].text !== b[i].text) {
      throw new RangeError(
        `Predictions differ in text at index ${i}: predict the same texts in the same order`,
      );
    }
    if (a[i].label !== b[i].label) diff.push(i);
  }
  diff.sort((i, j) => (b[j].confidence + a[j].confidence) - (b[i].confidence + a[i].confidence) || i - j);
  let winsA = 0, winsB = 0;
  if (gold) {
    for (const i of diff) {
      if (a[i].label === gold[i]) winsA++;
      else if (b[i].label === gold[i]) winsB++;
    }
  }
  const label = (p: PredictionLike, right: boolean | null) =>
    `<td style="${TD_STYLE}color:${seriesColor(0, p.label)};font-weight:${right ? 700 : 400};">` +
    `${right ? "✓ " : ""}${escapeText(p.label)} <span style="color:#888;font-weight:400;">` +
    `${escapeText(formatNumber(p.confidence, 2))}</span></td>`;
  const rows = diff.slice(0, limit).map((i) =>
    `<tr><td style="${TD_NUM_STYLE}color:#888;">${i}</td>` +
    `<td style="${TD_STYLE}max-width:480px;white-space:pre-wrap;word-break:break-word;">` +
    `${escapeText(truncate(a[i].text, maxText))}</td>` +
    label(a[i], gold ? a[i].label === gold[i] : null) + label(b[i], gold ? b[i].label === gold[i] : null) +
    (gold ? `<td style="${TD_STYLE}">${escapeText(gold[i])}</td>` : "") + `</tr>`
  ).join("");
  const head = ["#", "text", nameA, nameB, ...(gold ? ["gold"] : [])]
    .map((h) => `<th style="${TH_STYLE}">${escapeText(h)}</th>`).join("");
  const title = options.title ?? "Where the models disagree";
  const pct = a.length > 0 ? ` (${((diff.length / a.length) * 100).toFixed(1)}%)` : "";
  const summary = `${diff.length} of ${a.length} texts${pct} get different labels` +
    (gold
      ? ` · right among them: ${nameA} ${winsA}, ${nameB} ${winsB}, neither ${diff.length - winsA - winsB}`
      : "") +
    (diff.length > limit ? ` · showing the ${limit} most confident` : "");
  return `<div class="sentilab-disagreements"><div style="max-height:420px;overflow:auto;border:1px solid #ddd;">` +
    `<table style="${TABLE_STYLE}width:100%;"><caption style="${CAPTION_STYLE}">${
      escapeText(title)
    }</caption>` +
    `<thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></div>` +
    `<div style="font:12px system-ui,sans-serif;color:#666;padding:2px 0;">${
      escapeText(summary)
    }</div></div>`;
}
