/**
 * Metrics used while training (kept private so training does not depend on lib/evaluation).
 * @module
 */
import { binaryLabel } from "../sentiment/binary_label.ts";
import { LABELS } from "../sentiment/labels.ts";

/** Metrics of 3-class predictions, or of binary gold scored by argmax over {negative, positive}. */
export interface SplitMetrics {
  /** Rows scored. */
  n: number;
  /** Accuracy. */
  accuracy: number;
  /** Macro-averaged recall over the classes present in the gold labels. */
  macro_recall: number;
  /** Macro-averaged F1 over the classes present in the gold labels. */
  macro_f1: number;
  /** Recall of each class present in gold. */
  recall: Record<string, number>;
}

/**
 * Scores predicted class ids against gold class ids (0 negative, 1 neutral, 2 positive).
 * @param pred Predicted ids.
 * @param gold Gold ids.
 * @returns The metrics; classes absent from gold are left out of the macro averages.
 */
export function splitMetrics(pred: ArrayLike<number>, gold: ArrayLike<number>): SplitMetrics {
  const cm = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  for (let i = 0; i < gold.length; i++) cm[gold[i]][pred[i]]++;
  let correct = 0, rsum = 0, fsum = 0, k = 0;
  const recall: Record<string, number> = {};
  for (let c = 0; c < 3; c++) {
    correct += cm[c][c];
    const support = cm[c][0] + cm[c][1] + cm[c][2];
    if (support === 0) continue;
    const predicted = cm[0][c] + cm[1][c] + cm[2][c];
    const r = cm[c][c] / support;
    const p = predicted ? cm[c][c] / predicted : 0;
    recall[LABELS[c]] = r;
    rsum += r;
    fsum += p + r > 0 ? (2 * p * r) / (p + r) : 0;
    k++;
  }
  return {
    n: gold.length,
    accuracy: gold.length ? correct / gold.length : 0,
    macro_recall: k ? rsum / k : 0,
    macro_f1: k ? fsum / k : 0,
    recall,
  };
}

/**
 * Predicted ids from score rows: argmax over all three classes (the first highest, as toPredictions), or,
 * for binary gold, the binary rule of lib/sentiment (`binaryLabel`).
 * @param probs Row-major scores, 3 per row.
 * @param binary Whether the gold labels are binary.
 * @returns Predicted ids.
 */
export function argmaxIds(probs: Float32Array | Float64Array, binary: boolean): Int8Array {
  const n = probs.length / 3;
  const out = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    const a = probs[i * 3], b = probs[i * 3 + 1], c = probs[i * 3 + 2];
    if (binary) out[i] = binaryLabel(a, c) === "positive" ? 2 : 0;
    else out[i] = a >= b && a >= c ? 0 : b >= c ? 1 : 2;
  }
  return out;
}
