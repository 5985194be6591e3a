import assert from "node:assert/strict";
import { basename, dirname } from "node:path";
import { datasetArtifactName } from "../lib/data/mod.ts";
import { getOutput, getRun, getTableRows, listRuns } from "../lib/tracking/mod.ts";
import { ROOT, runTask } from "./_task_env.ts";

const HAS_DEFAULT = (() => {
  try {
    return Deno.statSync(`${ROOT}/models/default/model.onnx`).isFile;
  } catch {
    return false;
  }
})();

/**
 * Runs the task with a clean environment: HOME is the test's temp dir (no ~/.netrc credentials) and
 * WANDB_BASE_URL a closed loopback port, so no run can reach the real W&B.
 */
function evaluateTask(args: string[], store: string, extraEnv: Record<string, string> = {}) {
  return runTask("tasks/evaluate.ts", args, { SENTILAB_DIR: store, HOME: dirname(store), ...extraEnv });
}

async function withStore(fn: (store: string, dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "sentilab-evaluate-" });
  try {
    await fn(`${dir}/store`, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("evaluate task --json: one JSON object on stdout, the run with its inputs, tables and metrics in the store", async () => {
  await withStore(async (store, dir) => {
    const data = `${dir}/tiny.csv`;
    await Deno.writeTextFile(
      data,
      'text,label\n"I love it, really",positive\nThis is awful,negative\nThe shop opens at nine,neutral\nbad bad bad,positive\n',
    );
    const r = await evaluateTask(
      [
        "--model",
        "lexicon",
        "--data",
        data,
        "--json",
        "--project",
        "p1",
        "--name",
        "n1",
        "--batch-size",
        "2",
        "--group",
        "g1",
        "--tags",
        "a,b",
        "--tags",
        "c",
        "--notes",
        "first try",
      ],
      store,
    );
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    const stored = listRuns({ dir: store })[0];
    assert.equal(stored.group, "g1");
    assert.deepEqual(stored.tags, ["a", "b", "c"]);
    assert.equal(stored.notes, "first try");
    assert.equal(r.stdout.trim().split("\n").length, 1);
    assert.deepEqual(Object.keys(out).sort(), [
      "batchStatistics",
      "confidenceHistogram",
      "data",
      "metrics",
      "model",
      "run",
      "seconds",
    ]);
    assert.equal(out.run.backend, "local");
    assert.equal(out.run.project, "p1");
    assert.equal(out.run.name, "n1");
    // the dataset naming rule: <folder>-<file name>
    const dataName = datasetArtifactName(data);
    assert.equal(dataName, `${basename(dir)}-tiny.csv`);
    assert.deepEqual(out.run.inputs, [`dataset ${dataName}:v0`, "model lexicon:v0"]);
    assert.equal(await Deno.realPath(out.run.storeDir), await Deno.realPath(store));
    assert.equal(out.metrics.accuracy, 0.75);
    assert.deepEqual(out.metrics.confusionMatrix, [[1, 0, 0], [0, 1, 0], [1, 0, 1]]);
    assert.equal(out.batchStatistics.count, 4);
    assert.deepEqual(out.batchStatistics.labelDistribution, { negative: 2, neutral: 1, positive: 1 });

    const run = getRun(out.run.id, { dir: store })!;
    assert.equal(run.status, "finished");
    assert.equal(run.exitCode, 0);
    assert.equal(run.jobType, "evaluate");
    assert.equal(run.config.model, "lexicon");
    assert.equal(run.config.samples, 4);
    assert.deepEqual(run.used.map((u) => `${u.type}:${u.ref}`).sort(), [
      `dataset:${dataName}:v0`,
      "model:lexicon:v0",
    ]);
    const ds = run.used.find((u) => u.type === "dataset")!;
    assert.deepEqual(ds.metadata.label_distribution, { negative: 1, neutral: 1, positive: 2 });
    assert.equal(ds.metadata.samples, 4);
    assert.equal(run.summary.accuracy, 0.75);
    assert.equal(run.summary.confusion_positive_as_negative, 1);
    assert.ok(typeof run.summary.average_confidence === "number");
    const preds = getTableRows(out.run.id, "predictions", { dir: store })!;
    assert.equal(preds.rows.length, 4);
    assert.deepEqual(preds.rows[3].slice(0, 3), ["bad bad bad", "positive", "negative"]);
    const cm = getTableRows(out.run.id, "confusion_matrix", { dir: store })!;
    assert.deepEqual(cm.rows, [["negative", 1, 0, 0], ["neutral", 0, 1, 0], ["positive", 1, 0, 1]]);
  });
});

Deno.test("evaluate task: readable summary on the shipped sample; --limit; the same inputs are not stored twice", async () => {
  await withStore(async (store) => {
    const r = await evaluateTask(["--model", "lexicon", "--limit", "50"], store);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Evaluated lexicon \(lexicon\) on data\/sample\.jsonl: 50 texts/);
    assert.match(r.stdout, /precision\s+recall\s+f1\s+support/);
    assert.match(r.stdout, /confusion matrix \(rows: gold, columns: predicted\)/);
    const id = r.stdout.match(/run (\w{8}) \(/)![1];
    assert.match(r.stdout, new RegExp(`look at it: deno task runs ${id}`));
    // The result lines are in the run's output too (printed before the run ends).
    const output = getOutput(id, { dir: store }).map((o) => o.text).join("\n");
    assert.match(output, /precision\s+recall\s+f1\s+support/);
    assert.match(output, new RegExp(`look at it: deno task runs ${id}`));
    const again = await evaluateTask(["--model", "lexicon"], store);
    assert.equal(again.code, 0, again.stderr);
    const runs = listRuns({ dir: store });
    assert.equal(runs.length, 2);
    for (const run of runs) {
      assert.deepEqual(getRun(run.id, { dir: store })!.used.map((u) => u.ref).sort(), [
        "data-sample.jsonl:v0",
        "lexicon:v0",
      ]);
    }
    assert.equal(getTableRows(id, "predictions", { dir: store })!.rowCount, 50);
  });
});

Deno.test("evaluate task: --wandb while W&B is unavailable warns once and stores locally", async () => {
  await withStore(async (store) => {
    const r = await evaluateTask(["--model", "lexicon", "--limit", "5", "--wandb", "--json"], store);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr.split("\n").filter((l) => /W&B|wandb/i.test(l)).length, 1, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.run.backend, "local");
    assert.equal(getRun(out.run.id, { dir: store })!.status, "finished");
    // A 3-class file stays 3-class under --limit, even when the slice has no neutral text.
    assert.equal(out.metrics.binary, false);
    assert.deepEqual(out.metrics.labels, ["negative", "neutral", "positive"]);
    // the label distribution is that of the 5 rows evaluated; the whole file's is given apart
    assert.equal(out.data.samples, 5);
    assert.deepEqual(out.data.labelDistribution, { negative: 2, neutral: 0, positive: 3 });
    assert.equal(out.data.fileSamples, 320);
    assert.equal(
      Object.values(out.data.fileLabelDistribution as Record<string, number>).reduce((a, b) => a + b),
      320,
    );
  });
});

Deno.test("evaluate task without --tracker respects WANDB_MODE: disabled tracks nothing, offline stores locally", async () => {
  await withStore(async (store) => {
    const r = await evaluateTask(["--model", "lexicon", "--limit", "3"], store, { WANDB_MODE: "disabled" });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /run \w+ \(.*\) was not tracked \(WANDB_MODE=disabled\): nothing was stored/);
    let runs = 0;
    try {
      runs = listRuns({ dir: store }).length;
    } catch { /* no store was created: nothing tracked */ }
    assert.equal(runs, 0);
    const json = await evaluateTask(["--model", "lexicon", "--limit", "3", "--json"], store, {
      WANDB_MODE: "disabled",
    });
    assert.equal(json.code, 0, json.stderr);
    const out = JSON.parse(json.stdout);
    assert.equal(out.run.backend, "disabled");
    assert.equal(out.run.storeDir, null);
    // An explicit tracker still wins over WANDB_MODE.
    const local = await evaluateTask(
      ["--model", "lexicon", "--limit", "3", "--json", "--tracker", "local"],
      store,
      {
        WANDB_MODE: "disabled",
      },
    );
    assert.equal(local.code, 0, local.stderr);
    assert.equal(JSON.parse(local.stdout).run.backend, "local");
    const offline = await evaluateTask(["--model", "lexicon", "--limit", "3", "--json"], store, {
      WANDB_MODE: "offline",
    });
    assert.equal(offline.code, 0, offline.stderr);
    assert.equal(JSON.parse(offline.stdout).run.backend, "local");
    assert.equal(listRuns({ dir: store }).length, 2);
  });
});

