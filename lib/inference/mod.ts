/**
 * Running sentiment models: one text or many in batches, statistics of a batch, and a prediction table
 * for the tracker.
 *
 * @example
 * ```ts
 * import { loadModel } from "../models/mod.ts";
 * import { batchStatistics, predictBatch } from "./mod.ts";
 * const model = await loadModel("lexicon");
 * const preds = await predictBatch(model, ["Superb!", "Meh.", "Terrible service"]);
 * console.log(batchStatistics(preds));
 * ```
 * @module
 */
export * from "./predict_single.ts";
export * from "./predict_batch.ts";
export * from "./open_scorer.ts";
export * from "./batch_statistics.ts";
export * from "./log_predictions.ts";
export type { BackendKind, Run } from "../tracking/mod.ts";
export { type Label, LABELS, type Model, type Prediction, type Scores } from "../models/types.ts";
