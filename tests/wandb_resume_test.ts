// Resuming with W&B, as the W&B SDK resumes (core/internal/runbranch/resume.go): initRun asks W&B what
// it holds of the run (RunResumeStatus) and goes on after its lines and its last step; a resumed offline
// run syncs as one run. Against tests/wandb_emulator.ts.
import assert from "node:assert/strict";
import {
  finishRun,
  getHistory,
  getRun,
  initRun,
  logMetrics,
  setSummary,
  syncRuns,
} from "../lib/tracking/mod.ts";
import { startEmulator } from "./wandb_emulator.ts";

const KEY = "r".repeat(20) + "ResumeKey" + "q".repeat(11);

async function withEmulator(
  fn: (emu: Awaited<ReturnType<typeof startEmulator>>, dir: string) => Promise<void>,
) {
  const emu = await startEmulator({ apiKey: KEY, loud: false });
  const dir = await Deno.makeTempDir({ prefix: "sentilab_wbresume_" });
  try {
    await fn(emu, dir);
  } finally {
    await emu.close();
    await Deno.remove(dir, { recursive: true });
  }
}

// W&B's settings are options, not variables of this process: `deno test --parallel` runs other test
// files in this process, and a WANDB_API_KEY set here would send their "auto" runs to this emulator.
const timing = { intervalMs: 50, checkTimeoutMs: 5000, flushTimeoutMs: 5000 };
const at = (url: string) => ({ ...timing, baseUrl: url, apiKey: KEY });

Deno.test("resume 'allow' on another machine goes on after what W&B holds: lines, steps, config, summary", () =>
  withEmulator(async (emu, dir) => {
    const first = await initRun({
      dir: `${dir}/machine-a`,
      id: "res-1",
      project: "rp",
      tracker: "wandb",
      config: { lr: 0.1, epochs: 2 },
      tags: ["first"],
      strict: true,
      wandb: at(emu.url),
    });
    for (let i = 0; i < 3; i++) logMetrics(first, { loss: 1 - i / 10 });
    setSummary(first, { best: 0.9 });
    console.log("line from machine a");
    await finishRun(first, { exitCode: 1 });
    let remote = emu.state().runs["emu-user/rp/res-1"];
    assert.equal(remote.exitcode, 1);

    // Another store (another machine): only W&B knows the run.
    const second = await initRun({
      dir: `${dir}/machine-b`,
      id: "res-1",
      project: "rp",
      resume: "allow",
      tracker: "wandb",
      config: { epochs: 4 },
      strict: true,
      wandb: at(emu.url),
    });
    assert.equal(second.resumed, true);
    assert.deepEqual(second.config, { lr: 0.1, epochs: 4 }, "W&B's config keys not given now are kept");
    assert.deepEqual(second.tags, ["first"]);
    logMetrics(second, { loss: 0.5 });
    logMetrics(second, { loss: 0.4 });
    console.log("line from machine b");
    await finishRun(second);
    assert.deepEqual(getHistory("res-1", { dir: `${dir}/machine-b` }).map((h) => h.step), [3, 4]);
    assert.equal(getRun("res-1", { dir: `${dir}/machine-b` })!.summary.best, 0.9, "W&B's summary kept");

    remote = emu.state().runs["emu-user/rp/res-1"];
    assert.deepEqual(remote.history.map((h) => [h?._step, h?.loss]), [[0, 1], [1, 0.9], [2, 0.8], [3, 0.5], [
      4,
      0.4,
    ]]);
    assert.ok(remote.historyWrites.every((n) => n === 1), "no line of the first part was overwritten");
    assert.equal(remote.output.length, 2);
    assert.match(remote.output[1] ?? "", /line from machine b$/);
    assert.equal(remote.exitcode, 0, "the new end reached W&B");
    assert.equal(remote.config.epochs, 4);

    // Back on the first machine: the local run goes on, and so do W&B's lines.
    const third = await initRun({
      dir: `${dir}/machine-a`,
      id: "res-1",
      project: "rp",
      resume: "must",
      tracker: "wandb",
      strict: true,
      wandb: at(emu.url),
    });
    logMetrics(third, { loss: 0.3 });
    await finishRun(third);
    remote = emu.state().runs["emu-user/rp/res-1"];
    assert.deepEqual(remote.history.map((h) => h?._step), [0, 1, 2, 3, 4, 5]);
    assert.ok(remote.historyWrites.every((n) => n === 1));
  }));

