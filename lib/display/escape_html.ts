import { escapeText } from "./_escape.ts";

/**
 * Escapes any value for HTML or SVG text and quoted attribute values (`& < > " '`), dropping characters
 * XML forbids: the one escaping rule of every renderer (notebooks, reports, the viewer).
 *
 * @param value Anything; null and undefined become "".
 * @returns The escaped text.
 *
 * @example
 * ```ts
 * import { escapeHtml } from "./mod.ts";
 * console.log(escapeHtml(`<img src=x onerror="alert(1)">`)); // &lt;img src=x onerror=&quot;alert(1)&quot;&gt;
 * ```
 */
export function escapeHtml(value: unknown): string {
  return escapeText(value);
}
