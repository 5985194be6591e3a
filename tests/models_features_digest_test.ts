/**
 * The featurizer's output is frozen: a fixed corpus (data/sample.jsonl, the hand-written edge cases below
 * and a seeded generated corpus of awkward strings) must give byte-identical features under several specs,
 * and the shipped model (models/default) the same scores. Any speed-up of lib/models/_features.ts must
 * keep these digests; a change of the digests means every trained model sees different features.
 *
 * The digests were computed with the featurizer as it was before the speed-up (commit 95300f9 of main).
 * @module
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  createFeaturizer,
  defaultFeatureSpec,
  type FeatureSpec,
  validateFeatureSpec,
} from "../lib/models/_features.ts";
import { loadOnnxModel } from "../lib/models/onnx_model.ts";

const ROOT = new URL("..", import.meta.url).pathname;

/** Edge cases written for this test: apostrophes, clitics, elongation, caps, emoji, emoticons, scripts. */
const EDGE = [
  "",
  " ",
  "\t\n",
  "I don't like it, it isn't good",
  "I don’t LOVE it’s ‘quoted’ `tick` ´acute ʼmodifier",
  "SOOOO GOOOOD!!! wow?!?! ok?? fine!",
  "sooo baaad... cooool Ääääh",
  "@user @USER @user123 @useruser thanks",
  ":) :-( ;) =D 8-) x( :P :'( <3 </3 ): (: ]: :/ :\\ :| :* :3 :@ :$",
  "❤️ 👍🏽 👨‍👩‍👧 😀😀😡 🏳️‍🌈 ☺️ ✌🏿 👍🏻👍🏼",
  "\ud800 lone \udfff surrogates \ud83d end\ud83d",
  "\u0000\u0001 control \u200b zero width",
  "日本語のテキスト、とても良い Привет, это ужасно مرحبا بالعالم",
  "not good, never bad, no way nothing works without help cannot dont",
  "it's they're we've you'll he'd I'm can't won't shouldn't",
  "ÉCOLE ÜBER ÇA İSTANBUL ß ﬁ Ǆ",
  "numbers 123 4,567.89 3rd 2nd_place snake_case CamelCase",
  "x".repeat(45),
  "a".repeat(3000) + " b",
  "word ".repeat(300),
  "https://example.com/path?q=1&x=2 #hashtag $TSLA €5",
];

/** Pieces the generated corpus draws from (seeded, so the corpus is fixed). */
const PIECES = [
  "good",
  "bad",
  "love",
  "hate",
  "not",
  "never",
  "no",
  "great",
  "awful",
  "the",
  "a",
  "is",
  "GREAT",
  "BAD",
  "Happy",
  "sooo",
  "yesss",
  "n't",
  "don't",
  "isn't",
  "it's",
  "I'm",
  "won’t",
  "’s",
  "'",
  "`",
  "!",
  "?",
  "!!",
  "?!",
  "...",
  ",",
  ".",
  " ",
  " ",
  " ",
  "  ",
  "\n",
  "\t",
  ":)",
  ":-(",
  ";D",
  "<3",
  "</3",
  "xD",
  "😀",
  "😡",
  "❤️",
  "👍🏽",
  "👨‍👩‍👧",
  "\ufe0f",
  "\u200d",
  "🏻",
  "\ud83d",
  "\ude00",
  "é",
  "É",
  "ü",
  "ß",
  "日本",
  "Привет",
  "مرحبا",
  "@user",
  "#tag",
  "123",
  "_",
  "x",
  "X",
  "aa",
  "AAA",
  "ooo",
  "İ",
  "Σ",
  "ς",
  "ﬁ",
];

function generated(n: number): string[] {
  let seed = 20261129;
  const rnd = (k: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % k;
  };
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const len = rnd(40);
    let s = "";
    for (let j = 0; j < len; j++) s += PIECES[rnd(PIECES.length)];
    out.push(s);
  }
  return out;
}

async function corpus(): Promise<string[]> {
  const sample = (await Deno.readTextFile(`${ROOT}data/sample.jsonl`)).trim().split("\n")
    .map((l) => JSON.parse(l).text as string);
  return [...sample, ...EDGE, ...generated(3000)];
}

async function modelSpec(): Promise<FeatureSpec> {
  const raw = JSON.parse(await Deno.readTextFile(`${ROOT}models/default/features.json`));
  return validateFeatureSpec(raw, "models/default/features.json");
}

