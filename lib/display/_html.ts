/**
 * Private helpers: the shared look of HTML tables (inline styles only: notebook front ends strip
 * `<style>` elements inconsistently, and nothing may be fetched). Alignment and table layout are set on
 * every table and cell because JupyterLab's stylesheet (which nbconvert's HTML export inlines) gives
 * rendered tables `table-layout: fixed` and `td { text-align: right }`.
 * @module
 */
import { seriesColor } from "./_color.ts";
import { escapeText, formatNumber } from "./_escape.ts";

/** Style of a `<table>`. */
export const TABLE_STYLE =
  "border-collapse:collapse;font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;" +
  "font-size:13px;margin:4px 0;table-layout:auto;";
/** Style of a header cell. */
export const TH_STYLE =
  "text-align:left;padding:4px 10px;border-bottom:2px solid #888;background:#f4f4f4;position:sticky;top:0;";
/** Style of a body cell. */
export const TD_STYLE = "text-align:left;padding:3px 10px;border-bottom:1px solid #ddd;vertical-align:top;";
/** Style of a numeric body cell. */
export const TD_NUM_STYLE = TD_STYLE + "text-align:right;font-variant-numeric:tabular-nums;";
/** Style of a caption. */
export const CAPTION_STYLE = "caption-side:top;text-align:left;font-weight:600;padding:4px 0;";

/** Small stacked bar of the label scores, drawn with inline-styled spans (no script, no image). */
export function scoreBar(scores: Readonly<Record<string, number>> | undefined): string {
  if (!scores) return "";
  const entries = Object.entries(scores).filter(([, v]) => Number.isFinite(v) && v > 0);
  const title = Object.entries(scores).map(([k, v]) => `${k} ${formatNumber(v, 3)}`).join(", ");
  const spans = entries.map(([k, v], i) =>
    `<span style="display:inline-block;height:10px;width:${(Math.min(1, v) * 100).toFixed(1)}%;` +
    `background:${seriesColor(i, k)};"></span>`
  ).join("");
  return `<span title="${escapeText(title)}" style="display:inline-flex;width:90px;height:10px;` +
    `background:#eee;vertical-align:middle;">${spans}</span>`;
}
