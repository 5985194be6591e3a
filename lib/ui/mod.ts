/**
 * The local viewer of a sentilab store (`deno task ui`): runs, metric charts, prediction tables,
 * comparisons and artifacts with lineage, served by Deno.serve from the store read-only, rendered on the
 * server with lib/display's SVG and HTML; also static exports of a run page and the evaluation report
 * page. Works offline: no CDN, nothing remote, one small script of its own.
 *
 * @example
 * ```ts
 * import { serveUi } from "./mod.ts";
 * import { finishRun, initRun, logMetrics } from "../tracking/mod.ts";
 * const dir = await Deno.makeTempDir();
 * const run = await initRun({ dir, tracker: "local" });
 * logMetrics(run, { loss: 0.5 });
 * await finishRun(run);
 * const ui = serveUi({ dir, port: 0 });
 * const page = await (await fetch(`${ui.url}run/${run.id}`)).text();
 * console.log(page.includes("loss")); // true
 * await ui.shutdown();
 * await Deno.remove(dir, { recursive: true });
 * ```
 * @module
 */
export * from "./serve_ui.ts";
export * from "./export_run_page.ts";
export * from "./static_page.ts";
export * from "./report_page.ts";
