import type { Prediction } from "../models/types.ts";

/**
 * One row of a prediction table (columns: PREDICTION_COLUMNS of log_predictions.ts): the text cut to
 * `maxTextLength` characters (ending with `…`), gold label or null, label, confidence, scores.
 */
export function predictionRow(p: Prediction, gold: string | null, maxTextLength: number): unknown[] {
  return [
    p.text.length > maxTextLength ? p.text.slice(0, maxTextLength) + "…" : p.text,
    gold,
    p.label,
    p.confidence,
    p.scores.negative,
    p.scores.neutral,
    p.scores.positive,
  ];
}
