import type { Label, Model, Prediction } from "../models/types.ts";

/** Turns the score rows of a model into predictions (argmax label, its score, every label's score). */
export function toPredictions(
  model: Model,
  texts: readonly string[],
  rows: readonly Float32Array[],
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
  const full = k === 3 && labels[0] === "negative" && labels[1] === "neutral" && labels[2] === "positive";
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
    let bestScore = row[0];
    for (let j = 1; j < k; j++) {
      if (row[j] > bestScore) {
        best = j;
        bestScore = row[j];
      }
    }
    if (!(bestScore >= 0 && bestScore <= 1.0001)) {
      throw new Error(
        `Model "${model.name}" returned invalid scores [${Array.from(row).join(", ")}] for texts[${
          offset + i
        }]; ` +
          "scores must be probabilities",
      );
    }
    const scores = full ? { negative: row[0], neutral: row[1], positive: row[2] } : toScores(labels, row);
    out.push({ text: texts[i], label: labels[best], confidence: bestScore, scores });
  }
}

function toScores(labels: readonly Label[], row: Float32Array): Record<Label, number> {
  const scores = { negative: 0, neutral: 0, positive: 0 };
  for (let j = 0; j < labels.length; j++) scores[labels[j]] = row[j];
  return scores;
}
