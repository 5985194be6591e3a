/**
 * The sentiment labels, their scores and a prediction: the ground floor of the sentiment modules (models,
 * data, inference, evaluation, training, video), which import them from here.
 * @module
 */

/**
 * The sentiment labels every model of sentilab predicts, in this order (the order of a model's scores
 * rows and of the confusion matrix).
 *
 * @example
 * ```ts
 * import { LABELS } from "./labels.ts";
 * console.log(LABELS.join(", ")); // negative, neutral, positive
 * console.log((LABELS as readonly string[]).includes("pos")); // false: normalise raw labels first
 * ```
 */
export const LABELS = ["negative", "neutral", "positive"] as const;

/** A sentiment label. */
export type Label = typeof LABELS[number];

/** The score (probability) of every label. */
export type Scores = Record<Label, number>;

/** What a model says about one text. */
export interface Prediction {
  /** The input text. */
  text: string;
  /** The label with the highest score. */
  label: Label;
  /** The score of that label (0..1). */
  confidence: number;
  /** The score of every label; they sum to 1. */
  scores: Scores;
}
