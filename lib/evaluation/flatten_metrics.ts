import type { EvaluationResult } from "./evaluate.ts";

/**
 * Flattens an {@linkcode EvaluationResult} into flat numeric metrics, ready for `logMetrics` or
 * `setSummary`: `accuracy`, `macro_precision`, `macro_recall`, `macro_f1`, `weighted_precision`,
 * `weighted_recall`, `weighted_f1`, `count`, and per label `precision_<label>`,
 * `recall_<label>`, `f1_<label>`, `support_<label>`, and per confusion-matrix cell
 * `confusion_<gold>_as_<predicted>`. How it was scored (`result.binary`) is not a metric: `logEvaluation`
 * records it as the summary's `scoring`.
 *
 * @param result What `evaluate` returned.
 * @param prefix Prepended to every key (e.g. `"eval/"`), default none.
 * @returns Flat metrics (all finite numbers).
 *
 * @example
 * ```ts
 * import { evaluate, flattenMetrics } from "./mod.ts";
 * const p = { text: "", label: "positive" as const, confidence: 1, scores: { negative: 0, neutral: 0, positive: 1 } };
 * console.log(flattenMetrics(evaluate([p], ["positive"])).accuracy); // 1
 * ```
 */
export function flattenMetrics(result: EvaluationResult, prefix = ""): Record<string, number> {
  const out: Record<string, number> = {
    accuracy: result.accuracy,
    macro_precision: result.macro.precision,
    macro_recall: result.macro.recall,
    macro_f1: result.macro.f1,
    weighted_precision: result.weighted.precision,
    weighted_recall: result.weighted.recall,
    weighted_f1: result.weighted.f1,
    count: result.count,
  };
  for (const label of result.labels) {
    const m = result.perClass[label]!;
    out[`precision_${label}`] = m.precision;
    out[`recall_${label}`] = m.recall;
    out[`f1_${label}`] = m.f1;
    out[`support_${label}`] = m.support;
  }
  result.labels.forEach((g, i) =>
    result.labels.forEach((p, j) => {
      out[`confusion_${g}_as_${p}`] = result.confusionMatrix[i][j];
    })
  );
  if (!prefix) return out;
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [prefix + k, v]));
}
