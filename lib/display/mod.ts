/**
 * Display helpers: turn metrics, confusion matrices, predictions, series and lineage into HTML and SVG
 * strings (no script, no network, no CDN), show them in the Deno Jupyter kernel, write SVGs to files.
 * Every text drawn is escaped.
 *
 * @example
 * ```ts
 * import { confusionMatrixSvg, metricsTable, show } from "./mod.ts";
 * await show(metricsTable({ accuracy: 0.75, macroF1: 0.71 }));
 * await show(confusionMatrixSvg([[3, 1], [0, 4]], ["negative", "positive"]));
 * ```
 * @module
 */
export * from "./types.ts";
export * from "./escape_html.ts";
export * from "./metrics_table.ts";
export * from "./confusion_matrix_svg.ts";
export * from "./predictions_table.ts";
export * from "./disagreements_table.ts";
export * from "./per_class_bars.ts";
export * from "./line_chart_svg.ts";
export * from "./lineage_graph_svg.ts";
export * from "./lineage_from_runs.ts";
export * from "./show.ts";
export * from "./write_svg.ts";
