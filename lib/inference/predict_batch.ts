import type { Model, Prediction } from "../models/types.ts";
import { openScorer } from "./open_scorer.ts";

/** Options for {@linkcode predictBatch}. */
export interface PredictBatchOptions {
  /** Texts per call of the model (default 256). */
  batchSize?: number;
  /** Called after every batch with the number of texts done and the total. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Worker threads that featurize and score, each with its own copy of the model (its own onnxruntime
   * session); 1 scores on the calling thread. Default: the number of cores for 50,000 texts or more, else
   * 1 (a pool started for a shorter call costs more than it saves). Used only when the model says how a
   * worker loads it (`model.worker`: the ONNX models do) and there is more than one batch. A worker that
   * dies rejects the call with an error naming the batch (texts[a..b)) it was scoring.
   */
  workers?: number;
}

/**
 * Predicts the sentiment of many texts, in batches: per text the label with the highest score, that score
 * (`confidence`) and the score of every label, in the order of `texts`. Any string is accepted (empty,
 * whitespace, emoji, any script, megabytes); what a model does with it is documented by the model.
 *
 * @param model A loaded model (see `loadModel`).
 * @param texts The texts.
 * With `workers` above 1 (the default on a multi-core machine for 50,000 texts or more) the batches are
 * scored by a pool of Web Workers started for this call and ended before it returns; the predictions are
 * the same, in the same order. Starting the pool costs a fraction of a second (each worker loads the model
 * and warms up), so a single batch is always scored on the calling thread; to score many short calls on
 * workers, keep one pool open with `openScorer`.
 *
 * @param options Batch size, worker threads and a progress callback.
 * @returns One prediction per text, in order.
 * @throws {Error} When `batchSize` or `workers` is not a positive integer, a text is not a string, the
 *   model returns malformed scores, or a worker dies (naming the batch it was scoring).
 *
 * @example
 * ```ts
 * import { loadModel } from "../models/mod.ts";
 * import { predictBatch } from "./mod.ts";
 * const model = await loadModel("lexicon");
 * const preds = await predictBatch(model, ["What a lovely day", "This is awful"], { batchSize: 64, workers: 2 });
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
  const workers = options.workers;
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 1)) {
    throw new Error(
      `Invalid workers ${JSON.stringify(workers)}: use a positive integer (1 = no worker threads)`,
    );
  }
  const batches = Math.ceil(texts.length / batchSize);
  // One batch never pays for starting workers.
  const scorer = await openScorer(model, {
    batchSize,
    workers: batches > 1 ? workers : 1,
    texts: texts.length,
  });
  try {
    const total = texts.length;
    return await scorer.predict(texts, 0, options.onProgress && ((done) => options.onProgress!(done, total)));
  } finally {
    await scorer.close();
  }
}
