import assert from "node:assert/strict";
import { evaluate, flattenMetrics, formatEvaluation } from "../lib/evaluation/mod.ts";
import type { Label, Prediction } from "../lib/models/types.ts";

function pred(label: Label, scores?: [number, number, number]): Prediction {
  const s = scores ??
    [label === "negative" ? 1 : 0, label === "neutral" ? 1 : 0, label === "positive" ? 1 : 0];
  return {
    text: "",
    label,
    confidence: Math.max(...s),
    scores: { negative: s[0], neutral: s[1], positive: s[2] },
  };
}

const close = (a: number, b: number, msg?: string) =>
  assert.ok(Math.abs(a - b) < 1e-9, `${msg}: ${a} != ${b}`);

Deno.test("evaluate: 3-class metrics match the hand-computed values", () => {
  const gold: Label[] = [
    "positive",
    "positive",
    "positive",
    "negative",
    "negative",
    "neutral",
    "neutral",
    "neutral",
    "neutral",
    "positive",
  ];
  const predicted: Label[] = [
    "positive",
    "negative",
    "positive",
    "negative",
    "positive",
    "neutral",
    "positive",
    "neutral",
    "negative",
    "positive",
  ];
  const r = evaluate(predicted.map((l) => pred(l)), gold);
  assert.equal(r.binary, false);
  assert.deepEqual(r.labels, ["negative", "neutral", "positive"]);
  assert.deepEqual(r.confusionMatrix, [[1, 0, 1], [1, 2, 1], [1, 0, 3]]);
  assert.deepEqual(r.support, { negative: 2, neutral: 4, positive: 4 });
  close(r.accuracy, 0.6, "accuracy");
  close(r.perClass.negative!.precision, 1 / 3, "P neg");
  close(r.perClass.negative!.recall, 1 / 2, "R neg");
  close(r.perClass.negative!.f1, 0.4, "F1 neg");
  close(r.perClass.neutral!.precision, 1, "P neu");
  close(r.perClass.neutral!.recall, 0.5, "R neu");
  close(r.perClass.neutral!.f1, 2 / 3, "F1 neu");
  close(r.perClass.positive!.precision, 0.6, "P pos");
  close(r.perClass.positive!.recall, 0.75, "R pos");
  close(r.perClass.positive!.f1, 2 / 3, "F1 pos");
  close(r.macro.precision, (1 / 3 + 1 + 0.6) / 3, "macro P");
  close(r.macro.recall, (0.5 + 0.5 + 0.75) / 3, "macro R");
  close(r.macro.f1, (0.4 + 4 / 3) / 3, "macro F1");
  close(r.weighted.f1, (0.4 * 2 + (2 / 3) * 4 + (2 / 3) * 4) / 10, "weighted F1");
  close(r.weighted.recall, r.accuracy, "weighted recall equals accuracy");
});

Deno.test("evaluate: binary gold uses argmax over the negative and positive scores, ties to positive", () => {
  const preds = [
    pred("neutral", [0.2, 0.5, 0.3]), // -> positive (gold positive: right)
    pred("neutral", [0.4, 0.45, 0.15]), // -> negative (gold negative: right)
    pred("negative", [0.5, 0.1, 0.4]), // -> negative (gold positive: wrong)
    pred("neutral", [0.3, 0.4, 0.3]), // tie -> positive (gold negative: wrong)
  ];
  const r = evaluate(preds, ["positive", "negative", "positive", "negative"]);
  assert.equal(r.binary, true);
  assert.deepEqual(r.labels, ["negative", "positive"]);
  assert.deepEqual(r.confusionMatrix, [[1, 1], [1, 1]]);
  close(r.accuracy, 0.5);
  assert.equal(r.perClass.neutral, undefined);
  // Declaring binary: false scores the same data as 3-class: every neutral prediction is wrong.
  const three = evaluate(preds, ["positive", "negative", "positive", "negative"], { binary: false });
  assert.equal(three.binary, false);
  close(three.accuracy, 0);
});

