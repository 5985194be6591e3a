/**
 * Score rows to predictions, in one place: the argmax label, its score as the confidence, and every
 * label's score, with one validation of what a model returned. Used by lib/inference (predictBatch) and,
 * through it, lib/video.
 * @module
 */
import { type Label, LABELS, type Prediction, type Scores } from "./labels.ts";

/** What {@linkcode toPredictions} needs of a model: its name (for errors) and the order of its scores. */
export interface ScoringModel {
  /** Name, used in error messages. */
  readonly name: string;
  /** The label of each score of a row, in order. */
  readonly labels: readonly Label[];
}

/**
 * Turns a model's score rows into predictions, appended to `out`. A row must hold one probability (a
 * finite number in 0..1) per label of the model; the label is the first highest score.
 *
 * @param model The model's name and labels.
 * @param texts The texts scored (one row each).
 * @param rows The score rows the model returned.
 * @param offset Index of `texts[0]` in the caller's whole input (for error messages).
 * @param out The predictions array to append to.
 * @throws {Error} When the rows do not match the texts or a row is not a row of probabilities (naming the
 *   model and the text's index).
 * @example
 * ```ts
 * import { toPredictions } from "./to_predictions.ts";
 * const out = [];
 * toPredictions({ name: "m", labels: ["negative", "neutral", "positive"] }, ["hi"], [Float32Array.of(0.1, 0.2, 0.7)], 0, out);
 * out[0].label; // "positive"
 * ```
 */
export function toPredictions(
  model: ScoringModel,
  texts: readonly string[],
  rows: readonly ArrayLike<number>[],
  offset: number,
  out: Prediction[],
): void {
  if (rows.length !== texts.length) {
    throw new Error(
      `Model "${model.name}" returned ${rows.length} score rows for ${texts.length} texts (texts[${offset}..]); ` +
        "the model is broken: scoreBatch must return one row per text",
    );
  }
  const labels = model.labels;
  const k = labels.length;
  const full = k === 3 && labels[0] === LABELS[0] && labels[1] === LABELS[1] && labels[2] === LABELS[2];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (row.length !== k) {
      throw new Error(
        `Model "${model.name}" returned ${row.length} scores for texts[${offset + i}], expected ${k} (${
          labels.join(", ")
        })`,
      );
    }
    let best = 0;
    for (let j = 0; j < k; j++) {
      if (!(row[j] >= 0 && row[j] <= 1.0001)) {
        throw new Error(
          `Model "${model.name}" returned invalid scores [${Array.from(row).join(", ")}] for texts[${
            offset + i
          }]; scores must be probabilities (0..1)`,
        );
      }
      if (row[j] > row[best]) best = j;
    }
    const scores: Scores = full
      ? { negative: row[0], neutral: row[1], positive: row[2] }
      : { negative: 0, neutral: 0, positive: 0 };
    if (!full) { for (let j = 0; j < k; j++) scores[labels[j]] = row[j]; }
    out.push({ text: texts[i], label: labels[best], confidence: row[best], scores });
  }
}
