import assert from "node:assert/strict";
import { evaluate, logEvaluation } from "../lib/evaluation/mod.ts";
import { batchStatistics } from "../lib/inference/mod.ts";
import type { Label, Prediction } from "../lib/models/types.ts";
import { finishRun, getHistory, getRun, getTableRows, initRun } from "../lib/tracking/mod.ts";

function pred(label: Label, confidence: number): Prediction {
  const rest = (1 - confidence) / 2;
  const s = (l: Label) => (l === label ? confidence : rest);
  return {
    text: label,
    label,
    confidence,
    scores: { negative: s("negative"), neutral: s("neutral"), positive: s("positive") },
  };
}

Deno.test("logEvaluation: metrics with batch statistics, the summary with the confusion matrix, and its table", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sentilab-log-evaluation-" });
  try {
    const predictions = [
      pred("positive", 0.9),
      pred("negative", 0.4),
      pred("neutral", 0.6),
      pred("negative", 0.8),
    ];
    const gold = ["positive", "negative", "neutral", "positive"];
    const result = evaluate(predictions, gold);
    const stats = batchStatistics(predictions, { threshold: 0.5 });
    const run = await initRun({ dir, tracker: "local", project: "t" });
    const logged = await logEvaluation(run, result, { statistics: stats, seconds: 2, step: 7 });
    await finishRun(run);

    assert.equal(logged.accuracy, 0.75);
    assert.equal(logged.average_confidence, (0.9 + 0.4 + 0.6 + 0.8) / 4);
    assert.equal(logged.min_confidence, 0.4);
    assert.equal(logged.below_threshold, 1);
    assert.equal(logged.below_threshold_share, 0.25);
    assert.equal(logged.predicted_negative, 2);
    assert.equal(logged.predicted_neutral, 1);
    assert.equal(logged.predicted_positive, 1);
    assert.equal(logged.texts_per_second, 2);
    assert.equal(logged.confusion_positive_as_negative, 1);

    const history = getHistory(run.id, { dir });
    assert.equal(history.length, 1);
    assert.equal(history[0].step, 7);
    assert.deepEqual(history[0].values, logged);
    const details = getRun(run.id, { dir })!;
    assert.deepEqual(details.summary.confusion_matrix, {
      labels: ["negative", "neutral", "positive"],
      matrix: [[1, 0, 0], [0, 1, 0], [1, 0, 1]],
    });
    for (const [k, v] of Object.entries(logged)) assert.equal(details.summary[k], v, k);
    assert.equal(details.summary.scoring, "three-class", "how it was scored, in words");
    const table = getTableRows(run.id, "confusion_matrix", { dir })!;
    assert.deepEqual(table.columns, [
      "gold",
      "predicted_negative",
      "predicted_neutral",
      "predicted_positive",
    ]);
    assert.deepEqual(table.rows, [["negative", 1, 0, 0], ["neutral", 0, 1, 0], ["positive", 1, 0, 1]]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("logEvaluation: without statistics or seconds only the evaluation metrics; bad seconds is an error", async () => {
  const run = await initRun({ tracker: "disabled" });
  const result = evaluate([pred("positive", 1)], ["positive"]);
  const logged = await logEvaluation(run, result);
  assert.ok(!("average_confidence" in logged) && !("texts_per_second" in logged));
  assert.ok(!("binary" in logged));
  assert.equal(logged.accuracy, 1);
  await assert.rejects(logEvaluation(run, result, { seconds: -1 }), /seconds must be a number >= 0, got -1/);
  await finishRun(run);
});
