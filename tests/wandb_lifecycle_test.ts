// The exit code of every way a program ends reaches W&B (tests/wandb_emulator.ts), as with the W&B SDK:
// normal end 0, an uncaught error 1, Deno.exit(n) n, SIGINT 255, SIGTERM 143. Each runs
// tests/_lifecycle_child.ts as a real subprocess with the project's config and `--wandb`'s tracker.
import assert from "node:assert/strict";
import {
  defineMetric,
  finishRun,
  getRun,
  getSyncStatus,
  initRun,
  logMetrics,
  syncRuns,
} from "../lib/tracking/mod.ts";
import { startEmulator } from "./wandb_emulator.ts";
import { NODE_MODULES_AS_INSTALLED, ROOT, runChild as runChildProcess, taskEnv } from "./_task_env.ts";

const KEY = "k".repeat(20) + "lifeCYCLE" + "z".repeat(11);

async function runChild(
  env: Record<string, string>,
  mode: string,
  dir: string,
  signal?: Deno.Signal | Deno.Signal[],
) {
  const r = await runChildProcess(
    ["tests/_lifecycle_child.ts", mode, dir, "wandb"],
    { HOME: dir, ...env },
    signal,
  );
  const id = /run (\w+)/.exec(r.stdout)?.[1];
  assert.ok(id, `${r.stdout}\n${r.stderr}`);
  return { code: r.code, id, stderr: r.stderr };
}

