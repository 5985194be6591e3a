// One dataset naming rule for every task, dataset references (NAME:REF) in readDataset and --data.
import assert from "node:assert/strict";
import { datasetArtifactName, readDataset } from "../lib/data/mod.ts";
import {
  finishRun,
  getLineage,
  getRun,
  initRun,
  listArtifacts,
  logDatasetArtifact,
} from "../lib/tracking/mod.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const WORDS = {
  positive: ["great", "lovely", "superb", "wonderful", "happy"],
  negative: ["awful", "terrible", "boring", "sad", "horrible"],
  neutral: ["table", "monday", "report", "chair", "paper"],
};

async function writeData(path: string, n: number, seed: number): Promise<void> {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const label = (["negative", "neutral", "positive"] as const)[(i + seed) % 3];
    const w = WORDS[label];
    lines.push(JSON.stringify({ text: `the ${w[i % 5]} ${w[(i + seed) % 5]} thing ${i}`, label }));
  }
  await Deno.writeTextFile(path, lines.join("\n") + "\n");
}

async function task(name: string, args: string[], store: string, cwd: string) {
  const o = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", `${ROOT}deno.json`, `${ROOT}tasks/${name}.ts`, ...args],
    cwd,
    env: { NO_COLOR: "1", SENTILAB_DIR: store, WANDB_MODE: "offline" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { out: dec.decode(o.stdout), err: dec.decode(o.stderr), code: o.code };
}

Deno.test("datasetArtifactName: <folder>-<file>, so test.jsonl of two folders stay apart", () => {
  assert.equal(datasetArtifactName("data/sst2/test.jsonl"), "sst2-test.jsonl");
  assert.equal(datasetArtifactName("/x/tweets/test.jsonl"), "tweets-test.jsonl");
  assert.notEqual(datasetArtifactName("a/one/test.jsonl"), datasetArtifactName("a/two/test.jsonl"));
  assert.equal(datasetArtifactName("/test.jsonl"), "test.jsonl");
  assert.equal(datasetArtifactName("/d/my data?/t t.csv"), "my-data--t-t.csv");
});

Deno.test("train and evaluate of the same file share one dataset artifact; --data-name overrides", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sentilab-data-" });
  try {
    const store = `${dir}/store`;
    await Deno.mkdir(`${dir}/mydata`);
    await Deno.mkdir(`${dir}/other`);
    await writeData(`${dir}/mydata/train.jsonl`, 60, 0);
    await writeData(`${dir}/mydata/test.jsonl`, 30, 1);
    await writeData(`${dir}/other/test.jsonl`, 30, 2);
    let r = await task(
      "train",
      [
        "--train",
        "mydata/train.jsonl",
        "--val",
        "mydata/test.jsonl",
        "--out",
        "models/m",
        "--max-epochs",
        "1",
        "--quiet",
      ],
      store,
      dir,
    );
    assert.equal(r.code, 0, r.err);
    // evaluate runs from another working directory with an absolute path: the same name
    r = await task(
      "evaluate",
      ["--model", `${dir}/models/m`, "--data", `${dir}/mydata/test.jsonl`],
      store,
      ROOT,
    );
    assert.equal(r.code, 0, r.err);
    r = await task("evaluate", ["--model", `${dir}/models/m`, "--data", "other/test.jsonl"], store, dir);
    assert.equal(r.code, 0, r.err);
    const datasets = listArtifacts({ dir: store, type: "dataset" }).map((a) => a.name).sort();
    assert.deepEqual(datasets, ["mydata-test.jsonl", "mydata-train.jsonl", "other-test.jsonl"]);
    const lineage = getLineage("mydata-test.jsonl:v0", { dir: store })!;
    const jobs = lineage.usedBy.map((l) => getRun(l.runId, { dir: store })!.jobType).sort();
    assert.deepEqual(jobs, ["evaluate", "train"], "train and evaluate used the same version");

    r = await task(
      "evaluate",
      [
        "--model",
        `${dir}/models/m`,
        "--data",
        "other/test.jsonl",
        "--data-name",
        "held-out",
        "--report",
        "rep",
      ],
      store,
      dir,
    );
    assert.equal(r.code, 0, r.err);
    const names = listArtifacts({ dir: store }).map((a) => a.name);
    assert.ok(names.includes("held-out"), names.join(", "));
    assert.ok(names.includes("m-held-out-report"), `the report is named after model and data: ${names}`);
    r = await task("evaluate", ["--model", `${dir}/models/m`, "--data-name", "a:b"], store, dir);
    assert.notEqual(r.code, 0);
    assert.match(r.err, /--data-name "a:b"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readDataset and evaluate --data read a stored dataset by NAME:REF and record that version", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sentilab-data-" });
  try {
    const store = `${dir}/store`;
    await writeData(`${dir}/reviews.jsonl`, 12, 0);
    const producer = await initRun({ dir: store, tracker: "local" });
    await logDatasetArtifact(producer, `${dir}/reviews.jsonl`, { name: "reviews", aliases: ["gold"] });
    await finishRun(producer);

    const data = await readDataset("reviews:gold", { storeDir: store });
    assert.equal(data.count, 12);
    assert.equal(data.ref, "reviews:v0");
    assert.ok(data.path.startsWith(`${store}/cache/`), data.path);

    const run = await initRun({ dir: store, tracker: "local" });
    const tracked = await readDataset("reviews:v0", { run });
    assert.equal(tracked.artifact?.ref, "reviews:v0");
    await finishRun(run);
    assert.deepEqual(getRun(run.id, { dir: store })!.used.map((u) => u.ref), ["reviews:v0"]);

    await assert.rejects(readDataset("reviews:v3", { storeDir: store }), /reviews:v3: no such file.*has v0/);
    // a bare name is a path for data (a file may have it): the error says how to ask for the stored one
    await assert.rejects(
      readDataset("reviews", { storeDir: store }),
      /^Error: reviews: the file does not exist; check the path; a stored dataset has that name: use reviews:latest/,
    );
    await assert.rejects(
      readDataset("unknown", { storeDir: store }),
      /^Error: unknown: the file does not exist; check the path$/,
    );

    const r = await task("evaluate", ["--model", "lexicon", "--data", "reviews:gold", "--json"], store, dir);
    assert.equal(r.code, 0, r.err);
    const out = JSON.parse(r.out);
    const used = getRun(out.run.id, { dir: store })!.used.map((u) => u.ref);
    assert.ok(used.includes("reviews:v0"), used.join(", "));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
