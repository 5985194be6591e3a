/**
 * The binary scoring rule, in one place: how a three-class prediction is read when the gold labels are
 * only negative and positive (SST-2, IMDB, ...). Used by lib/evaluation (`evaluate`) and by training's
 * validation and model card, so a model is scored the same way when it is chosen and when it is measured.
 * @module
 */

/**
 * The binary rule: `positive` when the positive score is at least the negative score, else `negative`.
 * The neutral score is ignored; ties go to positive (the lexicon convention "score >= 0 is positive").
 *
 * @param negative The negative score.
 * @param positive The positive score.
 * @returns The binary label.
 * @example
 * ```ts
 * import { binaryLabel } from "./binary_label.ts";
 * binaryLabel(0.2, 0.3); // "positive" (even if neutral scored 0.5)
 * binaryLabel(0.4, 0.4); // "positive": ties go to positive
 * ```
 */
export function binaryLabel(negative: number, positive: number): "negative" | "positive" {
  return positive >= negative ? "positive" : "negative";
}
