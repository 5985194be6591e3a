import { html, raw } from "./_html.ts";
import { page } from "./_layout.ts";

/**
 * A standalone HTML page (UTF-8, the viewer's look inline, no script, nothing remote) around a fragment
 * from lib/display (a metrics table, a predictions table, an SVG): the page of reports and exports.
 *
 * @param title The page title (escaped).
 * @param fragment Trusted HTML or SVG, e.g. `metricsTable(...)`; lib/display escapes what it draws.
 * @returns The whole document.
 *
 * @example
 * ```ts
 * import { staticPage } from "./mod.ts";
 * import { metricsTable } from "../display/mod.ts";
 * const doc = staticPage("Metrics", metricsTable({ accuracy: 0.8 }));
 * console.log(doc.startsWith("<!DOCTYPE html>")); // true
 * ```
 */
export function staticPage(title: string, fragment: string): string {
  return page(title, html`${raw(fragment)}`, { static: true });
}
