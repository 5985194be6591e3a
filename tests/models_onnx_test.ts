import assert from "node:assert/strict";
import { join } from "node:path";
import * as ort from "npm:onnxruntime-node@1.30.0";
import { createHash } from "node:crypto";
import {
  createFeaturizer,
  defaultFeatureSpec,
  FEATURE_SPEC_VERSION,
  numFeaturesOf,
  validateFeatureSpec,
} from "../lib/models/_features.ts";
import { buildLinearOnnx } from "../lib/training/_onnx_export.ts";
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

/** A version-1 features.json as models trained before spec version 2 carry it. */
const V1_SPEC = {
  version: 1,
  maxChars: 20000,
  maxTokens: 256,
  hashBits: 10,
  wordNgrams: [1, 2],
  charNgrams: [2, 5],
  maxCharTokenLength: 40,
  lexiconScale: 0.5,
  negators: ["n't", "not", "no", "never", "without"],
  negationWindow: 3,
  negationScalar: -0.74,
  lexicons: LEX,
};
const V1_TEXTS = [
  "not good :) 😀 ❤️",
  "SO ANGRY!!! sooo bad 👍🏽",
  "I don’t LOVE it's",
  "",
  "日本語 😡😡 :-( </3",
];
/** sha256 of the version-1 features of V1_TEXTS (indices then values, per text), computed with the
 * featurizer as it was before version 2 existed: version-1 models must keep seeing exactly these. */
const V1_DIGEST = "d72601e464b16d8296c91ffb04843028839a59166417a57b8f58ff42ed95b622";

Deno.test("feature spec versions: a version-1 features.json still loads and featurizes exactly as before", async () => {
  assert.equal(FEATURE_SPEC_VERSION, 2);
  const spec = validateFeatureSpec(structuredClone(V1_SPEC), "v1/features.json");
  const f = createFeaturizer(spec);
  const h = createHash("sha256");
  for (const t of V1_TEXTS) {
    const r = f.featurize(t);
    h.update(new Uint8Array(r.indices.buffer));
    h.update(new Uint8Array(r.values.buffer));
  }
  assert.equal(h.digest("hex"), V1_DIGEST);
  // version 1 keeps emoji modifiers in tokens (version 2 strips them)
  assert.deepEqual(f.tokenize("❤️ 👍🏽"), ["❤️", "👍🏽"]);
  // a version-2 spec with every version-2 feature off featurizes like version 1
  const off = createFeaturizer(validateFeatureSpec({
    ...structuredClone(V1_SPEC),
    version: 2,
    emojiNormalize: false,
    negationUnigrams: false,
    styleMarkers: false,
    markers: { positive: ":)", negative: ":(", entries: {} },
  }, "off"));
  for (const t of V1_TEXTS) assert.deepEqual(off.featurize(t), f.featurize(t));

  // a whole version-1 model folder loads and scores
  const dir = await Deno.makeTempDir({ prefix: "sentilab_v1_" });
  try {
    const F = numFeaturesOf(spec);
    const weight = new Float32Array(F * 3);
    weight[1024 * 3 + 0] = -8; // lexicon "sum" drives negative/positive
    weight[1024 * 3 + 2] = 8;
    await Deno.writeFile(
      join(dir, "model.onnx"),
      buildLinearOnnx({ weight, bias: new Float32Array(3), numFeatures: F, numClasses: 3 }),
    );
    await Deno.writeTextFile(join(dir, "features.json"), JSON.stringify(V1_SPEC));
    await Deno.writeTextFile(join(dir, "labels.json"), JSON.stringify(["negative", "neutral", "positive"]));
    const model = await loadOnnxModel(dir);
    try {
      const [good, bad] = await model.scoreBatch(["good love", "bad"]);
      assert.ok(good[2] > 0.9 && bad[0] > 0.5);
    } finally {
      await model.close();
    }
    // version-2 fields in a version-1 spec, unknown versions, incomplete version-2 specs: named errors
    await Deno.writeTextFile(join(dir, "features.json"), JSON.stringify({ ...V1_SPEC, styleMarkers: true }));
    await assert.rejects(loadOnnxModel(dir), /field 'styleMarkers' is a version-2 field/);
    await Deno.writeTextFile(join(dir, "features.json"), JSON.stringify({ ...V1_SPEC, version: 3 }));
    await assert.rejects(loadOnnxModel(dir), /field 'version' must be one of 1, 2, got 3 .*update sentilab/);
    await Deno.writeTextFile(join(dir, "features.json"), JSON.stringify({ ...V1_SPEC, version: 2 }));
    await assert.rejects(loadOnnxModel(dir), /field 'emojiNormalize' must be true or false/);
    const badMarkers = { ...defaultFeatureSpec(LEX), markers: { positive: ":)", negative: "", entries: {} } };
    assert.throws(() => validateFeatureSpec(badMarkers, "x"), /field 'markers\.negative'/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("featurizer version 2: emoji normalised, emoji/emoticon markers, negated unigrams, style markers", () => {
  const markers = { positive: ":)", negative: ":(", entries: { "😡": -1, "😀": 1, "❤": 1, ":-(": -1 } };
  const spec = validateFeatureSpec(defaultFeatureSpec(LEX, { hashBits: 12, markers }), "v2");
  const f = createFeaturizer(spec);
  assert.deepEqual(f.tokenize("❤️ 👍🏽 😂😂"), ["❤", "👍", "😂", "😂"]);
  const words = (t: string) => {
    const r = f.featurize(t);
    return new Set([...r.indices].filter((i) => i < 4096));
  };
  // "😡" reads as ":(" (its word and character n-grams), and keeps its own unigram
  const angry = words("😡"), frown = words(":("), smile = words(":)");
  for (const i of frown) assert.ok(angry.has(i), "every n-gram of ':(' is a feature of '😡'");
  assert.ok(angry.size > frown.size);
  assert.ok([...smile].some((i) => !angry.has(i)));
  for (const i of frown) assert.ok(words(":-(").has(i));
  for (const i of smile) assert.ok(words("❤️").has(i));
  // negated words get their own unigram; style markers count caps words, elongations and !!/?? runs
  const v1Like = createFeaturizer(validateFeatureSpec({ ...spec, negationUnigrams: false }, "x"));
  assert.equal(f.featurize("not good").indices.length, v1Like.featurize("not good").indices.length + 1);
  const plain = createFeaturizer(validateFeatureSpec({ ...spec, styleMarkers: false }, "x"));
  assert.equal(
    f.featurize("SO sooo good!!").indices.length,
    plain.featurize("SO sooo good!!").indices.length + 2,
  );
  assert.equal(
    f.featurize("WOW sooo good!!").indices.length,
    plain.featurize("WOW sooo good!!").indices.length + 3,
  );
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
