/**
 * Shared types of the sentiment models.
 * @module
 */

/**
 * The sentiment labels every model of sentilab predicts, in this order (the order of a model's scores
 * rows and of the confusion matrix).
 *
 * @example
 * ```ts
 * import { LABELS } from "./types.ts";
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

/** A loaded sentiment model. */
export interface Model {
  /** Registry name or folder name. */
  readonly name: string;
  /** Model type: "onnx" or "lexicon" (room for "hf-onnx"). */
  readonly type: string;
  /** Label order of the model's score vectors. */
  readonly labels: readonly Label[];
  /** Human description. */
  readonly description: string;
  /** Folder the model was loaded from, when it has one. */
  readonly dir: string | null;
  /** Model card (parsed), when it has one. */
  readonly card: Record<string, unknown> | null;
  /**
   * Scores a batch of texts: one row per text, one score per entry of `labels`, rows sum to 1.
   * Must accept any string (empty, whitespace, emoji, any script) without throwing.
   */
  scoreBatch(texts: readonly string[]): Promise<Float32Array[]>;
  /** Frees native resources (ONNX session). */
  close(): Promise<void>;
}
