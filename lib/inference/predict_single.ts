import type { Model, Prediction } from "../models/types.ts";
import { predictBatch } from "./predict_batch.ts";

/**
 * Predicts the sentiment of one text.
 *
 * @param model A loaded model (see `loadModel`).
 * @param text Any string (empty and whitespace-only texts get the model's prediction for "nothing").
 * @returns The label, its confidence and the score of every label.
 * @throws {Error} When `text` is not a string.
 *
 * @example
 * ```ts
 * import { loadModel } from "../models/mod.ts";
 * import { predictSingle } from "./mod.ts";
 * const model = await loadModel("lexicon");
 * const p = await predictSingle(model, "The service was excellent");
 * console.log(p.label, p.confidence.toFixed(2), p.scores);
 * ```
 */
export async function predictSingle(model: Model, text: string): Promise<Prediction> {
  if (typeof text !== "string") {
    throw new Error(`predictSingle expects a string, got ${text === null ? "null" : typeof text}`);
  }
  return (await predictBatch(model, [text]))[0];
}
