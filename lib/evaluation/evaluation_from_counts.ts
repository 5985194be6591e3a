import { type Label, LABELS } from "../sentiment/mod.ts";
import type { BatchStatistics } from "../inference/batch_statistics.ts";
import { CONFIDENCE_UNIT, type EvaluationCounts } from "./count_predictions.ts";
import type { ClassMetrics, EvaluationResult } from "./evaluate.ts";

/** Options for {@linkcode evaluationFromCounts}. */
export interface EvaluationFromCountsOptions {
  /** Score as binary positive-vs-negative (default: when no gold label is neutral); see `evaluate`. */
  binary?: boolean;
}

/** What {@linkcode evaluationFromCounts} returns. */
export interface EvaluationFromCounts {
  /** The metrics, as `evaluate` gives them. */
  result: EvaluationResult;
  /** The batch statistics, as `batchStatistics` gives them. */
  statistics: BatchStatistics;
}

/**
 * The metrics and batch statistics of evaluation counts: what `evaluate` and `batchStatistics` give for
 * the same predictions (both are computed this way), so counts added in batches or summed over shards give
 * exactly the metrics of one pass over everything.
 *
 * @param counts The counts (`countPredictions`, `mergeEvaluationCounts`).
 * @param options Binary scoring.
 * @returns Metrics and statistics.
 * @throws {Error} When nothing was counted, or `binary` is asked for while a gold label is neutral.
 * @example
 * ```ts
 * import { countPredictions, emptyCounts, evaluationFromCounts } from "./mod.ts";
 * const p = { text: "", label: "positive" as const, confidence: 0.9, scores: { negative: 0.05, neutral: 0.05, positive: 0.9 } };
 * const { result } = evaluationFromCounts(countPredictions(emptyCounts(), [p], ["positive"]));
 * console.log(result.accuracy, result.binary); // 1 true
 * ```
 */
export function evaluationFromCounts(
  counts: EvaluationCounts,
  options: EvaluationFromCountsOptions = {},
): EvaluationFromCounts {
  const n = counts.count;
  if (n === 0) throw new Error("Cannot evaluate: no predictions and no gold labels");
  const neutralGold = counts.confusion[1].reduce((a, b) => a + b, 0);
  const binary = options.binary ?? neutralGold === 0;
  if (binary && neutralGold > 0) {
    throw new Error(
      `Cannot evaluate as binary: ${neutralGold} gold labels are "neutral"; drop { binary: true } or remove ` +
        "neutral texts",
    );
  }
  const labels: Label[] = LABELS.filter((l) => !binary || l !== "neutral");
  const matrix = binary ? counts.binaryConfusion.map((r) => [...r]) : counts.confusion.map((r) => [...r]);
  const k = labels.length;
  let correct = 0;
  for (let c = 0; c < k; c++) correct += matrix[c][c];
  const perClass: Partial<Record<Label, ClassMetrics>> = {};
  const support: Partial<Record<Label, number>> = {};
  const macro = { precision: 0, recall: 0, f1: 0 };
  const weighted = { precision: 0, recall: 0, f1: 0 };
  const present: number[] = [];
  for (let c = 0; c < k; c++) {
    const tp = matrix[c][c];
    let goldCount = 0, predCount = 0;
    for (let j = 0; j < k; j++) {
      goldCount += matrix[c][j];
      predCount += matrix[j][c];
    }
    const precision = predCount === 0 ? 0 : tp / predCount;
    const recall = goldCount === 0 ? 0 : tp / goldCount;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    perClass[labels[c]] = { precision, recall, f1, support: goldCount };
    support[labels[c]] = goldCount;
    if (goldCount + predCount > 0) present.push(c);
    weighted.precision += (precision * goldCount) / n;
    weighted.recall += (recall * goldCount) / n;
    weighted.f1 += (f1 * goldCount) / n;
  }
  // Macro: mean over the labels seen in gold or predictions (never empty: n > 0).
  for (const key of ["precision", "recall", "f1"] as const) {
    macro[key] = present.reduce((sum, c) => sum + perClass[labels[c]]![key], 0) / present.length;
  }
  return {
    result: {
      count: n,
      binary,
      labels,
      accuracy: correct / n,
      macro,
      weighted,
      perClass,
      confusionMatrix: matrix,
      support,
    },
    statistics: {
      count: n,
      averageConfidence: counts.confidenceSum / CONFIDENCE_UNIT / n,
      minConfidence: counts.minConfidence,
      labelDistribution: { ...counts.predicted },
      threshold: counts.threshold,
      belowThreshold: counts.belowThreshold,
    },
  };
}
