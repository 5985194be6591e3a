/**
 * A resumed run's runtime is counted as W&B's SDK counts it: each session's clock goes on from the runtime
 * the run had (wandb/wandb core/internal/runbranch/resume.go reads it from W&B; core/internal/stream/
 * handler.go `handleRequestRunStart` starts `timer.New(run.Runtime)`), so the time between sessions is not
 * in `_runtime` or `_wandb.runtime` (the UI's Runtime), and a run resumed on another machine keeps the
 * earlier sessions' runtime. The earlier session is made old in the store (its times moved back) instead of
 * waiting. Also: a last history line dropped for being over W&B's line cap is still the summary's last
 * line, as in the SDK. Against tests/wandb_emulator.ts.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import {
  defineMetric,
  finishRun,
  getHistory,
  getRun,
  initRun,
  listRuns,
  logMetrics,
  syncRuns,
} from "../lib/tracking/mod.ts";
import { Store } from "../lib/tracking/_store.ts";
import { assertNotWritten, snapshot } from "./_store_snapshot.ts";
import { type EmuRun, startEmulator } from "./wandb_emulator.ts";

const KEY = "t".repeat(20) + "RuntimeKey" + "g".repeat(10);
const FAST = { timeoutMs: 2000, maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 10, deadlineMs: 10_000 };
const HOUR = 3600;

/**
 * Makes a finished run's last session old: it started `hours` (2 by default) earlier, with everything it
 * logged, and it ended `hours - 1` earlier, so it lasted an hour more.
 */
function ageRun(dir: string, id: string, hours = 2): void {
  const db = new DatabaseSync(join(dir, "store.db"));
  const back = (col: string, h: number) => `${col} = strftime('%Y-%m-%dT%H:%M:%fZ', ${col}, '-${h} hours')`;
  const sessions = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'run_sessions'").get();
  const last = sessions
    ? db.prepare("SELECT MAX(started_at) AS s FROM run_sessions WHERE run_id = ?").get(id)
    : db.prepare("SELECT started_at AS s FROM runs WHERE id = ?").get(id);
  const fromMs = Date.parse(String(last!.s));
  db.prepare(`UPDATE runs SET ${back("ended_at", hours - 1)} WHERE id = ?`).run(id);
  db.prepare(`UPDATE runs SET ${back("started_at", hours)} WHERE id = ? AND started_at = ?`).run(id, last!.s);
  if (sessions) {
    db.prepare(`UPDATE run_sessions SET ${back("started_at", hours)} WHERE run_id = ? AND started_at = ?`)
      .run(id, last!.s);
  }
  for (const t of ["history", "output"]) {
    db.prepare(`UPDATE ${t} SET ts = ts - ${HOUR * 1000 * hours} WHERE run_id = ? AND ts >= ?`).run(
      id,
      fromMs,
    );
  }
  db.close();
}