Deno.test({
  name: "evaluate task --tracker console --json: stdout holds only the JSON object",
  fn: async () => {
    await withStore(async (store) => {
      const r = await evaluateTask(
        ["--tracker", "console", "--json", "--limit", "3", "--model", "lexicon"],
        store,
      );
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.equal(out.run.backend, "console");
      assert.equal(out.batchStatistics.count, 3);
    });
  },
});

Deno.test("evaluate task: bad flags and bad data exit 1 with a clear message and track nothing", async () => {
  await withStore(async (store, dir) => {
    const broken = `${dir}/broken.jsonl`;
    await Deno.writeTextFile(broken, '{"text":"a","label":"pos"}\n{"text":"b","label":"happy"}\n');
    const cases: [string[], RegExp][] = [
      [["--data", broken, "--model", "lexicon"], /error: .*broken\.jsonl:2: unknown label "happy"/],
      [
        ["--data", `${dir}/none.jsonl`, "--model", "lexicon"],
        /error: .*none\.jsonl: the file does not exist; check the path/,
      ],
      [["--model", "nope"], /error: Unknown model "nope"/],
      [["--limit=-3"], /error: --limit must be a positive integer, got "-3"/],
      [["--tracker", "cloud"], /error: --tracker must be one of auto, local, console, wandb, disabled/],
      [["--wandb", "--tracker", "local"], /error: --wandb conflicts with --tracker local/],
      [["--project", "a/b"], /error: --project "a\/b": use 1 to 128 characters without/],
      [["--group", "x:y"], /error: --group "x:y": use 1 to 128 characters without/],
      [
        ["--name", " padded"],
        /error: --name " padded": use 1 to 128 .*names cannot start or end with whitespace/,
      ],
      [["--label-map", "0=happy"], /error: --label-map "0=happy": use 0\/1\/2, 0\/1, -1\/0\/1 or pairs/],
      [["--frobnicate"], /error: unknown option --frobnicate; `deno task evaluate --help` lists the options/],
    ];
    for (const [args, re] of cases) {
      const r = await evaluateTask(args, store);
      assert.equal(r.code, 1, args.join(" "));
      assert.equal(r.stdout, "", args.join(" "));
      assert.match(r.stderr, re);
    }
    let runs = 0;
    try {
      runs = listRuns({ dir: store }).length;
    } catch { /* no store was created: nothing tracked */ }
    assert.equal(runs, 0);
  });
});

Deno.test({
  name: "evaluate task with no model flag uses the shipped ONNX default model",
  ignore: !HAS_DEFAULT,
  fn: async () => {
    await withStore(async (store) => {
      const r = await evaluateTask(["--json"], store);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.equal(out.model.name, "default");
      assert.equal(out.model.type, "onnx");
      assert.equal(out.data.samples, 320);
      const used = getRun(out.run.id, { dir: store })!.used;
      const model = used.find((u) => u.type === "model")!;
      assert.equal(model.name, "default");
      assert.ok("model.onnx" in model.manifest.contents);
    });
  },
});
