import { logMetrics, logTable, type Run, setSummary } from "../tracking/mod.ts";
import type { BatchStatistics } from "../inference/batch_statistics.ts";
import type { EvaluationResult } from "./evaluate.ts";
import { flattenMetrics } from "./flatten_metrics.ts";

/** Options for {@linkcode logEvaluation}. */
export interface LogEvaluationOptions {
  /**
   * Batch statistics of the same predictions (`batchStatistics` of lib/inference), logged as
   * `average_confidence`, `min_confidence`, `below_threshold`, `below_threshold_share` and
   * `predicted_<label>`.
   */
  statistics?: BatchStatistics;
  /** Wall-clock seconds the predictions took: adds `texts_per_second` (`result.count / seconds`, 0 for 0 s). */
  seconds?: number;
  /** History step of the metrics (default: the run's next step). */
  step?: number;
}

/**
 * Logs an evaluation to a run, the way `deno task evaluate` does: one history row and the summary with
 * the flat metrics of {@linkcode flattenMetrics} plus the batch statistics (see
 * {@linkcode LogEvaluationOptions}), the summary also holding
 * `confusion_matrix: { labels, matrix }` and `scoring` ("binary" or "three-class"), and a `confusion_matrix` table (columns `gold`,
 * `predicted_<label>`...; one row per gold label).
 *
 * @param run The run (tracking's `initRun`); on the "disabled" backend nothing is recorded.
 * @param result What `evaluate` returned.
 * @param options Batch statistics, prediction time, history step.
 * @returns The flat metrics that were logged (also what went into the summary, without the matrix).
 * @throws {Error} When `seconds` is negative or not a number; tracking errors only with a strict run.
 *
 * @example Evaluate and track
 * ```ts
 * import { finishRun, initRun } from "../tracking/mod.ts";
 * import { loadModel } from "../models/mod.ts";
 * import { batchStatistics, predictBatch } from "../inference/mod.ts";
 * import { evaluate, logEvaluation } from "./mod.ts";
 * const run = await initRun({ tracker: "disabled" });
 * const predictions = await predictBatch(await loadModel("lexicon"), ["great film", "awful food"]);
 * const result = evaluate(predictions, ["positive", "negative"]);
 * const logged = await logEvaluation(run, result, { statistics: batchStatistics(predictions) });
 * console.log(logged.accuracy, logged.average_confidence);
 * await finishRun(run);
 * ```
 */
export async function logEvaluation(
  run: Run,
  result: EvaluationResult,
  options: LogEvaluationOptions = {},
): Promise<Record<string, number>> {
  const { statistics: stats, seconds, step } = options;
  if (seconds !== undefined && !(typeof seconds === "number" && seconds >= 0)) {
    throw new Error(`Cannot log evaluation: seconds must be a number >= 0, got ${JSON.stringify(seconds)}`);
  }
  const metrics: Record<string, number> = flattenMetrics(result);
  if (stats) {
    metrics.average_confidence = stats.averageConfidence;
    metrics.min_confidence = stats.minConfidence;
    metrics.below_threshold = stats.belowThreshold;
    metrics.below_threshold_share = stats.count ? stats.belowThreshold / stats.count : 0;
    for (const [label, n] of Object.entries(stats.labelDistribution)) metrics[`predicted_${label}`] = n;
  }
  if (seconds !== undefined) metrics.texts_per_second = seconds > 0 ? result.count / seconds : 0;
  await logMetrics(run, metrics, step === undefined ? {} : { step });
  await setSummary(run, {
    ...metrics,
    scoring: result.binary ? "binary" : "three-class",
    confusion_matrix: { labels: result.labels, matrix: result.confusionMatrix },
  });
  await logTable(run, "confusion_matrix", {
    columns: ["gold", ...result.labels.map((l) => `predicted_${l}`)],
    rows: result.labels.map((l, i) => [l, ...result.confusionMatrix[i]]),
  });
  return metrics;
}