/** Hashes the features of one text (count, indices, values) into `h`. */
function update(h: ReturnType<typeof createHash>, indices: Int32Array, values: Float32Array) {
  h.update(new Uint8Array(new Int32Array([indices.length]).buffer));
  h.update(new Uint8Array(indices.buffer, indices.byteOffset, indices.byteLength));
  h.update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
}

function digest(spec: FeatureSpec, texts: readonly string[]): string {
  const f = createFeaturizer(spec);
  const h = createHash("sha256");
  for (const t of texts) {
    const r = f.featurize(t);
    update(h, r.indices, r.values);
  }
  return h.digest("hex");
}

/** The same digest, from `featurizeBatch` over batches of `batchSize` texts. */
function batchDigest(spec: FeatureSpec, texts: readonly string[], batchSize: number): string {
  const f = createFeaturizer(spec);
  const h = createHash("sha256");
  for (let start = 0; start < texts.length; start += batchSize) {
    const { offsets, indices, values } = f.featurizeBatch(texts.slice(start, start + batchSize));
    for (let i = 0; i + 1 < offsets.length; i++) {
      update(h, indices.subarray(offsets[i], offsets[i + 1]), values.subarray(offsets[i], offsets[i + 1]));
    }
  }
  return h.digest("hex");
}

const LEX = [{
  name: "tiny",
  source: "test",
  entries: { good: 0.6, bad: -0.6, love: 0.8, "😀": 0.4, "not": 0.1 },
}];

/** Spec name → sha256 of the features of the corpus (length, indices, values per text). */
const EXPECTED: Record<string, string> = {
  "models/default": "356e1f778abe9c4f37d244a1bc2b68c4f3032b5ed412a976b7b0c71f6ce5737f",
  "default spec, tiny lexicon": "e80c817097a1cc1fd7b8385b8214a55641bb4b4ec923e5c5fa88d7d56bf06909",
  "word 1-3-grams, char 1-3, short tokens":
    "14a1f1c7d60060f6c60f1c3c3b4457d29434b76cb0a6fdc56760a2618a591423",
  "no char n-grams, small caps": "22037ba26717ccc6990f228f826d724ba993cfaad2ec4db95b3e575997db3d39",
  "version 1": "2686cd12e6c7bfd74f39c8166c54c3aafd0ec0b4416ab47d277be5b40e1d65d3",
};

async function specs(): Promise<Record<string, FeatureSpec>> {
  const base = defaultFeatureSpec(LEX, {
    markers: { positive: ":)", negative: ":(", entries: { "😀": 1, "😡": -1, ":-(": -1, "<3": 1, "❤": 1 } },
  });
  return {
    "models/default": await modelSpec(),
    "default spec, tiny lexicon": base,
    "word 1-3-grams, char 1-3, short tokens": {
      ...base,
      hashBits: 12,
      wordNgrams: [3, 1, 2],
      charNgrams: [1, 3],
      maxCharTokenLength: 6,
      negationWindow: 1,
    },
    "no char n-grams, small caps": { ...base, hashBits: 8, charNgrams: null, maxTokens: 7, maxChars: 50 },
    "version 1": validateFeatureSpec({
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
    }, "v1"),
  };
}

Deno.test("featurizer: features of the fixed corpus are byte-identical to the frozen digests", async () => {
  const texts = await corpus();
  const got: Record<string, string> = {};
  for (const [name, spec] of Object.entries(await specs())) got[name] = digest(spec, texts);
  assert.deepEqual(got, EXPECTED);
});

Deno.test("featurizer: featurizeBatch gives the frozen features too, whatever the batch size", async () => {
  const texts = await corpus();
  for (const [name, spec] of Object.entries(await specs())) {
    for (const size of [1, 7, 256, texts.length]) {
      assert.equal(batchDigest(spec, texts, size), EXPECTED[name], `${name}, batches of ${size}`);
    }
  }
});

Deno.test("featurizer: a text of more distinct tokens than the token table holds gives the frozen features", async () => {
  // 40,000 distinct tokens in one text (the table holds 32,768 between texts): the table grows for it.
  // The digest was computed with the featurizer of 95300f9 (before the token table existed).
  const spec = { ...(await modelSpec()), maxTokens: 50_000, maxChars: 1_000_000 };
  const words: string[] = [];
  for (let i = 0; i < 40_000; i++) {
    words.push(`${i % 7 === 0 ? "not" : "w"}${i.toString(36)}${i % 5 === 0 ? "!!" : ""}`);
  }
  const text = words.join(" ") + " good bad :) 😀";
  const expected = "3772bace42f049b60140779a4fa6b4534cb2f5a006bd6dd381fd645d1a0bfa88";
  const f = createFeaturizer(spec);
  f.featurize("warm the table up with a few tokens first"); // the table is not empty when the text comes
  const single = createHash("sha256");
  const r = f.featurize(text);
  update(single, r.indices, r.values);
  assert.equal(single.digest("hex"), expected);
  const batch = f.featurizeBatch(["a few", text, "after"]);
  const inBatch = createHash("sha256");
  update(
    inBatch,
    batch.indices.subarray(batch.offsets[1], batch.offsets[2]),
    batch.values.subarray(batch.offsets[1], batch.offsets[2]),
  );
  assert.equal(inBatch.digest("hex"), expected);
});

