// initRun like wandb.init: id + resume, mode, unknown options, and the WANDB_* environment.
import assert from "node:assert/strict";
import {
  defineMetric,
  finishRun,
  getHistory,
  getOutput,
  getRun,
  initRun,
  listRuns,
  logArtifact,
  logMetrics,
  setSummary,
} from "../lib/tracking/mod.ts";
import { ROOT, taskEnv } from "./_task_env.ts";
import { warnings } from "./_warnings.ts";

async function inTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "sentilab_resume_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("resume 'allow' continues the run: steps go on, summary and config merge, artifacts stay", () =>
  inTemp(async (dir) => {
    const store = `${dir}/store`;
    await Deno.writeTextFile(`${dir}/w.txt`, "weights");
    const first = await initRun({ dir: store, id: "train-1", config: { lr: 0.1, epochs: 2 }, strict: true });
    assert.equal(first.resumed, false);
    defineMetric(first, "loss", { summary: "min" });
    for (let i = 0; i < 3; i++) logMetrics(first, { loss: 1 - i / 10 });
    setSummary(first, { note: "first part" });
    await logArtifact(first, { name: "weights", type: "model", files: [`${dir}/w.txt`] });
    console.log("from the first process");
    await finishRun(first, { exitCode: 1 });
    const started = getRun("train-1", { dir: store })!.startedAt;

    const second = await initRun({
      dir: store,
      id: "train-1",
      resume: "allow",
      config: { epochs: 4 },
      tags: ["resumed"],
      strict: true,
    });
    assert.equal(second.resumed, true);
    assert.equal(second.id, "train-1");
    assert.deepEqual(second.config, { lr: 0.1, epochs: 4 });
    assert.equal(getRun("train-1", { dir: store })!.status, "running");
    logMetrics(second, { loss: 0.5 });
    logMetrics(second, { loss: 0.6 });
    console.log("from the second process");
    await finishRun(second);

    const run = getRun("train-1", { dir: store })!;
    assert.equal(listRuns({ dir: store }).length, 1, "one run, continued");
    assert.equal(run.status, "finished");
    assert.equal(run.exitCode, 0);
    assert.equal(run.startedAt, started);
    assert.deepEqual(run.tags, ["resumed"]);
    assert.deepEqual(run.config, { lr: 0.1, epochs: 4 });
    assert.deepEqual(getHistory("train-1", { dir: store }).map((h) => h.step), [0, 1, 2, 3, 4]);
    // The definition came back with the run: loss keeps its min summary; the explicit value stays.
    assert.deepEqual(run.summary, { loss: { min: 0.5 }, note: "first part" });
    assert.deepEqual(run.produced.map((v) => v.ref), ["weights:v0"]);
    const output = getOutput("train-1", { dir: store }).map((o) => o.text);
    assert.ok(output.includes("from the first process") && output.includes("from the second process"));
  }));

Deno.test("resume rules: 'must' needs the run, 'never' and no resume refuse an existing id", () =>
  inTemp(async (dir) => {
    await assert.rejects(
      initRun({ dir, id: "nope", resume: "must", strict: true }),
      /resume "must" but there is no run 'nope'/,
    );
    const allow = await initRun({ dir, id: "fresh", resume: "allow", strict: true });
    assert.equal(allow.resumed, false);
    assert.equal(allow.id, "fresh");
    await finishRun(allow);
    await assert.rejects(initRun({ dir, id: "fresh", resume: "never", strict: true }), /exists already/);
    await assert.rejects(initRun({ dir, id: "fresh", strict: true }), /pass resume: "allow"/);
    // Not strict: one warning, and a new run with a new id (nothing of 'fresh' is touched).
    let other;
    const seen = await warnings(async () => other = await initRun({ dir, id: "fresh" }));
    assert.equal(seen.length, 1, seen.join("\n"));
    assert.match(seen[0], /run 'fresh' exists already.*starting a new run with a new id/);
    assert.notEqual(other!.id, "fresh");
    await finishRun(other!);
    assert.equal(getRun("fresh", { dir })!.status, "finished");
    await assert.rejects(initRun({ dir, id: "a/b", strict: true }), /option 'id'.*cannot contain/);
  }));

