/**
 * Shared types of the display helpers: the shape of a prediction the display helpers accept (structurally what
 * `lib/models/types.ts` `Prediction` is; kept local so the display module depends on nothing).
 * @module
 */

/** A prediction as the display helpers read it. */
export interface PredictionLike {
  /** The input text. */
  text: string;
  /** The predicted label. */
  label: string;
  /** Score of the predicted label (0..1). */
  confidence: number;
  /** Score of every label (optional). */
  scores?: Readonly<Record<string, number>>;
}
