import type { Label, Prediction } from "../sentiment/mod.ts";
import { countPredictions, emptyCounts } from "./count_predictions.ts";
import { evaluationFromCounts } from "./evaluation_from_counts.ts";

/** Precision, recall, F1 and support of one label. */
export interface ClassMetrics {
  /** Share of the texts predicted as this label that carry it (0 when the label was never predicted). */
  precision: number;
  /** Share of the texts carrying this label that were predicted as it (0 when it has no support). */
  recall: number;
  /** Harmonic mean of precision and recall (0 when both are 0). */
  f1: number;
  /** Number of gold texts with this label. */
  support: number;
}

/** Averaged precision, recall and F1. */
export interface AveragedMetrics {
  /** Averaged precision. */
  precision: number;
  /** Averaged recall. */
  recall: number;
  /** Averaged F1. */
  f1: number;
}

/** What {@linkcode evaluate} measures. */
export interface EvaluationResult {
  /** Number of texts evaluated. */
  count: number;
  /** True when scored as positive vs negative (see {@linkcode EvaluateOptions.binary}). */
  binary: boolean;
  /** The labels of the per-class metrics and of the confusion matrix rows and columns, in this order. */
  labels: Label[];
  /** Share of texts whose predicted label equals the gold label. */
  accuracy: number;
  /**
   * Unweighted mean over the labels of `labels` that occur in the gold labels or in the predictions
   * (scikit-learn's `average="macro"` with `labels=None`): a label absent from both is left out rather
   * than counted as 0. Macro-recall is TweetEval's official metric.
   */
  macro: AveragedMetrics;
  /** Mean over `labels` weighted by gold support (labels without support weigh 0). */
  weighted: AveragedMetrics;
  /** Metrics of every label of `labels`. */
  perClass: Partial<Record<Label, ClassMetrics>>;
  /** `confusionMatrix[g][p]`: texts with gold `labels[g]` predicted as `labels[p]`. */
  confusionMatrix: number[][];
  /** Number of gold texts per label of `labels`. */
  support: Partial<Record<Label, number>>;
}

/** Options for {@linkcode evaluate}. */
export interface EvaluateOptions {
  /**
   * Score as a binary positive-vs-negative task. Default: true when the gold labels contain no
   * `neutral`, false otherwise. The binary rule: a 3-class prediction counts as `positive` when its
   * positive score is at least its negative score, otherwise `negative` (the neutral score is ignored;
   * ties go to positive, as the lexicon convention "score >= 0 is positive"). With `binary: true` a
   * `neutral` gold label is an error.
   */
  binary?: boolean;
}

/**
 * Measures predictions against gold labels: accuracy, per-class and macro precision/recall/F1,
 * weighted F1, the confusion matrix and the support of each label.
 *
 * Gold labels containing only `negative` and `positive` (or `{ binary: true }`) are scored by the binary
 * rule of {@linkcode EvaluateOptions.binary}, so a 3-class model is fairly measured on binary data such as
 * SST-2. Precision of a label that was never predicted is 0 (scikit-learn's `zero_division=0`).
 *
 * Macro averages run over the labels present in the gold labels or the predictions, as scikit-learn's
 * `precision_recall_fscore_support(average="macro")` without `labels`: evaluating predictions
 * `[positive, negative]` against the same gold labels as a 3-class task gives macro F1 1.0, because
 * `neutral` occurs in neither and is not averaged in as a 0. A label that occurs in only one of them
 * (gold but never predicted, or predicted but never gold) does count, with its zeros. Per-class metrics
 * are still reported for every label of `labels`; weighted averages weigh each label by its gold support.
 *
 * @param predictions Predictions, in the order of `gold`.
 * @param gold Gold labels (`negative`, `neutral`, `positive`), one per prediction.
 * @param options Binary scoring (see {@linkcode EvaluateOptions}).
 * @returns The metrics.
 * @throws {Error} When the lengths differ, nothing is given, or a gold label is not a sentiment label.
 *
 * @example Three predictions, one wrong
 * ```ts
 * import { evaluate } from "./mod.ts";
 * const p = (label: "negative" | "neutral" | "positive") => ({
 *   text: "", label, confidence: 1,
 *   scores: { negative: +(label === "negative"), neutral: +(label === "neutral"), positive: +(label === "positive") },
 * });
 * const result = evaluate([p("positive"), p("negative"), p("neutral")], ["positive", "negative", "positive"]);
 * console.log(result.accuracy); // 0.666...
 * ```
 */
export function evaluate(
  predictions: readonly Prediction[],
  gold: readonly string[],
  options: EvaluateOptions = {},
): EvaluationResult {
  if (predictions.length !== gold.length) {
    throw new Error(
      `Cannot evaluate: ${predictions.length} predictions but ${gold.length} gold labels; ` +
        "pass exactly one gold label per prediction, in the same order",
    );
  }
  if (predictions.length === 0) throw new Error("Cannot evaluate: no predictions and no gold labels");
  if (options.binary) {
    const at = gold.indexOf("neutral");
    if (at >= 0) {
      throw new Error(
        `Cannot evaluate as binary: gold[${at}] is "neutral"; drop { binary: true } or remove neutral texts`,
      );
    }
  }
  const counts = countPredictions(emptyCounts(), predictions, gold);
  return evaluationFromCounts(counts, { binary: options.binary }).result;
}
