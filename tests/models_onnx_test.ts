import assert from "node:assert/strict";
import { join } from "node:path";
import * as ort from "npm:onnxruntime-node@1.30.0";
import { createFeaturizer, defaultFeatureSpec, numFeaturesOf } from "../lib/models/_features.ts";
import { buildLinearOnnx } from "../lib/models/_onnx_export.ts";
import { loadOnnxModel } from "../lib/models/onnx_model.ts";

const LEX = [
  { name: "tiny", source: "test", entries: { good: 0.6, bad: -0.6, love: 0.8, "😀": 0.4 } },
];

Deno.test("featurizer: any string featurizes, within range, finite, capped", () => {
  const spec = defaultFeatureSpec(LEX, { hashBits: 10 });
  const f = createFeaturizer(spec);
  const n = numFeaturesOf(spec);
  assert.equal(n, 1024 + 9);
  const oneMb = "great movie, not bad at all! ".repeat(36_000); // ~1 MB
  const texts = [
    "",
    "   \n\t  ",
    "😀😀🎉👍🏽 👨‍👩‍👧",
    "日本語のテキスト、とても良い",
    "Привет, это ужасно",
    "مرحبا بالعالم",
    "\ud800 lone \udfff surrogates \ud83d",
    "\u0000\u0001 control chars",
    oneMb,
    "x".repeat(200_000), // one giant token
  ];
  for (const t of texts) {
    const { indices, values } = f.featurize(t);
    assert.equal(indices.length, values.length);
    for (let i = 0; i < indices.length; i++) {
      assert.ok(indices[i] >= 0 && indices[i] < n, `index ${indices[i]} out of range for ${t.slice(0, 20)}`);
      assert.ok(Number.isFinite(values[i]));
    }
  }
  // empty text: only the lexicon "no hit" feature
  const empty = f.featurize("");
  assert.deepEqual([...empty.indices], [1024 + 8]);
  // caps: tokens and characters
  assert.equal(f.tokenize(oneMb).length, spec.maxTokens);
  assert.ok(f.featurize(oneMb).indices.length < 5000);
  // deterministic and normalised the same way across spellings
  assert.deepEqual(f.tokenize("I don’t LOVE it's"), ["i", "do", "n't", "love", "it", "'s"]);
  assert.deepEqual(f.tokenize("i do n't love it 's"), ["i", "do", "n't", "love", "it", "'s"]);
  assert.deepEqual(f.tokenize("soooo :) 😀"), ["soo", ":)", "😀"]);
  assert.deepEqual(f.featurize("good film"), f.featurize("good film"));
  // negation flips the lexicon sum feature
  const sumIndex = 1024;
  const valueAt = (t: string) => {
    const r = f.featurize(t);
    return r.values[[...r.indices].indexOf(sumIndex)];
  };
  assert.ok(valueAt("good") > 0);
  assert.ok(valueAt("not good") < 0);
});

Deno.test("ONNX export: Gather/ReduceSum/Softmax graph matches a hand computation, dynamic N and K", async () => {
  const F = 6, C = 3;
  const weight = Float32Array.from({ length: F * C }, (_, i) => Math.sin(i + 1));
  const bias = Float32Array.of(0.1, -0.2, 0.3);
  const bytes = buildLinearOnnx({ weight, bias, numFeatures: F, numClasses: C });
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  try {
    assert.deepEqual(session.inputNames, ["indices", "values"]);
    assert.deepEqual(session.outputNames, ["probabilities"]);
    for (const [n, k] of [[1, 1], [2, 3], [4, 5]]) {
      const idx = BigInt64Array.from({ length: n * k }, (_, i) => BigInt((i * 7) % F));
      const val = Float32Array.from({ length: n * k }, (_, i) => (i % 3) * 0.5);
      const out = await session.run({
        indices: new ort.Tensor("int64", idx, [n, k]),
        values: new ort.Tensor("float32", val, [n, k]),
      });
      const p = out.probabilities.data as Float32Array;
      assert.deepEqual(out.probabilities.dims, [n, C]);
      for (let r = 0; r < n; r++) {
        const z = [...bias];
        for (let j = 0; j < k; j++) {
          for (let c = 0; c < C; c++) z[c] += weight[Number(idx[r * k + j]) * C + c] * val[r * k + j];
        }
        const m = Math.max(...z);
        const e = z.map((x) => Math.exp(x - m));
        const s = e.reduce((a, b) => a + b, 0);
        for (let c = 0; c < C; c++) assert.ok(Math.abs(p[r * C + c] - e[c] / s) < 1e-5);
      }
    }
  } finally {
    await session.release();
  }
  assert.throws(() => buildLinearOnnx({ weight, bias, numFeatures: 5, numClasses: 3 }), /expected 5 x 3/);
});