async function withEmulator(
  fn: (url: string, runs: () => Map<string, EmuRun>, dir: string) => Promise<void>,
  allowDroppedLines = false,
) {
  const emu = await startEmulator({ apiKey: KEY, loud: false, allowDroppedLines });
  const dir = await Deno.makeTempDir({ prefix: "sentilab_runtime_" });
  try {
    await fn(emu.url, () => new Map(Object.entries(emu.state().runs)), dir);
    assert.deepEqual(emu.state().invalid, []);
  } finally {
    await emu.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** A first session in `dir` (local only), finished and made an hour old; its runtime in seconds. */
async function oldSession(dir: string, id: string): Promise<number> {
  const run = await initRun({ dir, id, project: "rt", tracker: "local", captureConsole: false });
  logMetrics(run, { loss: 0.5 });
  await finishRun(run);
  ageRun(dir, id);
  const r = getRun(id, { dir })!;
  return (Date.parse(r.endedAt!) - Date.parse(r.startedAt)) / 1000;
}

/**
 * The second session: resumed, one row, finished. Returns the bounds of the runtime it ends with, from the
 * runtime carried in (`before`, and `floorBefore` when taken from W&B's whole seconds) and its own time.
 */
async function resumedSession(dir: string, id: string, tracker: "local" | "wandb", url: string) {
  const t0 = Date.now();
  const run = await initRun({
    dir,
    id,
    project: "rt",
    tracker,
    resume: "allow",
    strict: true,
    captureConsole: false,
    wandb: { baseUrl: url, apiKey: KEY, intervalMs: 50 },
  });
  const t1 = Date.now();
  logMetrics(run, { loss: 0.3 });
  await finishRun(run);
  const end = Date.parse(getRun(id, { dir })!.endedAt!);
  return { lo: (end - t1) / 1000, hi: (end - t0) / 1000 };
}

function assertRuntime(remote: EmuRun, lo: number, hi: number): void {
  const runtime = remote.summary._runtime as number;
  assert.ok(
    Math.floor(lo) <= runtime && runtime <= Math.floor(hi),
    `_runtime ${runtime} s: the sessions' ${lo.toFixed(3)}..${
      hi.toFixed(3)
    } s, without the hour between them`,
  );
  assert.deepEqual(remote.summary._wandb, { runtime });
  const line = remote.history.at(-1)!;
  assert.equal(line.loss, 0.3);
  assert.ok(
    lo - 1 <= (line._runtime as number) && (line._runtime as number) <= hi,
    `the resumed session's line: _runtime ${line._runtime}`,
  );
  assert.deepEqual(remote.exitGaps, []);
}

Deno.test("resumed in the same store: the hour between the sessions is not in the runtime", () =>
  withEmulator(async (url, runs, dir) => {
    const first = await oldSession(dir, "rt-same");
    assert.ok(first >= HOUR, `the first session lasted ${first} s`);
    const second = await resumedSession(dir, "rt-same", "local", url);
    const report = await syncRuns({ dir, retry: FAST, baseUrl: url, apiKey: KEY });
    assert.equal(report.runs[0].outcome, "synced", String(report.runs[0].reason));
    const remote = runs().get("emu-user/rt/rt-same")!;
    assert.equal(remote.history.length, 2);
    assert.ok((remote.history[0]!._runtime as number) <= first, "the first session's line");
    assertRuntime(remote, first + second.lo, first + second.hi);
  }));

Deno.test("resumed online after a local-only session: the runtime goes on from the end of the later one", () =>
  withEmulator(async (url, runs, dir) => {
    const id = "rt-mixed";
    // session 1, four hours ago, an hour long, synced: W&B holds its line and its runtime (about 1 h)
    const run = await initRun({ dir, id, project: "rt", tracker: "local", captureConsole: false });
    logMetrics(run, { loss: 0.5 });
    await finishRun(run);
    ageRun(dir, id, 4);
    const report = await syncRuns({ dir, retry: FAST, baseUrl: url, apiKey: KEY });
    assert.equal(report.runs[0].outcome, "synced", String(report.runs[0].reason));
    const held = runs().get(`emu-user/rt/${id}`)!.summary._wandb as { runtime: number };
    assert.ok(held.runtime >= HOUR && held.runtime < HOUR + 60, `W&B holds ${held.runtime} s`);
    // session 2, two hours ago, an hour long, local only: W&B knows nothing of it
    await resumedSession(dir, id, "local", url);
    ageRun(dir, id, 2);
    // session 3 resumes online: it sends session 2's line, then its own
    const third = await resumedSession(dir, id, "wandb", url);
    const remote = runs().get(`emu-user/rt/${id}`)!;
    assert.deepEqual(remote.history.map((h) => h?.loss), [0.5, 0.3, 0.3]);
    const rts = remote.history.map((h) => h!._runtime as number);
    for (let i = 1; i < rts.length; i++) assert.ok(rts[i - 1] <= rts[i], `_runtime went back: ${rts}`);
    const two = 2 * HOUR; // the two sessions' hours, each a few ms more
    assertRuntime(remote, two + third.lo, two + 60 + third.hi);
  }));

Deno.test("a store from before sessions were kept: opening it for writing gives each run its first session", () =>
  withEmulator(async (url, runs, dir) => {
    const first = await oldSession(dir, "rt-older");
    Store.connect(dir).close(); // the next initRun opens the store anew, and brings its schema up to date
    const db = new DatabaseSync(join(dir, "store.db"));
    db.exec("DROP TABLE run_sessions"); // as a store written before this change
    db.close();
    const second = await resumedSession(dir, "rt-older", "local", url);
    const report = await syncRuns({ dir, retry: FAST, baseUrl: url, apiKey: KEY });
    assert.equal(report.runs[0].outcome, "synced", String(report.runs[0].reason));
    const remote = runs().get("emu-user/rt/rt-older")!;
    // the first line was logged at the run's start: about 0 s, as only its first session (which the
    // migration gives it) can count it; without that session it would be counted in the resumed one
    const line = remote.history[0]!._runtime as number;
    assert.ok(0 <= line && line < 60, `the first session's line: _runtime ${line}`);
    assertRuntime(remote, first + second.lo, first + second.hi);
  }));

Deno.test("a store from before sessions were kept, opened read-only: its sync state is read and nothing is written", () =>
  withEmulator(async (url, _runs, dir) => {
    const run = await initRun({ dir, project: "rt", tracker: "local", captureConsole: false });
    logMetrics(run, { loss: 0.5 });
    await finishRun(run);
    const report = await syncRuns({ dir, retry: FAST, baseUrl: url, apiKey: KEY });
    assert.equal(report.runs[0].outcome, "synced", String(report.runs[0].reason));
    Store.connect(dir).close();
    const db = new DatabaseSync(join(dir, "store.db"));
    db.exec("DROP TABLE run_sessions"); // as a store written before this change
    db.close();
    const before = snapshot(dir);
    const [listed] = listRuns({ dir, readOnly: true, sync: true, target: url });
    assert.equal(listed.sync?.synced, true, "the summary (its runtime from the run's start) is not pending");
    assertNotWritten(dir, before); // store.db, its -wal and -shm, its files
  }));

Deno.test("a sessions table that cannot be read is an error, not a run silently counted from its start", () =>
  withEmulator(async (_url, _runs, dir) => {
    await oldSession(dir, "rt-broken");
    const db = new DatabaseSync(join(dir, "store.db"));
    db.exec("ALTER TABLE run_sessions DROP COLUMN runtime_before"); // a broken store, not an older one
    db.close();
    const store = Store.connect(dir);
    try {
      assert.throws(() => store.runs.sessions("rt-broken"), /no such column: runtime_before/);
    } finally {
      store.close();
    }
  }));

Deno.test("resumed from W&B on another machine: the earlier sessions' runtime goes on", () =>
  withEmulator(async (url, runs, dir) => {
    const a = join(dir, "machine-a");
    const first = await oldSession(a, "rt-other");
    const report = await syncRuns({ dir: a, retry: FAST, baseUrl: url, apiKey: KEY });
    assert.equal(report.runs[0].outcome, "synced", String(report.runs[0].reason));
    const held = runs().get("emu-user/rt/rt-other")!.summary._wandb as { runtime: number };
    assert.equal(held.runtime, Math.floor(first), "W&B holds the first session's runtime");
    // machine B's store has no such run: only W&B knows its runtime (whole seconds, resume.go)
    const second = await resumedSession(join(dir, "machine-b"), "rt-other", "wandb", url);
    const remote = runs().get("emu-user/rt/rt-other")!;
    assert.equal(remote.history.length, 2);
    assertRuntime(remote, held.runtime + second.lo, first + second.hi);
  }));

/** A run whose last history line is over W&B's line cap, synced to the emulator at `url`; its id. */
async function overCapRun(dir: string, url: string): Promise<string> {
  const run = await initRun({ dir, project: "rt", tracker: "local", captureConsole: false });
  // wide rows whose values stay out of the summary ("none"), so only the history line is over the cap
  defineMetric(run, "wide*", { summary: "none" });
  logMetrics(run, { loss: 0.5 });
  await new Promise((r) => setTimeout(r, 20));
  const wide: Record<string, number> = { loss: 0.3 };
  for (let i = 0; i < 82_000; i++) wide[`wide_${"k".repeat(110)}_${i}`] = i; // ~10.7 MB
  logMetrics(run, wide);
  await finishRun(run);
  const report = await syncRuns({ dir, retry: FAST, baseUrl: url, apiKey: KEY });
  assert.equal(report.runs[0].outcome, "synced", String(report.runs[0].reason));
  assert.match(report.runs[0].skippedForGood.join("\n"), /the history row of step 1 is \d+ bytes, over/);
  return run.id;
}

Deno.test("a last history line dropped over W&B's line cap is still the summary's last line, as in the SDK", () =>
  withEmulator(async (url, runs, dir) => {
    const id = await overCapRun(dir, url);
    const remote = runs().get(`emu-user/rt/${id}`)!;
    assert.deepEqual(remote.history.map((h) => h?._step), [0], "the line over the cap is not sent");
    const dropped = getHistory(id, { dir }).at(-1)!;
    assert.equal(remote.summary._step, 1, "the summary's _step is the dropped line's (handler.go)");
    assert.equal(remote.summary._timestamp, Date.parse(dropped.time) / 1000);
    assert.equal(remote.summary.loss, 0.3);
    assert.deepEqual(remote.exitGaps, []);
  }, true));

Deno.test("the emulator by default finds a summary _step past the last line sent (only the over-cap test allows it)", () =>
  withEmulator(async (url, runs, dir) => {
    const id = await overCapRun(dir, url);
    assert.deepEqual(runs().get(`emu-user/rt/${id}`)!.exitGaps, [
      "summary _step 1 is not the last history line's (0)",
      `summary _timestamp ${
        Date.parse(getHistory(id, { dir }).at(-1)!.time) / 1000
      } is not the last history line's (${runs().get(`emu-user/rt/${id}`)!.history[0]!._timestamp})`,
    ]);
  }));
