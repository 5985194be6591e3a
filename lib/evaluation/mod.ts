/**
 * Measuring sentiment predictions: accuracy, precision/recall/F1 (per label, macro, weighted), the
 * confusion matrix, a binary rule for positive-vs-negative data, flat metrics for tracking, logging an
 * evaluation to a run, and a text report.
 *
 * @example
 * ```ts
 * import { evaluate, flattenMetrics } from "./mod.ts";
 * const p = { text: "", label: "negative" as const, confidence: 1, scores: { negative: 1, neutral: 0, positive: 0 } };
 * const metrics = flattenMetrics(evaluate([p], ["negative"]));
 * console.log(metrics.macro_f1);
 * ```
 * @module
 */
export * from "./evaluate.ts";
export * from "./count_predictions.ts";
export * from "./merge_evaluation_counts.ts";
export * from "./evaluation_from_counts.ts";
export * from "./flatten_metrics.ts";
export * from "./format_evaluation.ts";
export * from "./log_evaluation.ts";
export * from "./evaluate_model.ts";
export * from "./merge_shards.ts";
export { type Label, LABELS, type Prediction, type Scores } from "../models/types.ts";
export type { BatchStatistics } from "../inference/batch_statistics.ts";
export type { BackendKind, Run } from "../tracking/mod.ts";
export * from "./merge_shard_group.ts";
