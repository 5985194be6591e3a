import { logTable, type Run } from "../tracking/mod.ts";
import type { Prediction } from "../models/types.ts";
import { predictionRow } from "./_prediction_row.ts";

/** Options for {@linkcode logPredictions}. */
export interface LogPredictionsOptions {
  /** Gold labels, one per prediction (the `gold` column is empty without them). */
  gold?: readonly string[];
  /** Table key (default `"predictions"`). */
  key?: string;
  /** Texts longer than this many characters are cut and end with `…` in the table (default 10,000). */
  maxTextLength?: number;
}

/**
 * The columns of the prediction table that {@linkcode logPredictions} writes, in order.
 *
 * @example
 * ```ts
 * import { PREDICTION_COLUMNS } from "./log_predictions.ts";
 * console.log(PREDICTION_COLUMNS.indexOf("predicted")); // 2
 * ```
 */
export const PREDICTION_COLUMNS = [
  "text",
  "gold",
  "predicted",
  "confidence",
  "score_negative",
  "score_neutral",
  "score_positive",
] as const;

/**
 * Logs predictions to a run as a table with the columns of {@linkcode PREDICTION_COLUMNS}.
 *
 * @param run The run (tracking's `initRun`).
 * @param predictions The predictions.
 * @param options Gold labels, table key, text length cap.
 * @returns Resolves when the table is handed to the tracker.
 * @throws {Error} When `gold` does not have one label per prediction.
 *
 * @example
 * ```ts
 * import { initRun, finishRun } from "../tracking/mod.ts";
 * import { loadModel } from "../models/mod.ts";
 * import { logPredictions, predictBatch } from "./mod.ts";
 * const run = await initRun({ tracker: "disabled" });
 * const preds = await predictBatch(await loadModel("lexicon"), ["good", "bad"]);
 * await logPredictions(run, preds, { gold: ["positive", "negative"] });
 * await finishRun(run);
 * ```
 */
export async function logPredictions(
  run: Run,
  predictions: readonly Prediction[],
  options: LogPredictionsOptions = {},
): Promise<void> {
  const gold = options.gold;
  if (gold !== undefined && gold.length !== predictions.length) {
    throw new Error(
      `Cannot log predictions: ${predictions.length} predictions but ${gold.length} gold labels; ` +
        "pass one gold label per prediction",
    );
  }
  const max = options.maxTextLength ?? 10_000;
  const rows = predictions.map((p, i) => predictionRow(p, gold ? gold[i] : null, max));
  await logTable(run, options.key ?? "predictions", { columns: [...PREDICTION_COLUMNS], rows });
}
