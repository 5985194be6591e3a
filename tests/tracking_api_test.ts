// The tracking API on the local store: runs, metrics, summary, tables, read functions.
import assert from "node:assert/strict";
import {
  finishRun,
  getHistory,
  getRun,
  getTableRows,
  initRun,
  listRuns,
  logMetrics,
  logTable,
  openStore,
  setSummary,
} from "../lib/tracking/mod.ts";

async function tempStore(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "sentilab_api_" });
}

Deno.test("a run records its config, environment, metrics, summary and status", async () => {
  const dir = await tempStore();
  try {
    const run = await initRun({
      project: "demo",
      name: "first",
      group: "g1",
      jobType: "train",
      tags: ["a", "b"],
      notes: "hello",
      config: { lr: 0.01, layers: [64, 32] },
      dir,
      strict: true,
    });
    assert.equal(run.backend, "local");
    assert.equal(run.storeDir, dir);
    assert.match(run.id, /^[a-z0-9]{8}$/);
    logMetrics(run, { loss: 1, acc: 0.5 });
    logMetrics(run, { loss: 0.5 });
    logMetrics(run, { loss: 0.25, acc: 0.75 }, { step: 10, commit: true });
    logMetrics(run, { loss: 0.2 });
    setSummary(run, { best: { epoch: 3, acc: 0.9 } });
    setSummary(run, { note: "merged" });
    await finishRun(run);

    const rec = getRun(run.id, { dir })!;
    assert.equal(rec.status, "finished");
    assert.equal(rec.exitCode, 0);
    assert.ok(rec.endedAt && rec.endedAt >= rec.startedAt);
    assert.deepEqual(rec.config, { lr: 0.01, layers: [64, 32] });
    assert.deepEqual(rec.tags, ["a", "b"]);
    assert.equal(rec.group, "g1");
    assert.equal(rec.jobType, "train");
    assert.equal(rec.notes, "hello");
    assert.equal(rec.denoVersion, Deno.version.deno);
    assert.equal(rec.host, Deno.hostname());
    assert.equal(rec.pid, Deno.pid);
    assert.ok(rec.argv[0].endsWith("tracking_api_test.ts") || rec.argv.length >= 1);
    // This test runs inside the repository, which has a deno.lock and a git commit.
    assert.match(rec.lockDigest ?? "", /^[0-9a-f]{64}$/);
    const head = new TextDecoder().decode(
      (await new Deno.Command("git", { args: ["rev-parse", "HEAD"], stdout: "piped" }).output()).stdout,
    ).trim();
    assert.equal(rec.gitCommit, head);
    assert.equal(typeof rec.gitDirty, "boolean");
    // Summary: explicit values plus the last value of each metric.
    assert.deepEqual(rec.summary, { loss: 0.2, acc: 0.75, best: { epoch: 3, acc: 0.9 }, note: "merged" });
    assert.equal(rec.historyCount, 4);
    assert.equal(rec.lastStep, 11);

    const history = getHistory(run.id, { dir });
    assert.deepEqual(history.map((h) => h.step), [0, 1, 10, 11]);
    assert.deepEqual(history[2].values, { loss: 0.25, acc: 0.75 });
    assert.ok(history[0].id < history[1].id, "history ids increase (sync cursor)");
    assert.deepEqual(getHistory(run.id, { dir, last: 2 }).map((h) => h.step), [10, 11]);
    assert.deepEqual(getHistory(run.id, { dir, offset: 1, limit: 2 }).map((h) => h.step), [1, 10]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("finishRun with a non-zero exit code marks the run failed; listRuns filters", async () => {
  const dir = await tempStore();
  try {
    const ok = await initRun({ project: "p1", dir, strict: true });
    await finishRun(ok);
    const bad = await initRun({ project: "p2", dir, strict: true });
    await finishRun(bad, { exitCode: 3 });
    await finishRun(bad, { exitCode: 0 }); // second call does nothing
    const all = listRuns({ dir });
    assert.equal(all.length, 2);
    assert.equal(getRun(bad.id, { dir })!.status, "failed");
    assert.equal(getRun(bad.id, { dir })!.exitCode, 3);
    assert.deepEqual(listRuns({ dir, project: "p1" }).map((r) => r.id), [ok.id]);
    assert.deepEqual(listRuns({ dir, status: "failed" }).map((r) => r.id), [bad.id]);
    assert.equal(listRuns({ dir, limit: 1 }).length, 1);
    assert.equal(getRun("nosuchrun", { dir }), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tables are stored and read back in pages; the latest table under a key wins", async () => {
  const dir = await tempStore();
  try {
    const run = await initRun({ dir, strict: true });
    const rows = Array.from(
      { length: 2500 },
      (_, i) => [i, `text ${i}`, i % 3 === 0 ? "positive" : "negative", null],
    );
    await logTable(run, "preds", { columns: ["i", "text", "label", "extra"], rows });
    const page = getTableRows(run.id, "preds", { dir, offset: 2400, limit: 200 })!;
    assert.equal(page.rowCount, 2500);
    assert.equal(page.offset, 2400);
    assert.equal(page.rows.length, 100);
    assert.deepEqual(page.rows[0], [2400, "text 2400", "positive", null]);
    assert.deepEqual(page.columns, ["i", "text", "label", "extra"]);
    assert.equal(getTableRows(run.id, "preds", { dir })!.rows.length, 1000); // default page size
    await logTable(run, "preds", { columns: ["x"], rows: [[1]] });
    assert.deepEqual(getTableRows(run.id, "preds", { dir })!.rows, [[1]]);
    assert.equal(getTableRows(run.id, "nope", { dir }), null);
    await finishRun(run);
    assert.deepEqual(getRun(run.id, { dir })!.tables.map((t) => [t.key, t.rowCount]), [["preds", 2500], [
      "preds",
      1,
    ]]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("read functions refuse a missing store; openStore creates one when asked", async () => {
  const dir = await tempStore();
  try {
    assert.throws(() => listRuns({ dir: `${dir}/missing` }), /No tracking store in '.*missing'/);
    const store = openStore({ dir: `${dir}/created`, create: true });
    assert.equal(store.dir, `${dir}/created`);
    assert.deepEqual(store.crashed, []);
    store.close();
    assert.deepEqual(listRuns({ dir: `${dir}/created` }), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("logging after finishRun is refused (strict) and the history is unchanged", async () => {
  const dir = await tempStore();
  try {
    const run = await initRun({ dir, strict: true });
    logMetrics(run, { a: 1 });
    await finishRun(run);
    assert.throws(() => logMetrics(run, { a: 2 }), /already finished/);
    assert.equal(getHistory(run.id, { dir }).length, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a live run keeps logging after its store connection was closed; reads see unflushed rows", async () => {
  const dir = await tempStore();
  try {
    const run = await initRun({ dir, strict: true });
    for (let i = 0; i < 5; i++) logMetrics(run, { x: i });
    // Rows still in the journal are flushed before any read in this process.
    assert.equal(getHistory(run.id, { dir }).length, 5);
    openStore({ dir }).close();
    logMetrics(run, { x: 5 });
    setSummary(run, { done: true });
    await logTable(run, "t", { columns: ["a"], rows: [[1]] });
    await finishRun(run);
    const rec = getRun(run.id, { dir })!;
    assert.equal(rec.historyCount, 6);
    assert.equal(rec.summary.done, true);
    assert.equal(rec.tables.length, 1);
    // The journal is gone once everything is in SQLite.
    assert.deepEqual([...Deno.readDirSync(`${dir}/journal`)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
