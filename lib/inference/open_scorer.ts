import type { Model, Prediction } from "../models/types.ts";
import { toPredictions } from "../sentiment/to_predictions.ts";
import { defaultWorkers, openScorePool, type ScorePool } from "./_worker_pool.ts";

/** A scorer; see {@linkcode openScorer}. */
export interface Scorer {
  /** Worker threads in use (1: the calling thread). */
  readonly workers: number;
  /** Predictions of `texts` (`offset`: index of texts[0] in the whole input, for messages). */
  predict(
    texts: readonly string[],
    offset: number,
    onProgress?: (done: number) => void,
  ): Promise<Prediction[]>;
  /** Ends the workers. */
  close(): Promise<void>;
}

/** Options for {@linkcode openScorer}. */
export interface OpenScorerOptions {
  /**
   * Worker threads (1 = the calling thread); see `predictBatch`. Default: the number of cores, except for
   * an input known (`texts`) to hold fewer than 50,000 texts, which the calling thread scores faster than a
   * pool it would have to start.
   */
  workers?: number;
  /** How many texts the input holds, when known (it only chooses the default of `workers`). */
  texts?: number;
  /** Texts per model call (and per message to a worker). */
  batchSize: number;
}

/**
 * Opens a scorer for many pieces of one input (a stream read in batches): a pool of `workers` Web Workers,
 * each loading the model once and kept open across the pieces, when the model supports workers
 * (`model.worker`) and `workers > 1`; otherwise the calling thread. `predictBatch` is one piece.
 * @param model The model.
 * @param options Workers and batch size.
 * @returns The scorer; `close()` it when done.
 * @throws {Error} When `workers` is not a positive integer, or a worker cannot load the model.
 * @example
 * ```ts
 * import { loadModel } from "../models/mod.ts";
 * import { openScorer } from "./mod.ts";
 * const model = await loadModel("lexicon");
 * const scorer = await openScorer(model, { batchSize: 256, workers: 1 });
 * const first = await scorer.predict(["good", "bad"], 0);
 * const second = await scorer.predict(["fine"], 2);
 * await scorer.close();
 * console.log(first.length + second.length); // 3
 * ```
 */
export async function openScorer(model: Model, options: OpenScorerOptions): Promise<Scorer> {
  const workers = options.workers ?? defaultWorkers(options.texts);
  if (!Number.isInteger(workers) || workers < 1) {
    throw new Error(
      `Invalid workers ${JSON.stringify(workers)}: use a positive integer (1 = no worker threads)`,
    );
  }
  const { batchSize } = options;
  let pool: ScorePool | null = null;
  if (workers > 1 && model.worker) pool = await openScorePool(model.worker, workers, model.name);
  return {
    workers: pool ? workers : 1,
    async predict(texts, offset, onProgress) {
      const out: Prediction[] = [];
      if (pool) {
        const rows = await pool.score(texts, {
          batchSize,
          offset,
          onProgress: onProgress && ((d) => onProgress(d)),
        });
        toPredictions(model, texts, rows, offset, out);
        return out;
      }
      for (let start = 0; start < texts.length; start += batchSize) {
        const batch = texts.slice(start, start + batchSize);
        toPredictions(model, batch, await model.scoreBatch(batch), offset + start, out);
        onProgress?.(out.length);
      }
      return out;
    },
    async close() {
      await pool?.close();
      pool = null;
    },
  };
}
