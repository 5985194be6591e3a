import assert from "node:assert/strict";
import { join } from "node:path";
import { finishRun, getRun } from "../lib/tracking/mod.ts";
import { evaluateModel } from "../lib/evaluation/mod.ts";
import { datasetArtifactName } from "../lib/data/dataset_artifact_name.ts";

const ROWS = [
  ["I love it, wonderful", "positive"],
  ["Awful, I hate it", "negative"],
  ["The box is on the table", "neutral"],
  ["Great and happy", "positive"],
  ["Terrible and sad", "negative"],
] as const;

async function fixture(): Promise<{ dir: string; file: string; store: string }> {
  const dir = await Deno.makeTempDir({ prefix: "sentilab-evaluate-model-" });
  const file = join(dir, "mixed.jsonl");
  await Deno.writeTextFile(
    file,
    ROWS.map(([text, label]) => JSON.stringify({ text, label })).join("\n") + "\n",
  );
  return { dir, file, store: join(dir, "store") };
}

Deno.test("evaluateModel with tracking: starts a finished evaluate run with its config; the label distribution is of the rows evaluated", async () => {
  const { dir, file, store } = await fixture();
  try {
    const ev = await evaluateModel("lexicon", file, {
      workers: 1,
      limit: 3,
      tracking: { dir: store, tracker: "local", project: "eval-test" },
    });
    assert.ok(ev.run);
    const details = getRun(ev.run.id, { dir: store })!;
    assert.equal(details.status, "finished", "finish defaults to true");
    assert.equal(details.jobType, "evaluate");
    assert.equal(details.config.model, "lexicon");
    assert.equal(details.config.data, file);
    assert.equal(details.config.limit, 3);
    assert.equal(details.config.samples, 3);
    assert.equal(details.config.batch_size, 256);
    assert.deepEqual(ev.data.labelDistribution, { negative: 1, neutral: 1, positive: 1 });
    assert.equal(ev.data.fileSamples, 5);
    assert.deepEqual(ev.data.fileLabelDistribution, { negative: 2, neutral: 1, positive: 2 });
    assert.equal(details.used.length, 2, "the dataset and the model are inputs of the run");

    const whole = await evaluateModel("lexicon", file, { workers: 1 });
    assert.equal(whole.run, null, "no run, no tracking");
    assert.deepEqual(whole.data.labelDistribution, { negative: 2, neutral: 1, positive: 2 });
    assert.equal(whole.data.fileSamples, undefined, "the whole file: no separate file counts");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("evaluateModel with tracking: bad data or model starts no run; finish false leaves the run open", async () => {
  const { dir, file, store } = await fixture();
  try {
    const tracking = { dir: store, tracker: "local" as const };
    await assert.rejects(evaluateModel("lexicon", join(dir, "gone.jsonl"), { tracking }), /gone\.jsonl/);
    await assert.rejects(evaluateModel("no-such-model", file, { tracking }), /no-such-model/);
    assert.equal(await Deno.stat(store).then(() => true, () => false), false, "no run was started");

    const open = await evaluateModel("lexicon", file, { workers: 1, tracking, finish: false });
    assert.equal(getRun(open.run!.id, { dir: store })!.status, "running");
    await finishRun(open.run!);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("evaluateModel with tracking in another store: a dataset reference resolves in that store", async () => {
  const { dir, file, store } = await fixture();
  try {
    const first = await evaluateModel("lexicon", file, {
      workers: 1,
      tracking: { dir: store, tracker: "local" },
    });
    const ref = `${datasetArtifactName(file)}:v0`;
    const again = await evaluateModel("lexicon", ref, {
      workers: 1,
      tracking: { dir: store, tracker: "local" },
    });
    assert.equal(
      again.result.accuracy,
      first.result.accuracy,
      "the same rows, read from the stored version",
    );
    assert.equal(getRun(again.run!.id, { dir: store })!.config.data, ref);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
