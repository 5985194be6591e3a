import type { Model, Prediction } from "../models/types.ts";
import { toPredictions } from "./_to_predictions.ts";

/** Options for {@linkcode predictBatch}. */
export interface PredictBatchOptions {
  /** Texts per call of the model (default 256). */
  batchSize?: number;
  /** Called after every batch with the number of texts done and the total. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Predicts the sentiment of many texts, in batches: per text the label with the highest score, that score
 * (`confidence`) and the score of every label, in the order of `texts`. Any string is accepted (empty,
 * whitespace, emoji, any script, megabytes); what a model does with it is documented by the model.
 *
 * @param model A loaded model (see `loadModel`).
 * @param texts The texts.
 * @param options Batch size and a progress callback.
 * @returns One prediction per text, in order.
 * @throws {Error} When `batchSize` is not a positive integer, a text is not a string, or the model returns
 *   malformed scores.
 *
 * @example
 * ```ts
 * import { loadModel } from "../models/mod.ts";
 * import { predictBatch } from "./mod.ts";
 * const model = await loadModel("lexicon");
 * const preds = await predictBatch(model, ["What a lovely day", "This is awful"], { batchSize: 64 });
 * console.log(preds.map((p) => p.label)); // ["positive", "negative"]
 * ```
 */
export async function predictBatch(
  model: Model,
  texts: readonly string[],
  options: PredictBatchOptions = {},
): Promise<Prediction[]> {
  const batchSize = options.batchSize ?? 256;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`Invalid batchSize ${JSON.stringify(batchSize)}: use a positive integer such as 256`);
  }
  if (!Array.isArray(texts)) throw new Error("predictBatch expects an array of strings");
  for (let i = 0; i < texts.length; i++) {
    if (typeof texts[i] !== "string") {
      throw new Error(`texts[${i}] is ${texts[i] === null ? "null" : typeof texts[i]}, expected a string`);
    }
  }
  const out: Prediction[] = [];
  for (let start = 0; start < texts.length; start += batchSize) {
    const batch = texts.length <= batchSize ? texts : texts.slice(start, start + batchSize);
    const rows = await model.scoreBatch(batch);
    toPredictions(model, batch, rows, start, out);
    options.onProgress?.(out.length, texts.length);
  }
  return out;
}
