/**
 * The summary a W&B user sees for a run sentilab replicated is the one W&B's own SDK leaves: at the end of a
 * run, `_wandb.runtime` (the UI's "Runtime" column) and `_runtime` as whole seconds, `_step` and `_timestamp`
 * of the last history line, and the final summary also uploaded as the run file `wandb-summary.json`
 * (wandb/wandb core/internal/stream/handler.go `updateRunTiming`, `handleExit`, `flushPartialHistory`;
 * core/internal/stream/sender.go `uploadSummaryFile`). The emulator lists what a completed run lacked of
 * that in `exitGaps`.
 * @module
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import {
  createWandbClient,
  resolveWandbSettings,
  sendWandbFileStream,
  upsertWandbRun,
} from "../lib/tracking/wandb/mod.ts";
import {
  defineMetric,
  finishRun,
  getRun,
  getSyncStatus,
  initRun,
  logMetrics,
  logTable,
  setSummary,
  syncRuns,
} from "../lib/tracking/mod.ts";
import { type EmuRun, parseLine, startEmulator } from "./wandb_emulator.ts";

const KEY = "u".repeat(20) + "sUmMaRy" + "r".repeat(13);
const FAST = { timeoutMs: 2000, maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 10, deadlineMs: 10_000 };

/** Checks a completed W&B run against its local record the way a W&B user would read it. */
function assertSdkSummary(remote: EmuRun, dir: string, id: string): void {
  const local = getRun(id, { dir })!;
  const runtime = Math.floor((Date.parse(local.endedAt!) - Date.parse(local.startedAt)) / 1000);
  assert.ok(runtime >= 1, `the run lasted ${runtime} s`);
  assert.deepEqual(remote.summary._wandb, { runtime }, "_wandb.runtime: whole seconds");
  assert.equal(remote.summary._runtime, runtime, "_runtime at the end: the same whole seconds");
  const last = remote.history.at(-1)!;
  assert.equal(remote.summary._step, 1);
  assert.equal(remote.summary._timestamp, last._timestamp, "_timestamp of the last history line");
  assert.equal(remote.summary.loss, 0.3);
  assert.equal(remote.summary.acc, 0.9);
  // the final summary as a run file too, announced as uploaded
  const file = remote.files["wandb-summary.json"];
  assert.ok(file, "wandb-summary.json is a run file");
  assert.deepEqual(parseLine(file.text), remote.summary);
  assert.ok(remote.uploaded.includes("wandb-summary.json"));
  assert.deepEqual(remote.exitGaps, []);
}

async function loggedRun(dir: string, tracker: "local" | "wandb", url: string) {
  const run = await initRun({
    dir,
    tracker,
    project: "sum",
    captureConsole: false,
    wandb: { baseUrl: url, apiKey: KEY },
  });
  logMetrics(run, { loss: 0.5 });
  await new Promise((r) => setTimeout(r, 1100));
  logMetrics(run, { loss: 0.3 });
  setSummary(run, { acc: 0.9 });
  await finishRun(run);
  return run.id;
}