Deno.test("the exit code of each way a program ends reaches W&B", async () => {
  const emu = await startEmulator({ apiKey: KEY, loud: false });
  const dir = await Deno.makeTempDir({ prefix: "sentilab_wblife_" });
  try {
    const env = { WANDB_BASE_URL: emu.url, WANDB_API_KEY: KEY };
    const cases: [string, Deno.Signal | undefined, number, string][] = [
      ["normal", undefined, 0, "finished"],
      ["throw", undefined, 1, "failed"],
      ["exit", undefined, 3, "failed"],
      ["wait", "SIGINT", 255, "killed"],
      ["wait", "SIGTERM", 143, "killed"],
    ];
    for (const [mode, signal, exitcode, status] of cases) {
      const store = `${dir}/${mode}-${signal ?? "none"}`;
      const r = await runChild(env, mode, store, signal);
      const what = `${mode} ${signal ?? ""}`;
      assert.equal(getRun(r.id, { dir: store })!.status, status, what);
      const remote = emu.state().runs[`emu-user/lifecycle/${r.id}`];
      assert.ok(remote, `${what}: the run is on W&B\n${r.stderr}`);
      assert.equal(remote.complete, true, `${what}: completed on W&B\n${r.stderr}`);
      assert.equal(remote.exitcode, exitcode, what);
      assert.deepEqual(remote.history.map((h) => h?.loss), [0.5, 0.25], what);
      assert.equal(
        getSyncStatus(r.id, { dir: store, target: emu.url })!.synced,
        true,
        `${what}: nothing left`,
      );
      assert.ok(!r.stderr.includes(KEY), "the key is never printed");
    }
  } finally {
    await emu.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Deno.exit's upload child reaches the W&B given as initRun options (no WANDB_* set)", async () => {
  const emu = await startEmulator({ apiKey: KEY, loud: false });
  const dir = await Deno.makeTempDir({ prefix: "sentilab_wbexitopt_" });
  try {
    const r = await runChild({ CHILD_WANDB_URL: emu.url, CHILD_WANDB_KEY: KEY }, "exit", dir);
    assert.equal(r.code, 3, r.stderr);
    const remote = emu.state().runs[`emu-user/lifecycle/${r.id}`];
    assert.ok(remote, `the run is on W&B\n${r.stderr}`);
    assert.equal(remote.complete, true, `completed on W&B by the exit child\n${r.stderr}`);
    assert.equal(remote.exitcode, 3);
    assert.doesNotMatch(r.stderr, /has not got/);
  } finally {
    await emu.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Deno.exit without --allow-run on a terminal exits at once (no permission prompt), W&B later", async () => {
  const emu = await startEmulator({ apiKey: KEY, loud: false });
  const dir = await Deno.makeTempDir({ prefix: "sentilab_wbexitperm_" });
  try {
    // `script` gives the child a terminal, where Deno would prompt for a permission it lacks (and wait).
    const flags =
      "--allow-read --allow-write --allow-env --allow-net --allow-sys --allow-ffi --allow-run=git";
    const command = `${Deno.execPath()} run ${flags} ${NODE_MODULES_AS_INSTALLED} --config deno.json ` +
      `tests/_lifecycle_child.ts exit ${dir} wandb`;
    const child = new Deno.Command("script", {
      args: ["-qec", command, "/dev/null"],
      cwd: ROOT,
      env: taskEnv({ HOME: dir, WANDB_BASE_URL: emu.url, WANDB_API_KEY: KEY }),
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    const out = await child.output();
    clearTimeout(timer);
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 3, text);
    assert.doesNotMatch(text, /Deno requests run access/);
    assert.match(text, /the upload at exit needs --allow-run/);
    const id = /run (\w+)/.exec(text)![1];
    assert.equal(getRun(id, { dir })!.exitCode, 3, "recorded in the store");
    const report = await syncRuns({ dir, baseUrl: emu.url, apiKey: KEY });
    assert.equal(report.failed, 0);
    assert.equal(emu.state().runs[`emu-user/lifecycle/${id}`].exitcode, 3);
  } finally {
    await emu.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a second SIGINT while W&B does not answer exits at once; sync sends the end later", async () => {
  const emu = await startEmulator({ apiKey: KEY, loud: false });
  const dir = await Deno.makeTempDir({ prefix: "sentilab_wbint_" });
  try {
    const env = { WANDB_BASE_URL: emu.url, WANDB_API_KEY: KEY, CHILD_FLUSH_MS: "120000" };
    // The first SIGINT's flush hangs (W&B stops answering file_stream); the second one ends the wait.
    emu.inject("file_stream", { hang: true, times: Infinity });
    const r = await runChild(env, "wait", dir, ["SIGINT", "SIGINT"]);
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /SIGINT again: exiting without waiting for W&B/);
    assert.equal(getRun(r.id, { dir })!.status, "killed");
    emu.clearFaults();
    await emu.down();
    await emu.up();
    const report = await syncRuns({ dir, baseUrl: emu.url, apiKey: KEY });
    assert.equal(report.failed, 0);
    assert.equal(emu.state().runs[`emu-user/lifecycle/${r.id}`].exitcode, 255);
  } finally {
    await emu.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("metric definitions reach W&B as the SDK sends them: the run config's _wandb.m", async () => {
  const emu = await startEmulator({ apiKey: KEY, loud: false });
  const dir = await Deno.makeTempDir({ prefix: "sentilab_wbmetric_" });
  try {
    const run = await initRun({
      dir,
      project: "m",
      tracker: "wandb",
      strict: true,
      wandb: { intervalMs: 50, baseUrl: emu.url, apiKey: KEY },
    });
    assert.equal(run.backend, "wandb");
    defineMetric(run, "epoch", { hidden: true });
    defineMetric(run, "val/*", { summary: "min,max", goal: "minimize", stepMetric: "epoch" });
    defineMetric(run, "acc", { summary: "last", goal: "maximize", stepMetric: "step" });
    logMetrics(run, { epoch: 1, val: { loss: 0.5 }, acc: 0.7 });
    await finishRun(run);
    const remote = emu.state().runs[`emu-user/m/${run.id}`];
    const wandb = (remote.rawConfig as Record<string, { value: { m: unknown[] } }>)._wandb.value;
    // Field numbers of MetricRecord (wandb_internal.proto), encoded as ProtoEncodeToDict does.
    assert.deepEqual(wandb.m, [
      { "1": "epoch", "6": [2, 3], "7": [] },
      { "2": "val/*", "5": 1, "6": [3], "7": [1, 2], "8": 1 },
      { "1": "acc", "5": 4, "6": [3], "7": [5], "8": 2 },
      { "1": "step", "6": [], "7": [] },
    ]);
    assert.deepEqual(remote.summary["val/loss"], { min: 0.5, max: 0.5 });
  } finally {
    await emu.close();
    await Deno.remove(dir, { recursive: true });
  }
});
