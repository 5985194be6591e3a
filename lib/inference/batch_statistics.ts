import { type Label, LABELS, type Prediction } from "../models/types.ts";

/** Options for {@linkcode batchStatistics}. */
export interface BatchStatisticsOptions {
  /** Confidence below which a prediction counts as uncertain (default 0.5). */
  threshold?: number;
}

/** Summary of a batch of predictions. */
export interface BatchStatistics {
  /** Number of predictions. */
  count: number;
  /** Mean confidence (0 when there are none). */
  averageConfidence: number;
  /** Lowest confidence (0 when there are none). */
  minConfidence: number;
  /** Predictions per label. */
  labelDistribution: Record<Label, number>;
  /** The threshold used. */
  threshold: number;
  /** Number of predictions whose confidence is below `threshold`. */
  belowThreshold: number;
}

/**
 * Summarises predictions: average and lowest confidence, how many got each label, and how many are
 * below a confidence threshold.
 *
 * @param predictions The predictions.
 * @param options The threshold.
 * @returns The statistics (all zero for no predictions).
 * @throws {Error} When the threshold is not a number in [0, 1].
 *
 * @example
 * ```ts
 * import { batchStatistics } from "./mod.ts";
 * const p = { text: "ok", label: "neutral" as const, confidence: 0.4, scores: { negative: 0.3, neutral: 0.4, positive: 0.3 } };
 * console.log(batchStatistics([p], { threshold: 0.5 }).belowThreshold); // 1
 * ```
 */
export function batchStatistics(
  predictions: readonly Prediction[],
  options: BatchStatisticsOptions = {},
): BatchStatistics {
  const threshold = options.threshold ?? 0.5;
  if (typeof threshold !== "number" || !(threshold >= 0 && threshold <= 1)) {
    throw new Error(`Invalid threshold ${JSON.stringify(threshold)}: use a number between 0 and 1`);
  }
  const labelDistribution = Object.fromEntries(LABELS.map((l) => [l, 0])) as Record<Label, number>;
  let sum = 0, min = Infinity, below = 0;
  for (const p of predictions) {
    sum += p.confidence;
    if (p.confidence < min) min = p.confidence;
    if (p.confidence < threshold) below++;
    labelDistribution[p.label]++;
  }
  const n = predictions.length;
  return {
    count: n,
    averageConfidence: n ? sum / n : 0,
    minConfidence: n ? min : 0,
    labelDistribution,
    threshold,
    belowThreshold: below,
  };
}
