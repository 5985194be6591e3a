/**
 * Sharded evaluation: 4 shards merged give exactly the confusion matrix, metrics and statistics of one
 * unsharded evaluation (streaming, with and without worker threads); shards are checked when merged.
 * @module
 */
import assert from "node:assert/strict";
import { evaluateModel, mergeShardGroup, mergeShards } from "../lib/evaluation/mod.ts";
import { loadModel } from "../lib/models/mod.ts";
import { finishRun, getRun, getTableRows, initRun } from "../lib/tracking/mod.ts";

const ROOT = new URL("..", import.meta.url).pathname;

/** data/sample.jsonl repeated with variations: 3,200 rows, 3 classes. */
async function corpus(dir: string): Promise<string> {
  const sample = (await Deno.readTextFile(`${ROOT}data/sample.jsonl`)).trim().split("\n").map((l) =>
    JSON.parse(l)
  );
  const lines: string[] = [];
  for (let r = 0; r < 10; r++) {
    for (const s of sample) {
      lines.push(JSON.stringify({ text: r ? `${s.text} (${r})` : s.text, label: s.label }));
    }
  }
  const path = `${dir}/corpus.jsonl`;
  await Deno.writeTextFile(path, lines.join("\n") + "\n");
  return path;
}

Deno.test("shards: 4 shards merged equal one unsharded evaluation exactly", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sentilab-shards-" });
  const model = await loadModel("default");
  try {
    const data = await corpus(dir);
    const whole = await evaluateModel(model, data, { workers: 2, batchSize: 100 });
    assert.equal(whole.count, 3200);
    for (let index = 0; index < 4; index++) {
      const part = await evaluateModel(model, data, {
        workers: index % 2 ? 2 : 1,
        batchSize: 64,
        shard: { index, count: 4 },
        partialDir: `${dir}/out`,
      });
      assert.equal(part.count, 800);
    }
    const merged = await mergeShards(`${dir}/out`);
    assert.equal(merged.shards, 4);
    assert.deepEqual(merged.result.confusionMatrix, whole.result.confusionMatrix);
    assert.deepEqual(merged.result, whole.result);
    // Counts of labels are integers: exactly equal. A confidence can differ in its last float32 bit, as
    // onnxruntime sums a row differently depending on the rows it is batched (padded) with.
    const { averageConfidence: a, minConfidence: m, ...rest } = merged.statistics;
    const { averageConfidence: wa, minConfidence: wm, ...wrest } = whole.statistics;
    assert.deepEqual(rest, wrest);
    assert.ok(Math.abs(a - wa) < 1e-6 && Math.abs(m - wm) < 1e-6, `${a} ${wa} ${m} ${wm}`);
    assert.deepEqual(merged.counts.confusion, whole.counts.confusion);
    assert.deepEqual(merged.counts.binaryConfusion, whole.counts.binaryConfusion);
    assert.deepEqual(merged.counts.predicted, whole.counts.predicted);
    assert.ok(merged.result.accuracy > 0.8, `accuracy ${merged.result.accuracy}`);
  } finally {
    await model.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("shards: missing, duplicated or inconsistent shards are errors naming them", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sentilab-shards-" });
  try {
    const data = await corpus(dir);
    const out = `${dir}/out`;
    for (const index of [0, 2]) {
      await evaluateModel("lexicon", data, { workers: 1, shard: { index, count: 3 }, partialDir: out });
    }
    await assert.rejects(
      mergeShards(out),
      /1 of 3 shards missing: shard-1-of-3\.json; run them \(deno task evaluate --shard 1\/3/,
    );
    // shard 1 with another model
    await evaluateModel("default", data, { workers: 1, shard: { index: 1, count: 3 }, partialDir: out });
    await assert.rejects(
      mergeShards(out),
      /shard-1-of-3\.json: the model's digest differs from .*shard-0-of-3\.json/,
    );
    // shard 1 of another input
    const other = `${dir}/other.jsonl`;
    await Deno.writeTextFile(other, (await Deno.readTextFile(data)).replace("The remake", "A remake"));
    await evaluateModel("lexicon", other, { workers: 1, shard: { index: 1, count: 3 }, partialDir: out });
    await assert.rejects(mergeShards(out), /shard-1-of-3\.json: the input file's digest differs/);
    // a shard of another split
    await evaluateModel("lexicon", data, { workers: 1, shard: { index: 1, count: 3 }, partialDir: out });
    await evaluateModel("lexicon", data, { workers: 1, shard: { index: 0, count: 2 }, partialDir: out });
    await assert.rejects(mergeShards(out), /shards of different splits: .*shard-0-of-2\.json \(of 2\)/);
    await Deno.remove(`${out}/shard-0-of-2.json`);
    // a file renamed to another shard's name
    await Deno.copyFile(`${out}/shard-0-of-3.json`, `${out}/shard-9-of-3.json`);
    await assert.rejects(mergeShards(out), /shard-9-of-3\.json: holds shard 0\/3, not 9\/3/);
    await Deno.remove(`${out}/shard-9-of-3.json`);
    const ok = await mergeShards(out);
    assert.equal(ok.result.count, 3200);
    await assert.rejects(mergeShards(`${dir}/none`), /no such folder/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Evaluates shard `index` of `count` as a finished run of `group` in the store `dir`. */
async function shardRun(
  dir: string,
  group: string,
  model: string,
  data: string,
  index: number,
  count: number,
) {
  const run = await initRun({ tracker: "local", dir, project: "p", group, captureConsole: false });
  await evaluateModel(model, data, { run, workers: 1, shard: { index, count } });
  await finishRun(run);
  return run.id;
}

Deno.test("merge --group: the shard runs of a group in the store merge to the unsharded metrics", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sentilab-shards-" });
  const store = `${dir}/store`;
  try {
    const data = await corpus(dir);
    const whole = await evaluateModel("lexicon", data, { workers: 1 });
    for (let index = 0; index < 4; index++) await shardRun(store, "g4", "lexicon", data, index, 4);
    // a run of another group and an unsharded run of the same group are not shards of g4
    await shardRun(store, "other", "lexicon", data, 0, 4);
    const plain = await initRun({
      tracker: "local",
      dir: store,
      project: "p",
      group: "g4",
      captureConsole: false,
    });
    await finishRun(plain);
    const merged = await mergeShardGroup("g4", { dir: store });
    assert.equal(merged.shards, 4);
    assert.deepEqual(merged.result, whole.result);
    assert.deepEqual(merged.counts.confusion, whole.counts.confusion);
    assert.equal(merged.group, "g4");
    // recorded in a merged run of the group, which a later merge leaves out
    const run = await initRun({
      tracker: "local",
      dir: store,
      project: "p",
      group: "g4",
      captureConsole: false,
    });
    await mergeShardGroup("g4", { dir: store, run });
    await finishRun(run);
    assert.equal(getRun(run.id, { dir: store })!.summary.accuracy, whole.result.accuracy);
    assert.deepEqual((await mergeShardGroup("g4", { dir: store })).result, whole.result);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("merge --group: missing, duplicated or inconsistent shard runs are errors naming them", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sentilab-shards-" });
  const store = `${dir}/store`;
  try {
    const data = await corpus(dir);
    const first = await shardRun(store, "g", "lexicon", data, 0, 3);
    await shardRun(store, "g", "lexicon", data, 2, 3);
    await assert.rejects(
      mergeShardGroup("nothing", { dir: store }),
      /group 'nothing': no finished shard runs in the store/,
    );
    await assert.rejects(
      mergeShardGroup("g", { dir: store }),
      /group 'g': 1 of 3 shards missing: shard 1\/3; run them \(deno task evaluate --shard 1\/3 --group g\)/,
    );
    const odd = await shardRun(store, "g", "default", data, 1, 3);
    await assert.rejects(
      mergeShardGroup("g", { dir: store }),
      new RegExp(`run ${odd} \\(.*\\): the model's digest differs from run ${first}`),
    );
    const again = await shardRun(store, "g", "lexicon", data, 0, 3);
    await assert.rejects(
      mergeShardGroup("g", { dir: store }),
      new RegExp(`group 'g': shard 0 given twice: run (${first}|${again}) .*, run (${first}|${again})`),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("evaluateModel tracks a streamed evaluation: chunked prediction table, metrics, histogram", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sentilab-evalmodel-" });
  try {
    const data = await corpus(dir);
    const run = await initRun({ tracker: "local", dir: `${dir}/store`, project: "p" });
    const ev = await evaluateModel("default", data, {
      run,
      workers: 2,
      limit: 2500,
      report: `${dir}/report`,
    });
    await finishRun(run);
    assert.equal(ev.count, 2500);
    const stored = getRun(run.id, { dir: `${dir}/store` })!;
    const tables = Object.fromEntries(stored.tables.map((t) => [t.key, t.rowCount]));
    assert.equal(tables.predictions, 2500);
    assert.equal(tables.confidence_histogram, 20);
    const rows = getTableRows(run.id, "predictions", { dir: `${dir}/store`, offset: 2499, limit: 1 });
    assert.equal(rows?.rows.length, 1);
    assert.equal(stored.summary.accuracy, ev.result.accuracy);
    assert.deepEqual(stored.used.map((u) => u.type).sort(), ["dataset", "model"]);
    assert.ok((await Deno.readTextFile(`${dir}/report/predictions.html`)).includes("the first 500 of 2500"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
