import { LABELS } from "../sentiment/mod.ts";
import { emptyCounts, type EvaluationCounts } from "./count_predictions.ts";

/**
 * Sums evaluation counts (of shards of one input): the result is exactly the counts of the whole.
 * @param parts The counts; all must use the same threshold and histogram bins.
 * @returns Their sum (a new object).
 * @throws {Error} When the thresholds or histogram bins differ.
 * @example
 * ```ts
 * import { emptyCounts, mergeEvaluationCounts } from "./mod.ts";
 * console.log(mergeEvaluationCounts([emptyCounts(), emptyCounts()]).count); // 0
 * ```
 */
export function mergeEvaluationCounts(parts: readonly EvaluationCounts[]): EvaluationCounts {
  const out = emptyCounts(parts[0]?.threshold ?? 0.5);
  for (const [n, p] of parts.entries()) {
    if (p.threshold !== out.threshold || p.confidenceHistogram.length !== out.confidenceHistogram.length) {
      throw new Error(
        `Cannot merge evaluation counts: part ${n} has threshold ${p.threshold} and ` +
          `${p.confidenceHistogram.length} histogram bins, part 0 ${out.threshold} and ${out.confidenceHistogram.length}`,
      );
    }
    out.count += p.count;
    for (let g = 0; g < 3; g++) for (let q = 0; q < 3; q++) out.confusion[g][q] += p.confusion[g][q];
    for (let g = 0; g < 2; g++) {
      for (let q = 0; q < 2; q++) out.binaryConfusion[g][q] += p.binaryConfusion[g][q];
    }
    for (const l of LABELS) out.predicted[l] += p.predicted[l];
    out.confidenceSum += p.confidenceSum;
    out.minConfidence = Math.min(out.minConfidence, p.minConfidence);
    out.belowThreshold += p.belowThreshold;
    p.confidenceHistogram.forEach((x, i) => (out.confidenceHistogram[i] += x));
  }
  return out;
}