Deno.test("evaluate: a label never predicted has precision 0, never a NaN", () => {
  const r = evaluate([pred("positive"), pred("positive")], ["negative", "positive"], { binary: false });
  assert.equal(r.perClass.negative!.precision, 0);
  assert.equal(r.perClass.neutral!.recall, 0);
  assert.equal(r.perClass.neutral!.f1, 0);
  for (const v of Object.values(flattenMetrics(r))) assert.ok(Number.isFinite(v));
});

Deno.test("evaluate: macro averages only the labels seen in gold or predictions (scikit-learn labels=None)", () => {
  // neutral occurs in neither: it is not averaged in as a 0.
  const perfect = evaluate([pred("positive"), pred("negative")], ["positive", "negative"], { binary: false });
  assert.deepEqual(perfect.labels, ["negative", "neutral", "positive"]);
  assert.deepEqual(perfect.macro, { precision: 1, recall: 1, f1: 1 });
  assert.deepEqual(perfect.weighted, { precision: 1, recall: 1, f1: 1 });
  assert.equal(perfect.perClass.neutral!.f1, 0);
  assert.equal(flattenMetrics(perfect).macro_f1, 1);
  // A label predicted but never gold counts (with its zeros), as one gold but never predicted does.
  const r = evaluate([pred("positive"), pred("neutral")], ["positive", "positive"], { binary: false });
  close(r.macro.precision, (0 + 1) / 2, "macro P");
  close(r.macro.recall, (0 + 0.5) / 2, "macro R");
  close(r.macro.f1, (0 + 2 / 3) / 2, "macro F1");
  close(r.weighted.f1, 2 / 3, "weighted F1 by support");
  const g = evaluate([pred("positive"), pred("positive")], ["negative", "positive"], { binary: false });
  close(g.macro.recall, (0 + 1) / 2, "macro R, negative never predicted");
  close(g.macro.precision, (0 + 0.5) / 2, "macro P, negative never predicted");
});

Deno.test("evaluate: bad input gives errors that say what to do", () => {
  assert.throws(
    () => evaluate([pred("positive")], ["positive", "negative"]),
    /1 predictions but 2 gold labels/,
  );
  assert.throws(() => evaluate([], []), /no predictions/);
  assert.throws(() => evaluate([pred("positive")], ["pos"]), /gold\[0\] is "pos".*normalise labels/);
  assert.throws(
    () => evaluate([pred("positive"), pred("neutral")], ["positive", "neutral"], { binary: true }),
    /gold\[1\] is "neutral"/,
  );
});

Deno.test("flattenMetrics: flat keys for logMetrics, with an optional prefix", () => {
  const r = evaluate([pred("positive"), pred("negative"), pred("neutral")], [
    "positive",
    "neutral",
    "neutral",
  ]);
  const m = flattenMetrics(r);
  close(m.accuracy, 2 / 3);
  assert.equal(m.confusion_neutral_as_negative, 1);
  assert.equal(m.confusion_neutral_as_neutral, 1);
  assert.equal(m.support_neutral, 2);
  assert.equal(m.count, 3);
  assert.ok(!("binary" in m), "how it was scored is not a metric");
  close(m.recall_neutral, 0.5);
  assert.ok("eval/macro_f1" in flattenMetrics(r, "eval/"));
});

Deno.test("formatEvaluation: a readable report with the confusion matrix", () => {
  const r = evaluate([pred("positive"), pred("negative")], ["positive", "positive"]);
  const text = formatEvaluation(r);
  assert.match(text, /precision\s+recall\s+f1\s+support/);
  assert.match(text, /accuracy 0\.500 on 2 texts \(binary rule\)/);
  assert.match(text, /confusion matrix \(rows: gold, columns: predicted\)/);
  assert.match(text, /positive\s+1\s+1/);
});
