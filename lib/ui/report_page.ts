import { html, raw } from "./_html.ts";
import { page } from "./_layout.ts";

/** What {@linkcode reportPage} shows; the fragments come from lib/display. */
export interface ReportPageInput {
  /** Title, e.g. "lexicon on data/sample.jsonl". */
  title: string;
  /** The run's id, or null when nothing was tracked. */
  runId: string | null;
  /** When the evaluation ran (ISO time). */
  date: string;
  /** The metrics table (`metricsTable(...)`). */
  metrics: string;
  /** The confusion matrix (`confusionMatrixSvg(...)`). */
  confusionMatrix: string;
  /** The predictions table (`predictionsTable(...)`). */
  predictions: string;
  /** Other files of the report to link to, by relative name. */
  files?: readonly string[];
}

/**
 * The index page of an evaluation report: run id, date, metrics, the confusion matrix and the
 * predictions, in the viewer's look (the same renderer as `deno task ui`), standalone: no script, nothing
 * remote.
 *
 * @param input Title, run id, date and the rendered parts.
 * @returns The whole document.
 *
 * @example
 * ```ts
 * import { reportPage } from "./mod.ts";
 * import { confusionMatrixSvg, metricsTable, predictionsTable } from "../display/mod.ts";
 * const doc = reportPage({
 *   title: "demo",
 *   runId: "abc123de",
 *   date: new Date().toISOString(),
 *   metrics: metricsTable({ accuracy: 1 }),
 *   confusionMatrix: confusionMatrixSvg([[1, 0], [0, 1]], ["negative", "positive"]),
 *   predictions: predictionsTable([{ text: "good", label: "positive", confidence: 0.9 }]),
 * });
 * console.log(doc.includes("abc123de")); // true
 * ```
 */
export function reportPage(input: ReportPageInput): string {
  const body = html`
    <h1>${input.title}</h1>
    <table class="grid kv" id="report">
      <tbody>
    <tr><td>Run</td><td>${input.runId ?? "not tracked"}</td></tr>
    <tr><td>Date</td><td>${input.date}</td></tr>
    ${input.files?.length
      ? html`
        <tr>
          <td>Files</td>
          <td>${input.files.map((f, i) => html`${i ? ", " : ""}<a href="${encodeURI(f)}">${f}</a>`)}</td>
        </tr>
      `
      : ""}
      </tbody>
    </table>
    <h2>Metrics</h2>
    <div id="metrics">${raw(input.metrics)}</div>
    <h2>Confusion matrix</h2>
    <figure id="confusion-matrix">${raw(input.confusionMatrix)}</figure>
    <h2>Predictions</h2>
    <div id="predictions">${raw(input.predictions)}</div>
  `;
  return page(`Report: ${input.title}`, body, { static: true });
}
