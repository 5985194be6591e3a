import type { EvaluationResult } from "./evaluate.ts";

/**
 * Renders an {@linkcode EvaluationResult} as a plain-text report for a terminal: a metrics table (one row
 * per label plus macro and weighted averages), accuracy, and the confusion matrix (rows: gold, columns:
 * predicted).
 *
 * @param result What `evaluate` returned.
 * @returns Lines of text joined with `\n` (no trailing newline, no colour codes).
 *
 * @example
 * ```ts
 * import { evaluate, formatEvaluation } from "./mod.ts";
 * const p = { text: "", label: "positive" as const, confidence: 1, scores: { negative: 0, neutral: 0, positive: 1 } };
 * console.log(formatEvaluation(evaluate([p], ["positive"])));
 * ```
 */
export function formatEvaluation(result: EvaluationResult): string {
  const f = (x: number) => x.toFixed(3);
  const rows: string[][] = [["", "precision", "recall", "f1", "support"]];
  for (const label of result.labels) {
    const m = result.perClass[label]!;
    rows.push([label, f(m.precision), f(m.recall), f(m.f1), String(m.support)]);
  }
  rows.push([
    "macro",
    f(result.macro.precision),
    f(result.macro.recall),
    f(result.macro.f1),
    String(result.count),
  ]);
  rows.push([
    "weighted",
    f(result.weighted.precision),
    f(result.weighted.recall),
    f(result.weighted.f1),
    String(result.count),
  ]);
  const lines = table(rows);
  lines.push("");
  lines.push(
    `accuracy ${f(result.accuracy)} on ${result.count} texts${result.binary ? " (binary rule)" : ""}`,
  );
  lines.push("");
  lines.push("confusion matrix (rows: gold, columns: predicted)");
  const cm: string[][] = [["", ...result.labels]];
  result.labels.forEach((g, i) => cm.push([g, ...result.confusionMatrix[i].map(String)]));
  lines.push(...table(cm));
  return lines.join("\n");
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  ")
  );
}