Deno.test("W&B decides 'must' and 'never' for a run the store does not have", () =>
  withEmulator(async (emu, dir) => {
    await assert.rejects(
      initRun({
        dir: `${dir}/a`,
        id: "ghost",
        project: "rp",
        resume: "must",
        tracker: "wandb",
        strict: true,
        wandb: at(emu.url),
      }),
      /no run 'ghost' in the store or on W&B/,
    );
    const run = await initRun({
      dir: `${dir}/a`,
      id: "taken",
      project: "rp",
      tracker: "wandb",
      strict: true,
      wandb: at(emu.url),
    });
    logMetrics(run, { x: 1 });
    await finishRun(run);
    await assert.rejects(
      initRun({
        dir: `${dir}/b`,
        id: "taken",
        project: "rp",
        resume: "never",
        tracker: "wandb",
        strict: true,
        wandb: at(emu.url),
      }),
      /exists on W&B/,
    );
    assert.equal(emu.state().runs["emu-user/rp/taken"].history.length, 1, "nothing was written into it");
  }));

Deno.test("a resumed offline run syncs as one run", () =>
  withEmulator(async (emu, dir) => {
    for (const [part, resume] of [[0, undefined], [1, "allow"]] as const) {
      const run = await initRun({ dir, id: "off-1", project: "rp", mode: "offline", resume, strict: true });
      logMetrics(run, { part, x: 1 });
      logMetrics(run, { part, x: 2 });
      await finishRun(run, { exitCode: part });
    }
    const report = await syncRuns({ dir, baseUrl: emu.url, apiKey: KEY });
    assert.equal(report.failed, 0);
    const remote = emu.state().runs["emu-user/rp/off-1"];
    assert.deepEqual(remote.history.map((h) => [h?._step, h?.part]), [[0, 0], [1, 0], [2, 1], [3, 1]]);
    assert.equal(remote.exitcode, 1);
    assert.equal(Object.keys(emu.state().runs).length, 1);
  }));

Deno.test("the entity option (else WANDB_ENTITY) is where the run goes on W&B", () =>
  withEmulator(async (emu, dir) => {
    const run = await initRun({
      dir,
      project: "ep",
      entity: "team-x",
      tracker: "wandb",
      strict: true,
      wandb: at(emu.url),
    });
    logMetrics(run, { x: 1 });
    await finishRun(run);
    assert.ok(emu.state().runs[`team-x/ep/${run.id}`], Object.keys(emu.state().runs).join(", "));
    assert.equal(emu.state().runs[`team-x/ep/${run.id}`].exitcode, 0);
  }));

Deno.test("a run started for an entity while W&B was down is synced to that entity later", () =>
  withEmulator(async (emu, dir) => {
    // Nothing listens on port 9: the run stays local.
    const run = await initRun({
      dir,
      project: "ep",
      entity: "team-y",
      tracker: "wandb",
      wandb: at("http://127.0.0.1:9"),
    });
    assert.equal(run.backend, "local");
    logMetrics(run, { x: 1 });
    await finishRun(run);
    const report = await syncRuns({ dir, baseUrl: emu.url, apiKey: KEY });
    assert.equal(report.failed, 0);
    assert.ok(emu.state().runs[`team-y/ep/${run.id}`], Object.keys(emu.state().runs).join(", "));
  }));
