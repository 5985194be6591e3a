// Models by artifact reference (NAME:vN, NAME:ALIAS, NAME) in code and on the command line, and
// `deno task artifacts alias`.
import assert from "node:assert/strict";
import { ROOT, runTask } from "./_task_env.ts";
import { loadModel } from "../lib/models/mod.ts";
import { finishRun, getLineage, getRun, initRun, listRuns, logModelArtifact } from "../lib/tracking/mod.ts";
import { writeTinyModel } from "./model_fixtures.ts";

async function task(name: string, args: string[], store: string) {
  const r = await runTask(`${ROOT}tasks/${name}.ts`, args, { SENTILAB_DIR: store, WANDB_MODE: "offline" });
  return { out: r.stdout, err: r.stderr, code: r.code };
}

/** A store with model `mine`: v0 answers positive, v1 answers negative. */
async function storeWithTwoVersions(dir: string): Promise<string> {
  const store = `${dir}/store`;
  await writeTinyModel(`${dir}/pos`, [0, 1, 4]);
  await writeTinyModel(`${dir}/neg`, [4, 1, 0]);
  const run = await initRun({ dir: store, project: "p", tracker: "local" });
  await logModelArtifact(run, `${dir}/pos`, { name: "mine" });
  await logModelArtifact(run, `${dir}/neg`, { name: "mine" });
  await finishRun(run);
  return store;
}

async function answer(ref: string, storeDir: string): Promise<string> {
  const model = await loadModel(ref, { storeDir });
  try {
    const [row] = await model.scoreBatch(["anything"]);
    return model.labels[row.indexOf(Math.max(...row))];
  } finally {
    await model.close();
  }
}

Deno.test("loadModel: NAME:vN, NAME:latest and a bare NAME load the stored model from a cache folder", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sentilab-ref-" });
  try {
    const store = await storeWithTwoVersions(dir);
    assert.equal(await answer("mine:v0", store), "positive");
    assert.equal(await answer("mine:v1", store), "negative");
    assert.equal(await answer("mine:latest", store), "negative");
    assert.equal(await answer("mine", store), "negative");
    const model = await loadModel("mine:v0", { storeDir: store });
    assert.equal(model.name, "mine");
    assert.ok(model.dir!.startsWith(`${store}/cache/`), model.dir!);
    assert.deepEqual([...Deno.readDirSync(model.dir!)].map((e) => e.name).sort(), [
      "card.json",
      "features.json",
      "labels.json",
      "model.onnx",
    ]);
    await model.close();
    // the cache is reused: loading again copies nothing new
    const before = [...Deno.readDirSync(`${store}/cache`)].length;
    await answer("mine:v0", store);
    assert.equal([...Deno.readDirSync(`${store}/cache`)].length, before);

    await assert.rejects(loadModel("mine:v7", { storeDir: store }), /'mine' has v0, v1/);
    await assert.rejects(loadModel("mine:staging", { storeDir: store }), /mine:staging' not found/);
    await assert.rejects(
      loadModel("nothere", { storeDir: store }),
      /Unknown model "nothere".*no model artifact of that name in the store.*model artifacts: mine/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadModel with a run records the artifact version as the run's input", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sentilab-ref-" });
  try {
    const store = await storeWithTwoVersions(dir);
    const run = await initRun({ dir: store, project: "p", tracker: "local" });
    const model = await loadModel("mine:v0", { run });
    await model.close();
    await finishRun(run);
    const used = getRun(run.id, { dir: store })!.used.map((u) => u.ref);
    assert.deepEqual(used, ["mine:v0"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("artifacts alias sets, moves and removes an alias; predict --model NAME:ALIAS follows it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sentilab-ref-" });
  try {
    const store = await storeWithTwoVersions(dir);
    let r = await task("artifacts", ["alias", "mine:v0", "production"], store);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /mine:production -> mine:v0/);
    assert.equal(listRuns({ dir: store }).length, 1, "no run is made for an alias");
    assert.deepEqual(getLineage("mine:v0", { dir: store })!.usedBy, [], "lineage unchanged");
    r = await task("predict", ["--model", "mine:production", "what a day"], store);
    assert.equal(r.code, 0, r.err);
    assert.equal(JSON.parse(r.out).label, "positive");

    r = await task("artifacts", ["alias", "mine:v1", "production"], store);
    assert.equal(r.code, 0, r.err);
    r = await task("predict", ["--model", "mine:production", "what a day"], store);
    assert.equal(JSON.parse(r.out).label, "negative");
    r = await task("artifacts", ["mine:v0", "--json"], store);
    assert.deepEqual(JSON.parse(r.out).aliases, [], "the alias moved off v0");

    r = await task("artifacts", ["alias", "mine:v1", "production", "--remove"], store);
    assert.equal(r.code, 0, r.err);
    r = await task("predict", ["--model", "mine:production", "x"], store);
    assert.notEqual(r.code, 0);
    assert.match(r.err, /mine:production' not found/);

    r = await task("artifacts", ["alias", "mine:v1", "latest"], store);
    assert.notEqual(r.code, 0);
    assert.match(r.err, /'latest' is kept by the store/);
    r = await task("artifacts", ["alias", "mine:v0", "v3"], store);
    assert.notEqual(r.code, 0);
    assert.match(r.err, /cannot look like a version index/);
    r = await task("artifacts", ["alias", "mine:v1", "production", "--remove"], store);
    assert.notEqual(r.code, 0);
    assert.match(r.err, /has no alias 'production'/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
