import assert from "node:assert/strict";
import { batchStatistics, logPredictions, predictBatch, predictSingle } from "../lib/inference/mod.ts";
import { createLexiconModel, type Label, type Model } from "../lib/models/mod.ts";
import { finishRun, getRun, getTableRows, initRun } from "../lib/tracking/mod.ts";

/** A real model whose label order differs from LABELS and which records its batch sizes. */
function orderedModel(calls: number[]): Model {
  const labels: Label[] = ["positive", "negative", "neutral"];
  return {
    name: "reordered",
    type: "test",
    labels,
    description: "scores by text length: even = positive, odd = negative",
    dir: null,
    card: null,
    scoreBatch(texts) {
      calls.push(texts.length);
      return Promise.resolve(
        texts.map((t) =>
          t.length % 2 === 0 ? Float32Array.of(0.7, 0.2, 0.1) : Float32Array.of(0.1, 0.6, 0.3)
        ),
      );
    },
    close: () => Promise.resolve(),
  };
}

Deno.test("predictBatch: order, batches, progress, label order of the model", async () => {
  const calls: number[] = [];
  const progress: [number, number][] = [];
  const texts = Array.from({ length: 10 }, (_, i) => "x".repeat(i));
  const preds = await predictBatch(orderedModel(calls), texts, {
    batchSize: 4,
    onProgress: (done, total) => progress.push([done, total]),
  });
  assert.deepEqual(calls, [4, 4, 2]);
  assert.deepEqual(progress, [[4, 10], [8, 10], [10, 10]]);
  assert.deepEqual(preds.map((p) => p.text), texts);
  assert.equal(preds[0].label, "positive");
  assert.equal(preds[1].label, "negative");
  assert.equal(preds[1].confidence, Math.fround(0.6));
  assert.deepEqual(preds[0].scores, {
    positive: Math.fround(0.7),
    negative: Math.fround(0.2),
    neutral: Math.fround(0.1),
  });
  assert.deepEqual(await predictBatch(orderedModel([]), []), []);
});

Deno.test("predictBatch: bad input and broken models give clear errors", async () => {
  const model = orderedModel([]);
  await assert.rejects(
    predictBatch(model, ["a"], { batchSize: 0 }),
    /Invalid batchSize 0: use a positive integer/,
  );
  await assert.rejects(predictBatch(model, ["a"], { batchSize: 1.5 }), /Invalid batchSize 1\.5/);
  // @ts-expect-error: not a string
  await assert.rejects(predictBatch(model, ["a", 3]), /texts\[1\] is number, expected a string/);
  // @ts-expect-error: not a string
  await assert.rejects(predictSingle(model, null), /predictSingle expects a string, got null/);
  const short: Model = { ...model, scoreBatch: () => Promise.resolve([]) };
  await assert.rejects(predictBatch(short, ["a"]), /returned 0 score rows for 1 texts/);
  const nan: Model = {
    ...model,
    scoreBatch: (t) => Promise.resolve(t.map(() => Float32Array.of(NaN, NaN, NaN))),
  };
  await assert.rejects(predictBatch(nan, ["a"]), /returned invalid scores \[NaN, NaN, NaN\] for texts\[0\]/);
  const wide: Model = { ...model, scoreBatch: (t) => Promise.resolve(t.map(() => Float32Array.of(1, 0))) };
  await assert.rejects(predictBatch(wide, ["a"]), /returned 2 scores for texts\[0\], expected 3/);
});

Deno.test("predictSingle and predictBatch on the lexicon model: edge-case texts have defined results", async () => {
  const model = await createLexiconModel();
  const p = await predictSingle(model, "The staff were wonderful and the food was superb");
  assert.equal(p.label, "positive");
  assert.equal(p.confidence, p.scores.positive);
  const texts = ["", " ", "😀😀", "Отличный фильм", "素晴らしい", "x".repeat(1_048_576), "\uDC00"];
  const preds = await predictBatch(model, texts, { batchSize: 3 });
  assert.equal(preds.length, texts.length);
  preds.forEach((q, i) => {
    assert.equal(q.text, texts[i]);
    assert.ok(["negative", "neutral", "positive"].includes(q.label));
    assert.ok(Math.abs(q.scores.negative + q.scores.neutral + q.scores.positive - 1) < 1e-5);
  });
  assert.equal(preds[0].label, "neutral");
  assert.equal(preds[2].label, "positive");
});

Deno.test("batchStatistics: average confidence, distribution, count below the threshold", () => {
  const mk = (label: Label, confidence: number) => ({
    text: "",
    label,
    confidence,
    scores: { negative: 0, neutral: 0, positive: 0, [label]: confidence },
  });
  const s = batchStatistics([
    mk("positive", 0.9),
    mk("neutral", 0.4),
    mk("positive", 0.6),
    mk("negative", 0.3),
  ], {
    threshold: 0.5,
  });
  assert.equal(s.count, 4);
  assert.ok(Math.abs(s.averageConfidence - 0.55) < 1e-12);
  assert.equal(s.minConfidence, 0.3);
  assert.deepEqual(s.labelDistribution, { negative: 1, neutral: 1, positive: 2 });
  assert.equal(s.belowThreshold, 2);
  assert.deepEqual(batchStatistics([]), {
    count: 0,
    averageConfidence: 0,
    minConfidence: 0,
    labelDistribution: { negative: 0, neutral: 0, positive: 0 },
    threshold: 0.5,
    belowThreshold: 0,
  });
  assert.throws(
    () => batchStatistics([], { threshold: 2 }),
    /Invalid threshold 2: use a number between 0 and 1/,
  );
});

Deno.test("logPredictions: a table in the local store with gold, scores and capped texts", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sentilab-inference-" });
  try {
    const model = await createLexiconModel();
    const preds = await predictBatch(model, ["I love it", "I hate it", "y".repeat(20_000)]);
    const run = await initRun({ dir, tracker: "local" });
    await logPredictions(run, preds, { gold: ["positive", "negative", "neutral"] });
    await logPredictions(run, preds.slice(0, 1), { key: "no_gold", maxTextLength: 3 });
    await assert.rejects(
      logPredictions(run, preds, { gold: ["positive"] }),
      /3 predictions but 1 gold labels/,
    );
    await finishRun(run);
    const page = getTableRows(run.id, "predictions", { dir })!;
    assert.deepEqual(page.columns, [
      "text",
      "gold",
      "predicted",
      "confidence",
      "score_negative",
      "score_neutral",
      "score_positive",
    ]);
    assert.equal(page.rows.length, 3);
    assert.deepEqual(page.rows[0].slice(0, 3), ["I love it", "positive", "positive"]);
    assert.equal(page.rows[0][3], preds[0].confidence);
    assert.equal((page.rows[2][0] as string).length, 10_001);
    assert.deepEqual(getTableRows(run.id, "no_gold", { dir })!.rows[0].slice(0, 2), ["I l…", null]);
    assert.deepEqual(getRun(run.id, { dir })!.tables.map((t) => t.key).sort(), ["no_gold", "predictions"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
