/**
 * Private helpers: escaping text for HTML and XML (SVG), formatting numbers.
 * @module
 */

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Escapes text for HTML and XML: content and double- or single-quoted attribute values.
 * Also drops characters XML 1.0 forbids (control characters other than tab, LF, CR, lone surrogates),
 * so that any model input can be shown inside an SVG without breaking it.
 */
export function escapeText(value: unknown): string {
  const text = String(value ?? "");
  // deno-lint-ignore no-control-regex
  const clean = text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "")
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
  return clean.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** Formats a number for a table or a chart label: integers as such, others with `digits` decimals. */
export function formatNumber(value: number, digits = 4): string {
  if (Number.isNaN(value)) return "n/a";
  if (!Number.isFinite(value)) return value > 0 ? "∞" : "-∞";
  if (Number.isInteger(value)) return String(value);
  return value.toFixed(digits);
}

/** Formats a coordinate for SVG: at most 2 decimals, no trailing zeros. */
export function px(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** Cuts `text` to `max` characters (code points), adding an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return chars.slice(0, Math.max(0, max - 1)).join("") + "…";
}
