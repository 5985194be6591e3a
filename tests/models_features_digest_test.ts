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

function digest(spec: FeatureSpec, texts: readonly string[]): string {
  const f = createFeaturizer(spec);
  const h = createHash("sha256");
  for (const t of texts) {
    const r = f.featurize(t);
    h.update(new Uint8Array(new Int32Array([r.indices.length]).buffer));
    h.update(new Uint8Array(r.indices.buffer, r.indices.byteOffset, r.indices.byteLength));
    h.update(new Uint8Array(r.values.buffer, r.values.byteOffset, r.values.byteLength));
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
});