async function writeModel(dir: string) {
  const spec = defaultFeatureSpec(LEX, { hashBits: 8 });
  const F = numFeaturesOf(spec);
  const weight = new Float32Array(F * 3);
  // the lexicon "sum" feature drives negative/positive
  weight[256 * 3 + 0] = -8;
  weight[256 * 3 + 2] = 8;
  await Deno.writeFile(
    join(dir, "model.onnx"),
    buildLinearOnnx({ weight, bias: new Float32Array(3), numFeatures: F, numClasses: 3 }),
  );
  await Deno.writeTextFile(join(dir, "features.json"), JSON.stringify(spec));
  await Deno.writeTextFile(join(dir, "labels.json"), JSON.stringify(["negative", "neutral", "positive"]));
}

Deno.test("loadOnnxModel scores any text and names what is wrong with a folder", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sentilab_onnx_" });
  try {
    await assert.rejects(loadOnnxModel(join(dir, "nope")), /folder .*nope does not exist/);
    await assert.rejects(loadOnnxModel(dir), /feature spec .*features\.json is missing/);
    await writeModel(dir);
    const model = await loadOnnxModel(dir, { name: "hand", maxRunBatch: 2 });
    try {
      assert.equal(model.name, "hand");
      assert.equal(model.card, null);
      const texts = ["good good love", "bad", "", "   ", "😀", "\ud800", "x".repeat(1_000_000)];
      const rows = await model.scoreBatch(texts);
      assert.equal(rows.length, texts.length);
      for (const r of rows) assert.ok(Math.abs(r[0] + r[1] + r[2] - 1) < 1e-5);
      assert.ok(rows[0][2] > 0.9 && rows[1][0] > 0.5 && Math.abs(rows[2][0] - rows[2][2]) < 1e-6);
      assert.deepEqual(await model.scoreBatch([]), []);
    } finally {
      await model.close();
    }
    await model.close(); // idempotent

    await Deno.writeTextFile(join(dir, "labels.json"), '["negative","positive"]');
    await assert.rejects(loadOnnxModel(dir), /labels\.json must list the labels/);
    await Deno.writeTextFile(join(dir, "labels.json"), '["positive","neutral","negative"]');
    await Deno.writeTextFile(join(dir, "features.json"), '{"version": 1, "hashBits": 99}');
    await assert.rejects(loadOnnxModel(dir), /Invalid feature spec .*features\.json: field 'maxChars'/);
    await Deno.writeTextFile(join(dir, "features.json"), "{not json");
    await assert.rejects(loadOnnxModel(dir), /features\.json is not valid JSON/);
    await writeModel(dir);
    await Deno.writeFile(join(dir, "model.onnx"), new TextEncoder().encode("definitely not onnx"));
    await assert.rejects(loadOnnxModel(dir), /model\.onnx is not a valid ONNX file/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("shipped models/default: loads, is right on unambiguous sentences, has its card", async () => {
  const dir = new URL("../models/default", import.meta.url).pathname;
  const model = await loadOnnxModel(dir);
  try {
    assert.equal(model.type, "onnx");
    assert.deepEqual(model.labels, ["negative", "neutral", "positive"]);
    const cases: [string, string][] = [
      ["I absolutely love this phone, it is wonderful!", "positive"],
      ["This was the worst meal I have ever had. Disgusting.", "negative"],
      ["What a fantastic, beautiful film.", "positive"],
      ["I hate waiting, the service was terrible and rude.", "negative"],
      ["The company will publish its quarterly report on Tuesday.", "neutral"],
      ["The meeting is scheduled for 3 pm in room 204.", "neutral"],
      ["The food was not good at all.", "negative"],
    ];
    const rows = await model.scoreBatch(cases.map((c) => c[0]));
    rows.forEach((r, i) => {
      const label = model.labels[r.indexOf(Math.max(...r))];
      assert.equal(label, cases[i][1], `${cases[i][0]} → ${label} ${[...r].map((x) => x.toFixed(2))}`);
      assert.ok(Math.abs(r[0] + r[1] + r[2] - 1) < 1e-5);
    });
    const card = model.card as Record<string, Record<string, { macro_recall: number; accuracy: number }>>;
    assert.ok(card.metrics.tweeteval_test.macro_recall >= 0.64);
    assert.ok(card.metrics.sst2_dev.accuracy >= 0.8);
    let size = 0;
    for (const e of Deno.readDirSync(dir)) size += Deno.statSync(join(dir, e.name)).size;
    assert.ok(size <= 25 * 1024 * 1024, `models/default is ${size} bytes`);
  } finally {
    await model.close();
  }
});