Deno.test("sync: the run's summary ends as the SDK's (_wandb.runtime, _runtime, _step, _timestamp, the file)", async () => {
  const emu = await startEmulator({ apiKey: KEY, loud: false });
  const dir = await Deno.makeTempDir({ prefix: "sentilab_summary_" });
  try {
    const id = await loggedRun(dir, "local", emu.url);
    const report = await syncRuns({ dir, retry: FAST, baseUrl: emu.url, apiKey: KEY });
    assert.equal(report.runs[0].outcome, "synced", String(report.runs[0].reason));
    assertSdkSummary(emu.state().runs[`emu-user/sum/${id}`], dir, id);
    // nothing more to send: the summary and its file went once
    const again = await syncRuns({ dir, retry: FAST, baseUrl: emu.url, apiKey: KEY });
    assert.equal(again.runs[0].outcome, "up-to-date");
  } finally {
    await emu.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("live: a run replicated while it runs ends with the SDK's summary", async () => {
  const emu = await startEmulator({ apiKey: KEY, loud: false });
  const dir = await Deno.makeTempDir({ prefix: "sentilab_summary_" });
  try {
    const id = await loggedRun(dir, "wandb", emu.url);
    assertSdkSummary(emu.state().runs[`emu-user/sum/${id}`], dir, id);
  } finally {
    await emu.close();
    await Deno.remove(dir, { recursive: true });
  }
});

/** The last line W&B holds of a run's wandb-history.jsonl. */
function lastLine(remote: EmuRun): Record<string, unknown> {
  const last = remote.history.findLast((h) => h !== null);
  assert.ok(last, "a history line was sent");
  return last;
}

// The usual per-epoch loop: the epoch's metrics, then its predictions table at the same step (sent in that
// step's line, which keeps the metrics row's time), optionally a last table at a step of its own.
for (const tableAfter of [false, true]) {
  Deno.test(`sync: per-epoch metrics and tables${tableAfter ? ", then a table at a new step" : ""}: the summary's _step and _timestamp are the last line's`, async () => {
    const emu = await startEmulator({ apiKey: KEY, loud: false });
    const dir = await Deno.makeTempDir({ prefix: "sentilab_summary_" });
    try {
      const run = await initRun({ dir, tracker: "local", project: "sum", captureConsole: false });
      const pause = () => new Promise((r) => setTimeout(r, 30)); // the table is logged later than the row
      for (let step = 0; step < 3; step++) {
        logMetrics(run, { loss: 1 / (step + 1) }, { step });
        await pause();
        await logTable(run, "predictions", { columns: ["text", "label"], rows: [[`t${step}`, "pos"]] });
      }
      if (tableAfter) {
        await pause();
        await logTable(run, "confusion", { columns: ["a", "b"], rows: [[1, 2]] }, { step: 3 });
      }
      const steps = tableAfter ? 4 : 3;
      await finishRun(run);
      const report = await syncRuns({ dir, retry: FAST, baseUrl: emu.url, apiKey: KEY });
      assert.equal(report.runs[0].outcome, "synced", String(report.runs[0].reason));
      const remote = emu.state().runs[`emu-user/sum/${run.id}`];
      assert.equal(remote.history.length, steps, "one line per step");
      assert.ok("predictions" in remote.history[2]!, "the table joined its step's line");
      const last = lastLine(remote);
      assert.equal(last._step, steps - 1);
      assert.equal(remote.summary._step, last._step, "_step of the last line sent");
      assert.equal(remote.summary._timestamp, last._timestamp, "_timestamp of the last line sent");
      assert.deepEqual(remote.exitGaps, []);
    } finally {
      await emu.close();
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("emulator: a run completed without the SDK's end-of-run summary is listed in exitGaps", async () => {
  const emu = await startEmulator({ apiKey: KEY, loud: false });
  try {
    const client = createWandbClient(resolveWandbSettings({ apiKey: KEY, baseUrl: emu.url }), {
      retry: FAST,
    });
    const run = await upsertWandbRun(client, { id: "gaps1", entity: "emu-user", project: "p" });
    await sendWandbFileStream(client, run, {
      history: { offset: 0, rows: [{ loss: 1, _step: 4, _runtime: 2.5, _timestamp: 1700000000.5 }] },
      summary: { loss: 1, _runtime: 2.5 },
    });
    await sendWandbFileStream(client, run, { exitCode: 0 });
    const gaps = emu.state().runs["emu-user/p/gaps1"].exitGaps.join("\n");
    assert.match(gaps, /_wandb\.runtime/);
    assert.match(gaps, /_runtime 2\.5 is not/);
    assert.match(gaps, /_step/);
    assert.match(gaps, /_timestamp/);
    assert.match(gaps, /wandb-summary\.json/);
  } finally {
    await emu.close();
  }
});

/** Waits (bounded: 200 × 25 ms) until the emulator's run matches `ok`; the run, or an assertion error. */
async function until(
  emu: { state(): { runs: Record<string, EmuRun> } },
  key: string,
  ok: (r: EmuRun) => boolean,
) {
  for (let i = 0; i < 200; i++) {
    const r = emu.state().runs[key];
    if (r && ok(r)) return r;
    await new Promise((res) => setTimeout(res, 25));
  }
  assert.fail(`the live summary never got there: ${JSON.stringify(emu.state().runs[key]?.summary)}`);
}

Deno.test("live: while a run goes on, W&B's summary holds each metric's latest value (min/max per defineMetric), as the SDK keeps it", async () => {
  const emu = await startEmulator({ apiKey: KEY, loud: false });
  const dir = await Deno.makeTempDir({ prefix: "sentilab_summary_" });
  try {
    const run = await initRun({
      dir,
      tracker: "wandb",
      project: "sum",
      captureConsole: false,
      wandb: { intervalMs: 20, baseUrl: emu.url, apiKey: KEY },
    });
    const key = `emu-user/sum/${run.id}`;
    defineMetric(run, "val/*", { summary: "min,max" });
    setSummary(run, { best: "bert" });
    logMetrics(run, { loss: 0.5, val: { loss: 0.4 } });
    logMetrics(run, { loss: 0.3, val: { loss: 0.2 } });
    let remote = await until(emu, key, (r) => r.history.length === 2 && r.summary.loss === 0.3);
    assert.equal(remote.summary.loss, 0.3, "the last value of a metric without a definition");
    assert.deepEqual(remote.summary["val/loss"], { min: 0.2, max: 0.4 }, "min and max per defineMetric");
    assert.equal(remote.summary.best, "bert", "setSummary's keys too");
    assert.equal(remote.summary._step, 1);
    // more lines: the summary follows them, before finishRun
    logMetrics(run, { loss: 0.7, val: { loss: 0.9 } });
    remote = await until(emu, key, (r) => r.history.length === 3 && r.summary.loss === 0.7);
    assert.deepEqual(remote.summary["val/loss"], { min: 0.2, max: 0.9 });
    assert.equal(remote.summary._step, 2);
    assert.equal(remote.exitcode, null, "still running");
    await finishRun(run);
    remote = emu.state().runs[key];
    // after the end: the summary finishRun stored, as before live summaries
    assert.equal(remote.summary.loss, 0.7);
    assert.deepEqual(remote.summary["val/loss"], { min: 0.2, max: 0.9 });
    assert.equal(remote.summary.best, "bert");
    const local = getRun(run.id, { dir })!;
    for (const k of ["loss", "val/loss", "best"]) assert.deepEqual(remote.summary[k], local.summary[k], k);
    assert.deepEqual(remote.exitGaps, []);
  } finally {
    await emu.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sync: a run synced before lines were recorded keeps W&B's _step/_timestamp (the last sent row stands in)", async () => {
  const emu = await startEmulator({ apiKey: KEY, loud: false });
  const dir = await Deno.makeTempDir({ prefix: "sentilab_summary_old_" });
  try {
    const id = await loggedRun(dir, "local", emu.url);
    assert.equal(
      (await syncRuns({ dir, retry: FAST, baseUrl: emu.url, apiKey: KEY })).runs[0].outcome,
      "synced",
    );
    const before = structuredClone(emu.state().runs[`emu-user/sum/${id}`].summary);
    // as an older sentilab left its ledger: the lines sent, no record of the last one
    const db = new DatabaseSync(`${dir}/store.db`);
    const gone = db.prepare("DELETE FROM sync_values WHERE key = ?").run(`last_line:${id}`);
    db.close();
    assert.equal(gone.changes, 1);
    const status = getSyncStatus(id, { dir, target: emu.url });
    assert.equal(status?.never, false);
    assert.equal(status?.pending?.summary, false, "nothing to send: the summary is as sent");
    const again = await syncRuns({ dir, retry: FAST, baseUrl: emu.url, apiKey: KEY });
    assert.equal(again.runs[0].outcome, "up-to-date");
    assert.deepEqual(emu.state().runs[`emu-user/sum/${id}`].summary, before);
  } finally {
    await emu.close();
    await Deno.remove(dir, { recursive: true });
  }
});
