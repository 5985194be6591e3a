// Hugging Face transformer models (Optimum ONNX exports): tokenization with real tokenizer.json files,
// label mapping, dynamic padding, and evaluation end to end through the tasks.
import assert from "node:assert/strict";
import { ROOT, runTask } from "./_task_env.ts";
import { loadModel } from "../lib/models/mod.ts";
import { createHfTokenizer, maxLengthOf } from "../lib/models/_hf_tokenize.ts";
import { mapHfLabels } from "../lib/models/_hf_labels.ts";
import { planBatches } from "../lib/models/_hf_batches.ts";
import { tokenizerFixture, writeTinyHfModel } from "./hf_fixtures.ts";

const THREE = { 0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2" };
const BINARY = { 0: "NEGATIVE", 1: "POSITIVE" };

function tokenizerOf(name: "wordpiece" | "bpe" | "unigram") {
  const { tokenizer, config } = tokenizerFixture(name);
  return createHfTokenizer(tokenizer, config, maxLengthOf(tokenizer, config, {}), name);
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "sentilab-hf-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function task(name: string, args: string[], store: string) {
  const r = await runTask(`${ROOT}tasks/${name}.ts`, args, { SENTILAB_DIR: store, WANDB_MODE: "offline" });
  return { out: r.stdout, err: r.stderr, code: r.code };
}

Deno.test("WordPiece tokenizer.json: casing, accents, subwords, unknown words, emoji, truncation", () => {
  const t = tokenizerOf("wordpiece");
  // vocabulary: [PAD]0 [UNK]1 [CLS]2 [SEP]3 [MASK]4 the5 movie6 was7 good8 great9 bad10 ... cafe13 ##ness14
  assert.deepEqual(t.encode("The movie was GOOD!").ids, [2, 5, 6, 7, 8, 16, 3]);
  assert.deepEqual(t.encode("Café").ids, [2, 13, 3], "lower-cased and accents stripped");
  assert.deepEqual(t.encode("goodness, movies").ids, [2, 8, 14, 17, 6, 22, 3], "subwords ##ness, ##s");
  assert.deepEqual(t.encode("xyzzy 😀 good").ids, [2, 1, 1, 8, 3], "unknown word and emoji are [UNK]");
  assert.deepEqual(t.encode("").ids, [2, 3]);
  assert.deepEqual(t.encode("good").typeIds, [0, 0, 0]);
  assert.equal(t.maxLength, 12, "tokenizer_config.json model_max_length");
  const long = t.encode("good ".repeat(30) + "bad");
  assert.equal(long.ids.length, 12);
  assert.deepEqual(long.ids, [2, ...new Array(10).fill(8), 3], "cut from the end, [SEP] kept");
  assert.equal(long.typeIds.length, 12);
  assert.equal(t.padId, 0);
});

Deno.test("byte-level BPE tokenizer.json: merges by rank, bytes of accents and emoji, truncation", () => {
  const t = tokenizerOf("bpe");
  // <s>0 <pad>1 </s>2 <unk>3, byte b at 4+b in GPT-2's byte-to-unicode order, merged tokens from 260
  assert.deepEqual(t.encode("I love it").ids, [0, 77, 300, 309, 2]);
  assert.deepEqual(t.encode("The movie was terrible").ids, [0, 288, 283, 291, 307, 2]);
  // "g o" ranks before "Ġ g": " good" is Ġ + good
  assert.deepEqual(t.encode("good 😀").ids, [0, 262, 36, 244, 163, 156, 132, 2], "😀 is its 4 UTF-8 bytes");
  assert.deepEqual(t.encode("Café").ids, [0, 71, 101, 106, 199, 173, 2], "é is the bytes C3 A9");
  assert.deepEqual(t.encode("GOOD").ids, [0, 75, 83, 83, 72, 2], "case is kept: no merge for GOOD");
  assert.equal(t.maxLength, 10);
  const long = t.encode("I love it".repeat(10));
  assert.equal(long.ids.length, 10);
  assert.equal(long.ids[0], 0);
  assert.equal(long.ids[9], 2);
  assert.equal(t.padId, 1, "<pad>");
});

Deno.test("BPE merges written as pairs (the form tokenizers >= 0.20 serialises) give the same ids as 'a b' strings", () => {
  // tokenizers/src/models/bpe/serialization.rs writes `merges` as [left, right] pairs; older files (and the
  // fixture) hold "left right" strings; Hub models ship both
  const { tokenizer, config } = tokenizerFixture("bpe");
  const model = tokenizer.model as { merges: string[] };
  assert.ok(model.merges.every((m) => typeof m === "string"));
  const pairs = { ...tokenizer, model: { ...model, merges: model.merges.map((m) => m.split(" ")) } };
  const asPairs = createHfTokenizer(pairs, config, maxLengthOf(pairs, config, {}), "bpe pairs");
  const asStrings = tokenizerOf("bpe");
  for (const text of ["I love it", "The movie was terrible", "good 😀", "Café", "GOOD"]) {
    assert.deepEqual(asPairs.encode(text).ids, asStrings.encode(text).ids, text);
  }
  assert.deepEqual(asPairs.encode("I love it").ids, [0, 77, 300, 309, 2]);
});

Deno.test("pad_token saved as an AddedToken object (older transformers' tokenizer_config.json) is found", () => {
  const { tokenizer, config } = tokenizerFixture("bpe");
  const older = {
    ...config,
    pad_token: {
      __type: "AddedToken",
      content: "<pad>",
      lstrip: false,
      normalized: true,
      rstrip: false,
      single_word: false,
    },
  };
  const t = createHfTokenizer(tokenizer, older, maxLengthOf(tokenizer, older, {}), "bpe older config");
  assert.equal(t.padId, 1, "<pad>, not id 0 (<s>)");
  assert.deepEqual(t.encode("I love it").ids, [0, 77, 300, 309, 2]);
});

Deno.test("Unigram (SentencePiece) tokenizer.json: best segmentation by piece scores, unknown text, truncation", () => {
  const t = tokenizerOf("unigram");
  // <pad>0 </s>1 <unk>2 ▁3 ▁good4 ▁great5 ▁bad6 ▁movie7 ▁the8 ▁was9 ▁go10 od11 ness12 s13 ... !27 ▁love28 ▁it29
  assert.deepEqual(t.encode("The movie was GOOD!").ids, [8, 7, 9, 4, 27, 1], "lower-cased; </s> appended");
  // ▁good + ness scores -7.5, better than ▁go + od + ness (-15)
  assert.deepEqual(t.encode("goodness").ids, [4, 12, 1]);
  assert.deepEqual(t.encode("goods").ids, [4, 13, 1]);
  assert.deepEqual(t.encode("xyz").ids, [3, 2, 1], "unknown characters: one <unk> after the word mark");
  assert.deepEqual(
    t.encode("the movie was good great bad").ids,
    [8, 7, 9, 4, 5, 1],
    "max length 6, </s> kept",
  );
});

Deno.test("max length: tokenizer.json truncation, then model_max_length, then positions", () => {
  assert.equal(maxLengthOf({ truncation: { max_length: 7 } }, { model_max_length: 12 }, {}), 7);
  assert.equal(maxLengthOf({}, { model_max_length: 1e30 }, { max_position_embeddings: 512 }), 512);
  assert.equal(
    maxLengthOf({}, {}, { max_position_embeddings: 514, model_type: "roberta", pad_token_id: 1 }),
    512,
  );
  assert.equal(maxLengthOf({}, {}, {}), 512);
});

Deno.test("id2label mapping: binary, LABEL_n, any case, stars, override, unmappable labels listed", () => {
  const bin = mapHfLabels(BINARY, "c.json");
  assert.deepEqual(bin.labels, ["negative", "positive"]);
  assert.deepEqual(bin.target, [0, 1]);
  assert.deepEqual(mapHfLabels(THREE, "c.json").labels, ["negative", "neutral", "positive"]);
  assert.deepEqual(mapHfLabels({ 0: "LABEL_0", 1: "LABEL_1" }, "c.json").labels, ["negative", "positive"]);
  const cased = mapHfLabels({ 0: "Positive", 1: "NEUTRAL", 2: "neg" }, "c.json");
  assert.deepEqual(cased.labels, ["negative", "neutral", "positive"]);
  assert.deepEqual(cased.target, [2, 1, 0]);
  const stars = mapHfLabels(
    { 0: "1 star", 1: "2 stars", 2: "3 stars", 3: "4 stars", 4: "5 stars" },
    "c.json",
  );
  assert.deepEqual(stars.target, [0, 0, 1, 2, 2]);
  const emo = mapHfLabels({ 0: "joy", 1: "anger" }, "c.json", { joy: "positive", anger: "negative" });
  assert.deepEqual(emo.labels, ["negative", "positive"]);
  assert.deepEqual(emo.target, [1, 0]);
  assert.throws(
    () => mapHfLabels({ 0: "joy", 1: "anger", 2: "neutral" }, "m/config.json"),
    /m\/config\.json: cannot map the model's labels "joy", "anger" \(of "joy", "anger", "neutral"\).*labelMap/,
  );
  assert.throws(
    () => mapHfLabels({ 0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2", 3: "LABEL_3" }, "c"),
    /LABEL_0/,
  );
  assert.throws(() => mapHfLabels(undefined, "c.json"), /id2label must be an object/);
});

Deno.test("dynamic padding: sub-batches of similar length; scores do not depend on the batch", async () => {
  assert.deepEqual(planBatches([3, 10, 4, 9, 1], 2), [[1, 3], [2, 0], [4]]);
  await withDir(async (dir) => {
    await writeTinyHfModel(dir, { tokenizer: "wordpiece", id2label: THREE });
    const model = await loadModel(dir);
    assert.equal(model.type, "hf-onnx");
    assert.deepEqual(model.labels, ["negative", "neutral", "positive"]);
    const texts = ["good", "the movie was awful and boring " + "the ".repeat(40), "the plot", "", "😀"];
    const together = await model.scoreBatch(texts);
    for (let i = 0; i < texts.length; i++) {
      const [alone] = await model.scoreBatch([texts[i]]);
      for (let j = 0; j < 3; j++) assert.ok(Math.abs(alone[j] - together[i][j]) < 1e-6, `text ${i}`);
      assert.ok(Math.abs(alone[0] + alone[1] + alone[2] - 1) < 1e-5);
    }
    const best = together.map((r) => model.labels[r.indexOf(Math.max(...r))]);
    // "" and "😀" ([UNK]) hold only special tokens, whose embeddings are zero: equal logits, and the
    // argmax takes the first class
    assert.deepEqual(best, ["positive", "negative", "neutral", "negative", "negative"]);
    await model.close();
  });
});

Deno.test("loadModel recognises Optimum folders (onnx/model_quantized.onnx too); bad labels are named", async () => {
  await withDir(async (dir) => {
    await writeTinyHfModel(`${dir}/q`, { tokenizer: "bpe", id2label: BINARY, layout: "onnx" });
    const model = await loadModel(`${dir}/q`);
    assert.equal(model.card!.model_file, "onnx/model_quantized.onnx");
    assert.deepEqual(model.card!.inputs, ["input_ids", "attention_mask"], "no token_type_ids declared");
    const rows = await model.scoreBatch(["I love it", "The movie was terrible"]);
    assert.deepEqual(model.labels, ["negative", "positive"]);
    assert.ok(rows[0][1] > 0.9 && rows[1][0] > 0.9, JSON.stringify(rows));
    await model.close();
    await writeTinyHfModel(`${dir}/emo`, { tokenizer: "bpe", id2label: { 0: "sadness", 1: "joy" } });
    await assert.rejects(
      loadModel(`${dir}/emo`),
      /emo\/config\.json: cannot map the model's labels "sadness", "joy"/,
    );
    await Deno.writeTextFile(
      `${dir}/models.yaml`,
      "models:\n  emo:\n    type: hf-onnx\n    folder: ./emo\n    labels: [negative, positive]\n" +
        "    labelMap: { sadness: negative, joy: positive }\n",
    );
    const emo = await loadModel("emo", { registry: `${dir}/models.yaml` });
    assert.equal(emo.name, "emo");
    assert.deepEqual(emo.labels, ["negative", "positive"]);
    await emo.close();
  });
});

Deno.test("deno task evaluate --model FOLDER and predict on a transformer folder, end to end", async () => {
  await withDir(async (dir) => {
    await writeTinyHfModel(`${dir}/bert`, { tokenizer: "wordpiece", id2label: THREE });
    const rows = [
      ["The movie was GOOD!", "positive"],
      ["I love it", "positive"],
      ["great acting, fine plot", "positive"],
      ["The movie was awful", "negative"],
      ["this is terrible and boring", "negative"],
      ["the plot", "neutral"],
      ["this movie", "neutral"],
      ["it was bad", "negative"],
    ];
    await Deno.writeTextFile(
      `${dir}/reviews.jsonl`,
      rows.map(([text, label]) => JSON.stringify({ text, label })).join("\n") + "\n",
    );
    const r = await task(
      "evaluate",
      ["--model", `${dir}/bert`, "--data", `${dir}/reviews.jsonl`, "--json"],
      `${dir}/store`,
    );
    assert.equal(r.code, 0, r.err);
    const out = JSON.parse(r.out);
    assert.equal(out.metrics.accuracy, 1);
    assert.equal(out.metrics.samples ?? rows.length, rows.length);
    const p = await task(
      "predict",
      ["--model", `${dir}/bert`, "what a great movie", "the movie"],
      `${dir}/store`,
    );
    assert.equal(p.code, 0, p.err);
    const labels = p.out.trim().split("\n").map((l) => JSON.parse(l).label);
    assert.deepEqual(labels, ["positive", "neutral"]);
  });
});