Deno.test("mode picks the backend unless tracker is given; an unknown option is one warning naming it", () =>
  inTemp(async (dir) => {
    const disabled = await initRun({ dir, mode: "disabled" });
    assert.equal(disabled.backend, "disabled");
    const offline = await initRun({ dir, mode: "offline" });
    assert.equal(offline.backend, "local");
    await finishRun(offline);
    let both;
    const seen = await warnings(async () => {
      both = await initRun({ dir, mode: "disabled", tracker: "local", colour: "red" } as never);
    });
    assert.equal(both!.backend, "local");
    assert.equal(seen.length, 2, seen.join("\n"));
    assert.ok(seen.some((w) => /tracker 'local' and mode 'disabled' disagree/.test(w)));
    assert.ok(seen.some((w) => /unknown option 'colour'/.test(w)));
    await finishRun(both!);
    await assert.rejects(initRun({ dir, colour: "red", strict: true } as never), /unknown option 'colour'/);
    await assert.rejects(initRun({ dir, mode: "sometimes", strict: true } as never), /option 'mode'/);
  }));

/** Runs tests/_init_env_child.ts with `options` and the environment `env`; returns its run and output. */
async function child(dir: string, options: Record<string, unknown>, env: Record<string, string>) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", "deno.json", "tests/_init_env_child.ts", JSON.stringify(options)],
    cwd: ROOT,
    env: taskEnv({ HOME: dir, ...env }),
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  return { run: JSON.parse(stdout.trim().split("\n").at(-1)!), stderr };
}

Deno.test("the WANDB_* environment fills unset options; explicit options win", () =>
  inTemp(async (dir) => {
    const env = {
      WANDB_DIR: `${dir}/wandb`,
      WANDB_RUN_ID: "env-run",
      WANDB_NAME: "from env",
      WANDB_NOTES: "env notes",
      WANDB_TAGS: "a, b,c",
      WANDB_RUN_GROUP: "env-group",
      WANDB_JOB_TYPE: "env-job",
      WANDB_PROJECT: "env-project",
      WANDB_MODE: "offline",
      WANDB_CONSOLE: "off",
    };
    const { run } = await child(dir, {}, env);
    assert.deepEqual(run, {
      id: "env-run",
      name: "from env",
      notes: "env notes",
      tags: ["a", "b", "c"],
      group: "env-group",
      jobType: "env-job",
      project: "env-project",
      storeDir: `${dir}/wandb/.sentilab`,
      resumed: false,
      backend: "local",
    });
    assert.deepEqual(getOutput("env-run", { dir: `${dir}/wandb/.sentilab` }), [], "WANDB_CONSOLE=off");
    // WANDB_RESUME continues it; explicit options win over the variables.
    const again = await child(dir, { name: "explicit", tags: ["t"], captureConsole: true }, {
      ...env,
      WANDB_RESUME: "allow",
    });
    assert.equal(again.run.resumed, true);
    assert.equal(again.run.name, "explicit");
    assert.deepEqual(again.run.tags, ["t"]);
    const stored = getRun("env-run", { dir: `${dir}/wandb/.sentilab` })!;
    assert.equal(stored.historyCount, 2);
    assert.deepEqual(getOutput("env-run", { dir: `${dir}/wandb/.sentilab` }).map((o) => o.text), [
      "printed while the run records",
    ]);
  }));

Deno.test("a bad value read from the environment is named by its variable, not as an option", () =>
  inTemp(async (dir) => {
    // W&B also knows WANDB_RESUME=auto, which initRun does not: the warning names what the user set.
    const r = await child(dir, { dir: `${dir}/s` }, { WANDB_RESUME: "auto", WANDB_RUN_GROUP: "a/b" });
    assert.match(r.stderr, /WANDB_RESUME \(initRun's 'resume'\) \('auto'\) is not one of allow, must, never/);
    assert.match(r.stderr, /WANDB_RUN_GROUP \(initRun's 'group'\)/);
    assert.doesNotMatch(r.stderr, /option 'resume'/);
    const explicit = await child(dir, { dir: `${dir}/s`, resume: "sometimes" }, {});
    assert.match(explicit.stderr, /option 'resume' \('sometimes'\)/);
  }));

Deno.test("WANDB_SILENT=true: tracking warnings are not printed", () =>
  inTemp(async (dir) => {
    const loud = await child(dir, { dir: `${dir}/s`, colour: 1 }, {});
    assert.match(loud.stderr, /unknown option 'colour'/);
    const quiet = await child(dir, { dir: `${dir}/s`, colour: 1 }, { WANDB_SILENT: "true" });
    assert.doesNotMatch(quiet.stderr, /sentilab/);
  }));
