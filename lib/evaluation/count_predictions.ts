import { binaryLabel, type Label, LABELS, type Prediction } from "../sentiment/mod.ts";

/** Confidence histogram bins: [0, 0.05), [0.05, 0.1), ... [0.95, 1]. */
export const CONFIDENCE_BINS = 20;

/**
 * Everything an evaluation needs, as sums: counts of predictions against gold labels plus the batch
 * statistics. Adding predictions in pieces, or adding the counts of shards, gives exactly the counts of
 * the whole; metrics are computed from them at the end ({@linkcode evaluationFromCounts}).
 */
export interface EvaluationCounts {
  /** Texts counted. */
  count: number;
  /** `confusion[g][p]`: texts with gold `LABELS[g]` predicted as `LABELS[p]` (argmax label). */
  confusion: number[][];
  /**
   * `binaryConfusion[g][p]` over the texts whose gold label is not neutral: gold negative/positive (0/1)
   * against the binary rule's prediction (positive when its positive score is at least its negative score).
   */
  binaryConfusion: number[][];
  /** Predictions per label (argmax). */
  predicted: Record<Label, number>;
  /**
   * Sum of the confidences in units of 2^-24 (each rounded to that unit, float32's resolution near 1): an
   * integer, so sums in any order, of batches or of shards, are exactly equal.
   */
  confidenceSum: number;
  /** Lowest confidence (1 when nothing was counted). */
  minConfidence: number;
  /** The threshold of `belowThreshold`. */
  threshold: number;
  /** Predictions whose confidence is below `threshold`. */
  belowThreshold: number;
  /** Predictions per confidence bin ({@linkcode CONFIDENCE_BINS} bins of width 0.05). */
  confidenceHistogram: number[];
}

/**
 * Empty counts.
 * @param threshold Confidence below which a prediction counts as uncertain (default 0.5).
 * @returns Counts of nothing.
 */
export function emptyCounts(threshold = 0.5): EvaluationCounts {
  return {
    count: 0,
    confusion: LABELS.map(() => LABELS.map(() => 0)),
    binaryConfusion: [[0, 0], [0, 0]],
    predicted: { negative: 0, neutral: 0, positive: 0 },
    confidenceSum: 0,
    minConfidence: 1,
    threshold,
    belowThreshold: 0,
    confidenceHistogram: new Array(CONFIDENCE_BINS).fill(0),
  };
}

/** Units per 1.0 of {@linkcode EvaluationCounts.confidenceSum}. */
export const CONFIDENCE_UNIT = 2 ** 24;

const INDEX: Record<string, number> = { negative: 0, neutral: 1, positive: 2 };

/**
 * Adds predictions and their gold labels to evaluation counts (in place): the confusion counts of the
 * 3-class and the binary rule, label counts, confidence sum, minimum, below-threshold count and histogram.
 *
 * @param counts Counts to add to (from {@linkcode emptyCounts}, or earlier calls).
 * @param predictions Predictions, in the order of `gold`.
 * @param gold Gold labels, one per prediction.
 * @param offset Index of `gold[0]` in the whole input (named in errors).
 * @returns `counts`.
 * @throws {Error} When the lengths differ or a gold or predicted label is not a sentiment label.
 * @example
 * ```ts
 * import { countPredictions, emptyCounts } from "./mod.ts";
 * const p = { text: "", label: "positive" as const, confidence: 0.9, scores: { negative: 0.05, neutral: 0.05, positive: 0.9 } };
 * const counts = countPredictions(emptyCounts(), [p, p], ["positive", "negative"]);
 * console.log(counts.confusion[2][2], counts.confusion[0][2]); // 1 1
 * ```
 */
export function countPredictions(
  counts: EvaluationCounts,
  predictions: readonly Prediction[],
  gold: readonly string[],
  offset = 0,
): EvaluationCounts {
  if (predictions.length !== gold.length) {
    throw new Error(
      `Cannot evaluate: ${predictions.length} predictions but ${gold.length} gold labels; ` +
        "pass exactly one gold label per prediction, in the same order",
    );
  }
  const bins = counts.confidenceHistogram.length;
  for (let i = 0; i < predictions.length; i++) {
    const p = predictions[i];
    const g = INDEX[gold[i]];
    if (g === undefined || !Object.hasOwn(INDEX, gold[i])) {
      throw new Error(
        `Cannot evaluate: gold[${offset + i}] is ${JSON.stringify(gold[i])}, not one of ${
          LABELS.join(", ")
        }; ` +
          "normalise labels first (readDataset does)",
      );
    }
    const q = Object.hasOwn(INDEX, p.label) ? INDEX[p.label] : undefined;
    if (q === undefined) {
      throw new Error(`Cannot evaluate: predictions[${offset + i}].label is ${JSON.stringify(p.label)}`);
    }
    counts.confusion[g][q]++;
    if (g !== 1) {
      counts
        .binaryConfusion[g >> 1][binaryLabel(p.scores.negative, p.scores.positive) === "positive" ? 1 : 0]++;
    }
    counts.predicted[p.label]++;
    const c = p.confidence;
    counts.confidenceSum += Math.round(c * CONFIDENCE_UNIT);
    if (c < counts.minConfidence) counts.minConfidence = c;
    if (c < counts.threshold) counts.belowThreshold++;
    counts.confidenceHistogram[Math.min(bins - 1, Math.max(0, Math.floor(c * bins)))]++;
  }
  counts.count += predictions.length;
  return counts;
}
