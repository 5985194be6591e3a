import assert from "node:assert/strict";
import { loadModel } from "../lib/models/mod.ts";
import { openScorer, predictBatch } from "../lib/inference/mod.ts";
import { evaluateModel } from "../lib/evaluation/mod.ts";
import { type DyingMode, loadDyingModel } from "./fixtures/dying_model.ts";

const ROOT = new URL("..", import.meta.url).pathname;

async function sampleTexts(n: number): Promise<string[]> {
  const sample = (await Deno.readTextFile(`${ROOT}data/sample.jsonl`)).trim().split("\n")
    .map((l) => JSON.parse(l).text as string);
  return Array.from({ length: n }, (_, i) => `${sample[i % sample.length]}${i % 7 === 0 ? " !!" : ""}`);
}

/** Rejects after `ms` so that a hang fails the test instead of stalling it. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms (a hang)`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

Deno.test("workers: the default model's predictions with 2 workers equal those on one thread, in order", async () => {
  const texts = await sampleTexts(1500);
  const model = await loadModel("default");
  try {
    const one = await predictBatch(model, texts, { workers: 1, batchSize: 128 });
    const progress: number[] = [];
    const two = await within(
      predictBatch(model, texts, { workers: 2, batchSize: 128, onProgress: (done) => progress.push(done) }),
      120_000,
      "predictBatch with 2 workers",
    );
    assert.equal(two.length, texts.length);
    for (let i = 0; i < texts.length; i++) {
      assert.equal(two[i].text, texts[i]);
      assert.equal(two[i].label, one[i].label, `text ${i}`);
      for (const l of ["negative", "neutral", "positive"] as const) {
        assert.ok(Math.abs(two[i].scores[l] - one[i].scores[l]) <= 1e-6, `text ${i} ${l}`);
      }
    }
    // progress counts an in-order prefix and ends at the total
    assert.deepEqual(progress, [...progress].sort((a, b) => a - b));
    assert.equal(progress.at(-1), texts.length);
    // the model still works on the calling thread after the pool ended
    assert.equal((await predictBatch(model, ["I love it"], { workers: 2 }))[0].label, "positive");
  } finally {
    await model.close();
  }
});

for (const mode of ["throw", "reject", "close", "exit"] as DyingMode[]) {
  Deno.test(`workers: a worker that dies (${mode}) is an error naming its batch, not a hang`, async () => {
    const model = await loadDyingModel(mode);
    const texts = Array.from({ length: 1000 }, (_, i) => (i === 730 ? "DIE" : `text ${i}`));
    await assert.rejects(
      within(predictBatch(model, texts, { workers: 2, batchSize: 100 }), 60_000, `dying worker (${mode})`),
      (e: Error) => {
        assert.match(
          e.message,
          /worker \d of 2 scoring model "dying-\w+" died while scoring the batch of texts\[700\.\.800\)/,
        );
        assert.doesNotMatch(e.message, /a hang/);
        return true;
      },
    );
  });
}

Deno.test("workers: a model a worker cannot load is an error saying so", async () => {
  const model = await loadDyingModel("load");
  const texts = Array.from({ length: 300 }, (_, i) => `text ${i}`);
  await assert.rejects(
    within(predictBatch(model, texts, { workers: 2, batchSize: 100 }), 60_000, "load failure"),
    /worker \d of 2: cannot load the model: this model refuses to load/,
  );
});

Deno.test("workers: bad values are refused; a model without a worker recipe scores on the calling thread", async () => {
  const model = await loadModel("lexicon");
  try {
    for (const workers of [0, -1, 1.5, Number.NaN]) {
      await assert.rejects(predictBatch(model, ["x"], { workers }), /Invalid workers/);
    }
    assert.equal(model.worker, undefined);
    const texts = Array.from({ length: 600 }, (_, i) => (i % 2 ? "great, I love it" : "awful, I hate it"));
    const preds = await predictBatch(model, texts, { workers: 4, batchSize: 50 });
    assert.deepEqual(preds.map((p) => p.label), texts.map((_, i) => (i % 2 ? "positive" : "negative")));
  } finally {
    await model.close();
  }
});

Deno.test("workers by default: one per core for 50,000 texts or an input of unknown size, the calling thread below", async () => {
  const model = await loadModel("default");
  const cores = Math.max(1, navigator.hardwareConcurrency);
  try {
    for (const [texts, expected] of [[1, 1], [49_999, 1], [50_000, cores], [undefined, cores]] as const) {
      const scorer = await openScorer(model, { batchSize: 256, texts });
      try {
        assert.equal(scorer.workers, expected, `texts: ${texts}`);
      } finally {
        await scorer.close();
      }
    }
    // asked for, workers are used whatever the size
    const asked = await openScorer(model, { batchSize: 256, texts: 10, workers: 2 });
    assert.equal(asked.workers, 2);
    assert.equal(
      (await asked.predict(["I love it", "I hate it"], 0)).map((p) => p.label).join(),
      "positive,negative",
    );
    await asked.close();
  } finally {
    await model.close();
  }
});

Deno.test("workers by default in evaluateModel: the calling thread for a small file, one per core for 50,000 texts", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const cores = Math.max(1, navigator.hardwareConcurrency);
    const write = async (n: number) => {
      const file = `${dir}/data-${n}.jsonl`;
      const texts = await sampleTexts(n);
      await Deno.writeTextFile(
        file,
        texts.map((t, i) => JSON.stringify({ text: t, label: ["negative", "neutral", "positive"][i % 3] }))
          .join("\n"),
      );
      return file;
    };
    const small = await write(600);
    assert.equal((await evaluateModel("default", small, {})).workers, 1);
    assert.equal((await evaluateModel("default", small, { workers: 2 })).workers, 2); // asked for: used
    const big = await write(50_000);
    assert.equal((await evaluateModel("default", big, {})).workers, cores);
    // a limit below the threshold is what counts, not the file's size
    assert.equal((await evaluateModel("default", big, { limit: 1000 })).workers, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