/** The texts whose scores are frozen: data/sample.jsonl, the edge cases and 300 generated strings. */
async function scoredTexts(): Promise<string[]> {
  return (await corpus()).slice(0, 320 + EDGE.length + 300);
}

Deno.test("featurizer: the shipped model scores the fixed corpus exactly as frozen", async () => {
  const texts = await scoredTexts();
  const expected = JSON.parse(await Deno.readTextFile(`${ROOT}tests/fixtures/default_model_scores.json`));
  const model = await loadOnnxModel(`${ROOT}models/default`);
  try {
    const rows = await model.scoreBatch(texts);
    assert.equal(rows.length, expected.scores.length);
    for (let i = 0; i < rows.length; i++) {
      for (let j = 0; j < 3; j++) {
        // same features -> same ONNX arithmetic; the tolerance only absorbs a CPU's SIMD width
        assert.ok(
          Math.abs(rows[i][j] - expected.scores[i][j]) <= 1e-6,
          `text ${i} ${JSON.stringify(texts[i].slice(0, 60))}: ${rows[i]} vs ${expected.scores[i]}`,
        );
      }
    }
  } finally {
    await model.close();
  }
});

if (Deno.env.get("SENTILAB_FREEZE_FEATURES") === "1") {
  const texts = await corpus();
  for (const [name, spec] of Object.entries(await specs())) {
    console.log(JSON.stringify(name), digest(spec, texts));
  }
  const model = await loadOnnxModel(`${ROOT}models/default`);
  const rows = await model.scoreBatch(await scoredTexts());
  await model.close();
  await Deno.writeTextFile(
    `${ROOT}tests/fixtures/default_model_scores.json`,
    JSON.stringify({
      about: "Scores of models/default on the corpus of tests/models_features_digest_test.ts, computed " +
        "before the featurizer speed-up (main 95300f9); written by SENTILAB_FREEZE_FEATURES=1.",
      scores: rows.map((r) => Array.from(r)),
    }) + "\n",
  );
}

Deno.test("featurizer: features stay the same after its token cache fills and starts over", async () => {
  // 40,000 texts of distinct tokens overflow the per-featurizer token cache (32,768 tokens) at least once;
  // the fixed corpus featurized afterwards, and a distinct-token text seen before the reset, must give
  // what a fresh featurizer gives.
  const spec = await modelSpec();
  const used = createFeaturizer(spec);
  const early = "tok0 early words ZZZ"; // cached before the reset, recomputed after it
  const before = used.featurize(early);
  for (let i = 0; i < 40_000; i++) used.featurize(`w${i.toString(36)} q${i}`);
  const texts = (await corpus()).slice(0, 400);
  const fresh = createFeaturizer(spec);
  for (const t of [early, ...texts]) {
    const a = used.featurize(t), b = fresh.featurize(t);
    assert.deepEqual([...a.indices], [...b.indices], JSON.stringify(t.slice(0, 60)));
    assert.deepEqual([...a.values], [...b.values], JSON.stringify(t.slice(0, 60)));
  }
  assert.deepEqual([...used.featurize(early).indices], [...before.indices]);
  // the same overflow inside one batch: the table starts over between two texts of the batch
  const many = Array.from({ length: 40_000 }, (_, i) => `w${i.toString(36)} q${i}`);
  const batch = createFeaturizer(spec).featurizeBatch([early, ...many, ...texts]);
  for (const [i, t] of [early, ...many, ...texts].entries()) {
    if (i % 97 !== 0 && i < many.length) continue; // every 97th of the filler, all of the rest
    const b = fresh.featurize(t);
    assert.deepEqual([...batch.indices.subarray(batch.offsets[i], batch.offsets[i + 1])], [...b.indices]);
    assert.deepEqual([...batch.values.subarray(batch.offsets[i], batch.offsets[i + 1])], [...b.values]);
  }
});
