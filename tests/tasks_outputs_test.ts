/**
 * What people read from `deno task runs ID`, `deno task artifacts NAME:vN` and `deno task sync --dry-run`:
 * each thing said once, no internal keys, long JSON summarised, correct plurals.
 * @module
 */
import assert from "node:assert/strict";
import { finishRun, initRun, logArtifact, logTable, setSummary } from "../lib/tracking/mod.ts";
import { evaluate, logEvaluation } from "../lib/evaluation/mod.ts";
import type { Prediction } from "../lib/inference/mod.ts";
import { runTask } from "./_task_env.ts";

const pred = (label: Prediction["label"]): Prediction => ({
  text: "t",
  label,
  confidence: 0.9,
  scores: { negative: 0.05, neutral: 0.05, positive: 0.05, [label]: 0.9 },
});

const count = (text: string, re: RegExp) => [...text.matchAll(new RegExp(re, "gm"))].length;

Deno.test("runs ID, artifacts NAME:vN and sync --dry-run read well", async () => {
  const home = await Deno.makeTempDir();
  const dir = `${home}/store`;
  try {
    await Deno.writeTextFile(`${home}/model.onnx`, "weights");
    const description = "A model for the output test; its description is long enough to be noticed twice. "
      .repeat(2)
      .trim();
    const run = await initRun({ dir, name: "readable", tracker: "local", strict: true });
    const result = evaluate([pred("positive"), pred("negative"), pred("neutral")], [
      "positive",
      "neutral",
      "positive",
    ]);
    await logEvaluation(run, result);
    await setSummary(run, {
      sources: Object.fromEntries(
        Array.from({ length: 30 }, (_, i) => [`source_${i}`, { n: i, accuracy: 0.5 }]),
      ),
    });
    await logTable(run, "one", { columns: ["a"], rows: [[1]] });
    await logArtifact(run, {
      name: "mymodel",
      type: "model",
      description,
      metadata: {
        description,
        hyperparameters: { lr: 0.1, l2: 0.001, epochs: 4 },
        // as a model card's per-source metrics: recall per class, fractions at full precision
        sources: {
          three: {
            n: 404,
            recall: { negative: 0.68, neutral: 0.6615384615384615, positive: 0.7531380753138075 },
          },
          two: { n: 617, recall: { negative: 0.8272425249169435, positive: 0.7753164556962026 } },
        },
        metrics: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`source_${i}/accuracy`, i / 40])),
      },
      files: [`${home}/model.onnx`],
    });
    await finishRun(run);
    const env = { HOME: home, SENTILAB_DIR: dir };

    const shown = await runTask("tasks/runs.ts", [run.id], env);
    assert.equal(shown.code, 0, shown.stderr);
    const out = shown.stdout;
    assert.equal(count(out, /^ {2}accuracy +/), 1, "the summary is not repeated under History");
    assert.match(out, /\nHistory \(1 row, step 0: the values under Summary\)\n/);
    assert.doesNotMatch(out, /^ +binary +/m, "no internal keys");
    assert.match(out, /\n {2}scoring +"three-class"\n/);
    assert.match(
      out,
      /\n {2}sources +\{source_0, source_1, source_2, source_3, \.\.\.\}\n/,
      "long JSON summarised",
    );
    assert.ok(out.split("\n").every((l) => l.length <= 130), "no long line");
    assert.match(out, /\n {2}one: 1 row x 1 column \(a\)\n/);
    assert.match(out, /\n {2}mymodel:v0 +model +1 file +7 B +latest\n/);
    assert.doesNotMatch(out, /\b1 (rows|files|columns)\b/);

    const list = await runTask("tasks/artifacts.ts", [], env);
    assert.match(list.stdout, /\nmymodel +model +1 +v0 +latest->v0 +7 B\n/, "ALIASES shows latest");
    const other = await runTask("tasks/artifacts.ts", ["--type", "dataset"], env);
    assert.equal(other.stdout, "No artifacts of type dataset.\n", "says what it looked for");
    const versions = await runTask("tasks/artifacts.ts", ["mymodel"], env);
    assert.match(versions.stdout, /^mymodel \(model\), 1 version\n/);

    const art = await runTask("tasks/artifacts.ts", ["mymodel:v0"], env);
    assert.equal(art.code, 0, art.stderr);
    assert.equal(
      count(art.stdout, /its description is long enough/),
      2,
      "the description once (it says it twice)",
    );
    // pretty-printed: nested objects open below their key, one value a line
    assert.match(
      art.stdout,
      /\nMetadata\n {2}hyperparameters\n {4}lr +0\.1\n {4}l2 +0\.001\n {4}epochs +4\n/,
    );
    assert.match(art.stdout, /\n {2}metrics\n {4}source_0\/accuracy +0\n {4}source_1\/accuracy +0\.025\n/);
    assert.ok(art.stdout.split("\n").every((l) => l.length <= 120), "no 4 KB line");
    // a nested value shown whole, its fractions to 5 digits as everywhere else, not 16
    assert.match(art.stdout, /\n {6}recall +\{"negative":0\.68,"neutral":0\.66154,"positive":0\.75314\}\n/);
    assert.match(art.stdout, /\n {6}recall +\{"negative":0\.82724,"positive":0\.77532\}\n/);
    assert.doesNotMatch(art.stdout, /\d\.\d{8}/, "no fraction printed at full precision");

    const dry = await runTask("tasks/sync.ts", ["--dry-run"], env);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /\ndry run against .*: 1 run to sync, nothing sent\n/);
    // counted with the right plural, then named: "2 tables (confusion_matrix, one)", not "table a, b"
    assert.match(dry.stdout, /would send: .*, \d+ tables \([a-z_]+(, [a-z_]+)+\), /);
    assert.match(dry.stdout, /, 1 history row, /);
    assert.match(dry.stdout, /\nthe real sync would fail: No W&B API key for .*WANDB_API_KEY/);
    const withKey = await runTask("tasks/sync.ts", ["--dry-run"], { ...env, WANDB_API_KEY: "x".repeat(40) });
    assert.doesNotMatch(withKey.stdout, /would fail/);
    assert.doesNotMatch(withKey.stdout + withKey.stderr, /xxxxxxxx/, "the key never appears");
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
