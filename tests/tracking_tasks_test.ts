// `deno task runs` and `deno task artifacts` on a store built here: tables, --json, --diff, errors.
import assert from "node:assert/strict";
import {
  finishRun,
  initRun,
  logArtifact,
  logMetrics,
  logTable,
  openStore,
  setSummary,
  useArtifact,
} from "../lib/tracking/mod.ts";

const RUNS = new URL("../tasks/runs.ts", import.meta.url).pathname;
const ARTIFACTS = new URL("../tasks/artifacts.ts", import.meta.url).pathname;

async function task(script: string, args: string[]): Promise<{ out: string; err: string; code: number }> {
  const o = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, ...args],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { out: dec.decode(o.stdout), err: dec.decode(o.stderr), code: o.code };
}

Deno.test("deno task runs / artifacts show runs, versions, manifests and diffs", async () => {
  const root = await Deno.makeTempDir({ prefix: "sentilab_tasks_" });
  const dir = `${root}/store`;
  try {
    await Deno.mkdir(`${root}/data`);
    await Deno.writeTextFile(`${root}/data/train.jsonl`, "one\n");
    await Deno.writeTextFile(`${root}/data/gone.txt`, "bye");
    const producer = await initRun({
      dir,
      project: "demo",
      name: "producer",
      config: { lr: 0.5 },
      strict: true,
    });
    for (let step = 0; step < 15; step++) logMetrics(producer, { loss: 1 / (step + 1) });
    setSummary(producer, { best: 0.75 });
    await logTable(producer, "preds", {
      columns: ["text", "label"],
      rows: [["a", "positive"], ["b", "negative"]],
    });
    await logArtifact(producer, { name: "reviews", type: "dataset", files: [`${root}/data`] }, {
      aliases: ["gold"],
    });
    await Deno.writeTextFile(`${root}/data/train.jsonl`, "one\ntwo\n");
    await Deno.remove(`${root}/data/gone.txt`);
    await Deno.writeTextFile(`${root}/data/new.txt`, "hi");
    await logArtifact(producer, { name: "reviews", type: "dataset", files: [`${root}/data`] });
    await finishRun(producer);
    const consumer = await initRun({ dir, project: "demo", name: "consumer", strict: true });
    await useArtifact(consumer, "reviews:gold");
    await finishRun(consumer, { exitCode: 1 });

    const list = await task(RUNS, ["--dir", dir]);
    assert.equal(list.code, 0, list.err);
    const lines = list.out.trim().split("\n");
    assert.match(lines[0], /^ID\s+NAME\s+PROJECT\s+STATUS\s+STARTED\s+DURATION\s+STEPS\s+W&B\s+SUMMARY$/);
    assert.ok(lines.some((l) => l.includes(producer.id) && /local only/.test(l)), "never synced to W&B");
    assert.ok(
      lines.some((l) =>
        l.includes(producer.id) && /producer\s+demo\s+finished/.test(l) && /best=0\.75/.test(l)
      ),
    );
    assert.ok(lines.some((l) => l.includes(consumer.id) && /consumer\s+demo\s+failed/.test(l)));

    const json = await task(RUNS, ["--dir", dir, "--json"]);
    const runs = JSON.parse(json.out);
    assert.deepEqual(runs.map((r: { name: string }) => r.name).sort(), ["consumer", "producer"]);

    const show = await task(RUNS, ["--dir", dir, producer.id]);
    assert.equal(show.code, 0, show.err);
    assert.match(show.out, new RegExp(`^Run ${producer.id}  producer  \\(demo\\)  finished`));
    assert.match(show.out, /Config\n {2}lr {2}0\.5/);
    assert.match(show.out, /Summary\n {2}loss {2}0\.066667\n {2}best {2}0\.75/);
    assert.match(show.out, /History \(15 rows, last 10\)/);
    assert.match(show.out, /\n {2}14 +0\.066667/);
    assert.doesNotMatch(show.out, /\n {2}4 +0\.2\n/, "only the last 10 rows");
    assert.match(show.out, /preds: 2 rows x 2 columns \(text, label\)/);
    assert.match(
      show.out,
      /Artifacts produced\n {2}reviews:v0 .*dataset.*2 files.*gold\n {2}reviews:v1 .*2 files/,
    );
    const showConsumer = await task(RUNS, ["--dir", dir, consumer.id, "--json"]);
    const c = JSON.parse(showConsumer.out);
    assert.deepEqual(c.used.map((v: { ref: string }) => v.ref), ["reviews:v0"]);
    assert.equal(c.status, "failed");
    assert.equal(
      JSON.parse((await task(RUNS, ["--dir", dir, producer.id, "--json", "--last", "3"])).out).lastHistory
        .length,
      3,
    );

    const arts = await task(ARTIFACTS, ["--dir", dir]);
    assert.match(
      arts.out,
      /NAME\s+TYPE\s+VERSIONS\s+LATEST\s+ALIASES\s+SIZE\n[- ]+\nreviews\s+dataset\s+2\s+v1\s+gold->v0/,
    );
    const versions = await task(ARTIFACTS, ["--dir", dir, "reviews"]);
    assert.match(versions.out, /v0\s+gold\s+2\s+/);
    assert.match(versions.out, /v1\s+latest\s+2\s+/);
    const manifest = await task(ARTIFACTS, ["--dir", dir, "reviews:v0"]);
    assert.match(manifest.out, /reviews:v0 \(dataset\) {2}aliases: gold/);
    assert.match(manifest.out, /gone\.txt\s+3 B\s+[A-Za-z0-9+/]{22}==/);
    assert.match(manifest.out, new RegExp(`produced by ${producer.id} \\(producer\\)`));
    assert.match(manifest.out, new RegExp(`used by     ${consumer.id} \\(consumer\\)`));
    const manifestJson = JSON.parse((await task(ARTIFACTS, ["--dir", dir, "reviews:gold", "--json"])).out);
    assert.deepEqual(Object.keys(manifestJson.manifest.contents), ["gone.txt", "train.jsonl"]);
    assert.equal(manifestJson.lineage.usedBy[0].runId, consumer.id);

    const diff = await task(ARTIFACTS, ["--dir", dir, "--diff", "reviews:v0", "reviews:v1"]);
    assert.equal(
      diff.out.trim(),
      [
        "reviews:v0 -> reviews:v1: 1 added, 1 removed, 1 changed, 0 unchanged",
        "  + new.txt  (2 B)",
        "  - gone.txt  (3 B)",
        "  ~ train.jsonl  (4 B -> 8 B)",
      ].join("\n"),
    );
    const diffJson = JSON.parse(
      (await task(ARTIFACTS, ["--dir", dir, "--diff", "reviews:v0", "reviews:latest", "--json"])).out,
    );
    assert.deepEqual(diffJson.added.map((a: { path: string }) => a.path), ["new.txt"]);

    // Bad input: a clear message on stderr and exit code 1.
    const missing = await task(ARTIFACTS, ["--dir", dir, "reviews:v9"]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /Artifact 'reviews:v9' not found/);
    const badDiff = await task(ARTIFACTS, ["--dir", dir, "--diff", "reviews:v0"]);
    assert.equal(badDiff.code, 1);
    assert.match(badDiff.err, /--diff needs two references/);
    const noRun = await task(RUNS, ["--dir", dir, "zzzzzzzz"]);
    assert.equal(noRun.code, 1);
    assert.match(noRun.err, /No run 'zzzzzzzz'/);
    const none = await task(RUNS, ["--dir", dir, "--project", "elsewhere"]);
    assert.equal(none.code, 0, none.err);
    assert.equal(none.out, "No runs match.\n");
    openStore({ dir: `${root}/empty`, create: true }).close();
    const empty = await task(RUNS, ["--dir", `${root}/empty`]);
    assert.equal(empty.code, 0, empty.err);
    assert.match(empty.out, /^No runs yet: track one, e\.g\. deno task evaluate/);
    const noStore = await task(RUNS, ["--dir", `${root}/nothing`]);
    assert.equal(noStore.code, 1);
    assert.match(noStore.err, /No tracking store in/);
    assert.match(noStore.err, /deno task evaluate/, "a command-line user is told what to run");
    const badFlag = await task(RUNS, ["--dir", dir, "--limit", "lots"]);
    assert.equal(badFlag.code, 1);
    assert.match(badFlag.err, /--limit must be a non-negative integer/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("deno task runs <id>: many metrics per step print transposed (KEY | step ...), --json unchanged", async () => {
  const root = await Deno.makeTempDir({ prefix: "sentilab_tasks_" });
  const dir = `${root}/store`;
  try {
    const run = await initRun({ dir, name: "evaluate", strict: true });
    const keys = [
      "accuracy",
      "macro_precision",
      "macro_recall",
      "macro_f1",
      "precision_negative",
      "recall_negative",
      "f1_negative",
      "precision_neutral",
      "recall_neutral",
      "f1_neutral",
      "average_confidence",
      "texts_per_second",
    ];
    for (let step = 0; step < 8; step++) {
      logMetrics(run, Object.fromEntries(keys.map((k, i) => [k, (step + 1) / (i + 3)])));
    }
    await finishRun(run);
    const show = await task(RUNS, ["--dir", dir, run.id]);
    assert.equal(show.code, 0, show.err);
    const history = show.out.slice(show.out.indexOf("History"), show.out.indexOf("\nTables"));
    const lines = history.trim().split("\n");
    assert.equal(lines[0], "History (8 rows, last 5)");
    assert.match(lines[1], /^ {2}KEY +step 3 +step 4 +step 5 +step 6 +step 7$/);
    assert.equal(lines.length, 3 + keys.length, history);
    assert.match(lines[3], /^ {2}accuracy +1\.3333 +1\.6667 +2 +2\.3333 +2\.6667$/);
    assert.match(lines[3 + keys.length - 1], /^ {2}texts_per_second +0\.28571 +/);
    assert.ok(show.out.split("\n").every((l) => l.length <= 120), "fits 120 columns (stdout is not a TTY)");
    // --json keeps every row of the last 10 with every key.
    const json = JSON.parse((await task(RUNS, ["--dir", dir, run.id, "--json"])).out);
    assert.equal(json.lastHistory.length, 8);
    assert.deepEqual(Object.keys(json.lastHistory[7].values), keys);

    // A few keys on a short line stay one row per step.
    const small = await initRun({ dir, name: "small", strict: true });
    for (let step = 0; step < 3; step++) logMetrics(small, { loss: 1 / (step + 1), acc: step / 3 });
    await finishRun(small);
    const out = (await task(RUNS, ["--dir", dir, small.id])).out;
    assert.match(out, /History \(3 rows\)\n {2}STEP +loss +acc\n {2}-+ +-+ +-+\n {2}0 +1 +0\n/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("deno task artifacts: --diff of a missing version lists the versions; producers and users are named", async () => {
  const root = await Deno.makeTempDir({ prefix: "sentilab_tasks_" });
  const dir = `${root}/store`;
  try {
    await Deno.writeTextFile(`${root}/a.txt`, "one");
    const producer = await initRun({ dir, name: "producer", strict: true });
    await logArtifact(producer, { name: "ds", type: "dataset", files: [`${root}/a.txt`] });
    await Deno.writeTextFile(`${root}/a.txt`, "two");
    await logArtifact(producer, { name: "ds", type: "dataset", files: [`${root}/a.txt`] });
    await finishRun(producer);
    // A version first stored by a run that only used it: it did not produce it.
    await Deno.writeTextFile(`${root}/b.txt`, "used only");
    const consumer = await initRun({ dir, name: "consumer", strict: true });
    await useArtifact(consumer, { name: "ds", type: "dataset", files: [`${root}/b.txt`] });
    await useArtifact(consumer, "ds:v0");
    let useError = "";
    await useArtifact(consumer, "ds:v7").catch((e) => useError = (e as Error).message);
    await finishRun(consumer);

    const diff = await task(ARTIFACTS, ["--dir", dir, "--diff", "ds:v0", "ds:v7"]);
    assert.equal(diff.code, 1);
    assert.equal(diff.out, "");
    assert.match(
      diff.err,
      /^error: Artifact 'ds:v7' not found in the store '.*'; 'ds' has v0, v1, v2\n$/,
    );
    assert.equal(diff.err, `error: ${useError}\n`, "the same hint as useArtifact");
    const none = await task(ARTIFACTS, ["--dir", dir, "--diff", "nope:v0", "ds:v1"]);
    assert.match(none.err, /Artifact 'nope:v0' not found .*; no artifact is named 'nope'/);

    const versions = await task(ARTIFACTS, ["--dir", dir, "ds"]);
    assert.equal(versions.code, 0, versions.err);
    const lines = versions.out.trim().split("\n");
    assert.match(lines[2], /^VERSION +ALIASES +FILES +SIZE +DIGEST +CREATED +PRODUCED BY +USED BY$/);
    const row = (v: string) => lines.find((l) => l.startsWith(v + " "))!;
    assert.match(row("v0"), new RegExp(`${producer.id} +${consumer.id}$`));
    assert.match(row("v1"), new RegExp(`${producer.id} +-$`));
    assert.match(row("v2"), new RegExp(` - +${consumer.id}$`), "used only: not shown as produced by it");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
