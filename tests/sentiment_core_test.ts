/**
 * The sentiment core (lib/sentiment): label aliases, the binary rule and score rows to predictions live
 * once, and the modules that used to carry their own copies (data, training, evaluation, inference, video)
 * give the same answers through it.
 * @module
 */
import assert from "node:assert/strict";
import { binaryLabel, LABEL_ALIASES, LABELS, normalizeLabel, toPredictions } from "../lib/sentiment/mod.ts";
import { evaluate } from "../lib/evaluation/mod.ts";
import type { Prediction } from "../lib/inference/mod.ts";
import { readLabelledJsonl } from "../lib/training/_jsonl.ts";
import { argmaxIds } from "../lib/training/_metrics.ts";

Deno.test("label aliases: readDataset's rule and training's reader accept the same names", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const raws = [...Object.keys(LABEL_ALIASES), "POS", " Neutral ", "Neg"];
    await Deno.writeTextFile(
      `${dir}/a.jsonl`,
      raws.map((label, i) => JSON.stringify({ text: `t${i}`, label })).join("\n") + "\n",
    );
    const rows = await readLabelledJsonl(`${dir}/a.jsonl`);
    assert.deepEqual(rows.labels.map((id) => LABELS[id]), raws.map((r) => normalizeLabel(r)));
    await Deno.writeTextFile(`${dir}/b.jsonl`, '{"text":"x","label":"happy"}\n');
    await assert.rejects(readLabelledJsonl(`${dir}/b.jsonl`), /b\.jsonl:1: unknown label "happy"/);
    assert.equal(normalizeLabel("happy"), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the binary rule: evaluate and training's validation score a row the same way", () => {
  let seed = 7;
  const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const rows: number[][] = [[0.4, 0.2, 0.4], [0.5, 0.4, 0.1], [0.1, 0.8, 0.1], [0.3, 0.1, 0.6]];
  for (let i = 0; i < 200; i++) {
    const a = rand(), b = rand(), c = rand(), s = a + b + c;
    rows.push([a / s, b / s, c / s]);
  }
  const preds: Prediction[] = [];
  toPredictions({ name: "m", labels: LABELS }, rows.map((_, i) => `t${i}`), rows, 0, preds);
  const gold = rows.map((_, i) => (i % 2 ? "positive" : "negative"));
  const result = evaluate(preds, gold, { binary: true });
  const ids = argmaxIds(Float64Array.from(rows.flat()), true);
  const predictedPositive = rows.filter((r) => binaryLabel(r[0], r[2]) === "positive").length;
  assert.equal([...ids].filter((id) => id === 2).length, predictedPositive);
  const cm = result.confusionMatrix;
  assert.equal(cm[0][1] + cm[1][1], predictedPositive, "evaluate counts the same positives");
  assert.equal(binaryLabel(0.4, 0.4), "positive", "ties go to positive");
  assert.equal(ids[0], 2, "the tie row [0.4, 0.2, 0.4]");
  // three-class: the first highest score, in toPredictions and in training alike
  const three = argmaxIds(Float64Array.from(rows.flat()), false);
  assert.deepEqual([...three].map((id) => LABELS[id]), preds.map((p) => p.label));
});

Deno.test("toPredictions: one validation for every caller", () => {
  const m = { name: "m", labels: LABELS };
  const out: Prediction[] = [];
  toPredictions({ name: "two", labels: ["negative", "positive"] }, ["a"], [[0.3, 0.7]], 0, out);
  assert.deepEqual(out[0], {
    text: "a",
    label: "positive",
    confidence: 0.7,
    scores: { negative: 0.3, neutral: 0, positive: 0.7 },
  });
  assert.throws(() => toPredictions(m, ["a", "b"], [[0, 0, 1]], 4, []), /returned 1 score rows for 2 texts/);
  assert.throws(
    () => toPredictions(m, ["a"], [[0, 1]], 4, []),
    /returned 2 scores for texts\[4\], expected 3/,
  );
  assert.throws(
    () => toPredictions(m, ["a"], [[-3, 0.5, 0.2]], 0, []),
    /invalid scores \[-3, 0\.5, 0\.2\] for texts\[0\]; scores must be probabilities/,
  );
  assert.throws(() => toPredictions(m, ["a"], [[NaN, 0, 1]], 0, []), /invalid scores/);
});

Deno.test("the rules live once: no other module of lib/ spells out the aliases or the binary rule", () => {
  const root = new URL("../lib/", import.meta.url).pathname;
  const offenders: string[] = [];
  const walk = (dir: string) => {
    for (const e of Deno.readDirSync(dir)) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory && e.name !== "sentiment") walk(p);
      else if (e.isFile && p.endsWith(".ts")) {
        const code = Deno.readTextFileSync(p).replace(/^\s*(\*|\/\/).*$/gm, "");
        if (/\bneu\s*:/.test(code) || /positive\s*>=\s*\S*negative/.test(code)) {
          offenders.push(p.slice(root.length));
        }
      }
    }
  };
  walk(root.replace(/\/$/, ""));
  assert.deepEqual(offenders, []);
});
