// Counts and lists read from indexes and stored counts instead of every run or row (w4): the runs page's
// total and project/group lists (queryRuns), a run's unsent history rows (getSyncStatus, `deno task runs`)
// and the step a resumed run goes on from. Each test compares with the previous read, written out here as
// bare SQL on its own connection. Speed is measured by `deno task bench:tracking read`, not here.
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import {
  finishRun,
  getHistory,
  getRun,
  getSyncStatus,
  initRun,
  listRuns,
  logMetrics,
  queryRuns,
  syncRuns,
} from "../lib/tracking/mod.ts";
import { Store } from "../lib/tracking/_store.ts";
import { StoreHistory } from "../lib/tracking/_store_history.ts";
import { SyncLedger } from "../lib/tracking/_sync_ledger.ts";
import { collectEnvironment } from "../lib/tracking/_env.ts";

type Row = Record<string, unknown>;

/** Bare SQL on its own read-only connection. */
function sql<T>(dir: string, fn: (db: DatabaseSync) => T): T {
  const db = new DatabaseSync(join(dir, "store.db"), { readOnly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** Projects and groups that sort differently by byte and by letter, an empty one, non-ASCII, none at all. */
const PROJECTS = ["p", "P", "", "b", "a b", "é", "Z", "p0"];
const GROUPS = [null, "g1", "G1", "", "ß", null, "g10", "g2"];

/**
 * `runs` runs whose history rows interleave (round robin, run i logging i % 9 rows, one run `big` of
 * `bigRows`) so that a run's row ids are not contiguous; steps out of order.
 */
async function makeStore(dir: string, runs: number, bigRows: number): Promise<string[]> {
  const store = Store.open(dir);
  const env = await collectEnvironment();
  const ids = [...Array.from({ length: runs }, (_, i) => `r${i}`), "big"];
  ids.forEach((id, i) =>
    store.runs.insertRun({
      id,
      project: PROJECTS[i % PROJECTS.length],
      name: `run ${i}`,
      group: GROUPS[(i * 3) % GROUPS.length],
      jobType: null,
      tags: [],
      notes: null,
      configJson: "{}",
      startedAt: new Date(Date.UTC(2026, 0, 1) + Math.floor(i / 4) * 1000).toISOString(),
      env,
    })
  );
  const want = (id: string, i: number) => id === "big" ? bigRows : i % 9;
  for (let k = 0; k < bigRows; k++) {
    store.transaction(() => {
      ids.forEach((id, i) => {
        if (k < want(id, i)) store.history.insertRows(id, [[(k * 5) % 11, k, `{"k":${k}}`, k + 1]]);
      });
    });
  }
  ids.forEach((id, i) => {
    if (i % 5 !== 4) {
      store.runs.finishRun(id, { exitCode: 0, status: "finished", lastValues: {}, explicit: [] });
    }
  });
  return ids;
}

Deno.test("queryRuns: total, projects and groups as counted over every run, with one crash check", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sentilab_counts_" });
  try {
    await makeStore(dir, 400, 30);
    const previousFacets = sql(dir, (db) => ({
      projects: (db.prepare("SELECT DISTINCT project AS v FROM runs ORDER BY v").all() as Row[]).map((r) =>
        String(r.v)
      ),
      groups:
        (db.prepare("SELECT DISTINCT grp AS v FROM runs WHERE grp IS NOT NULL ORDER BY v").all() as Row[])
          .map((r) => String(r.v)),
    }));
    assert.deepEqual(previousFacets.projects, ["", "P", "Z", "a b", "b", "p", "p0", "é"]); // byte order
    assert.deepEqual(previousFacets.groups, ["", "G1", "g1", "g10", "g2", "ß"]);
    const filters: { project?: string; group?: string; status?: "running"; text?: string }[] = [
      {},
      { project: "p" },
      { project: "é" },
      { project: "nope" },
      { group: "g1" },
      { project: "P", group: "G1" },
      { status: "running" },
      { project: "b", status: "running" },
      { text: "run 1" },
    ];
    for (const f of filters) {
      const where = [
        ...(f.project !== undefined ? [["project = ?", f.project]] : []),
        ...(f.group !== undefined ? [["grp = ?", f.group]] : []),
        ...(f.status ? [["status = ?", f.status]] : []),
        ...(f.text ? [["name LIKE ?", `%${f.text}%`]] : []),
      ] as [string, string][];
      const cond = where.length ? "WHERE " + where.map((w) => w[0]).join(" AND ") : "";
      const values = where.map((w) => w[1]);
      const previous = sql(dir, (db) => ({
        total: Number((db.prepare(`SELECT COUNT(*) AS n FROM runs ${cond}`).get(...values) as Row).n),
        ids: (db.prepare(`SELECT id FROM runs ${cond} ORDER BY started_at DESC, rowid DESC LIMIT 25 OFFSET 3`)
          .all(...values) as Row[]).map((r) => String(r.id)),
      }));
      for (const readOnly of [false, true]) {
        const page = queryRuns({ dir, readOnly, ...f, offset: 3, limit: 25 });
        const label = JSON.stringify({ ...f, readOnly });
        assert.equal(page.total, previous.total, label);
        assert.deepEqual(page.runs.map((r) => r.id), previous.ids, label);
        assert.deepEqual({ projects: page.projects, groups: page.groups }, previousFacets, label);
      }
    }
    // The lists and a project's page come from the indexes, not from reading every run.
    const plans = sql(dir, (db) =>
      [
        "SELECT COUNT(*) FROM runs WHERE project = 'p'",
        "SELECT * FROM runs WHERE grp = 'g1' ORDER BY started_at DESC, rowid DESC LIMIT 5",
      ].map((q) =>
        (db.prepare(`EXPLAIN QUERY PLAN ${q}`).all() as Row[]).map((r) => String(r.detail)).join("; ")
      ));
    assert.match(plans[0], /COVERING INDEX runs_project/);
    assert.match(plans[1], /USING INDEX runs_group/);
    assert.doesNotMatch(plans[1], /TEMP B-TREE/);

    // Store.open made the crash check: queryRuns does not make it again.
    assert.equal(crashChecks(() => queryRuns({ dir, limit: 5 })), 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** How many crash checks (Store.detectCrashes) `fn` makes. */
function crashChecks(fn: () => unknown): number {
  const check = Store.prototype.detectCrashes;
  let checks = 0;
  Store.prototype.detectCrashes = function (this: Store) {
    checks++;
    return check.call(this);
  };
  try {
    fn();
  } finally {
    Store.prototype.detectCrashes = check;
  }
  return checks;
}

Deno.test("getRun: one crash check per call, a dead running run still reported crashed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sentilab_counts_" });
  try {
    await makeStore(dir, 12, 3);
    // r4 and r9 were left running by this process: they are not crashed. A run left running by a process
    // that is gone (a pid no process has) is found by the crash check of the open, once.
    const store = Store.connect(dir);
    store.stmt("UPDATE runs SET pid = ?, start_token = 'gone' WHERE id = 'r9'").run(2 ** 30);
    const previous = (id: string) =>
      sql(dir, (db) => db.prepare("SELECT id, status, ended_at FROM runs WHERE id = ?").get(id) as Row);
    assert.equal(previous("r9").status, "running");
    let run: ReturnType<typeof getRun> = null;
    assert.equal(crashChecks(() => (run = getRun("r9", { dir }))), 1);
    assert.equal(run!.status, "crashed");
    assert.equal(previous("r9").status, "crashed");
    for (const id of ["r4", "r5", "big", "nope"]) {
      assert.equal(crashChecks(() => (run = getRun(id, { dir }))), 1, id);
      if (id === "nope") assert.equal(run, null);
      else {
        assert.equal(run!.status, previous(id).status, id);
        assert.equal(run!.id, id);
      }
    }
    assert.equal(getRun("r4", { dir })!.status, "running");
    assert.equal(getRun("big", { dir })!.historyCount, 3);
    // Read-only: no crash check at all (nothing is written), the same record.
    assert.equal(crashChecks(() => (run = getRun("r5", { dir, readOnly: true }))), 0);
    assert.deepEqual(run, getRun("r5", { dir }));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("queryRuns on an empty store: no projects, no groups, total 0", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sentilab_counts_" });
  try {
    Store.open(dir).close();
    for (const readOnly of [false, true]) {
      assert.deepEqual(queryRuns({ dir, readOnly }), { total: 0, runs: [], projects: [], groups: [] });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("unsent history rows as counted row by row: none sent, partly, all, past the end, interleaved runs", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sentilab_counts_" });
  try {
    const ids = await makeStore(dir, 30, 400);
    const store = Store.connect(dir);
    const target = "http://127.0.0.1:1";
    const ledger = new SyncLedger(store, target);
    const previous = (runId: string, after: number) =>
      sql(dir, (db) =>
        Number(
          (db.prepare("SELECT COUNT(*) AS n FROM history WHERE run_id = ? AND id > ?").get(
            runId,
            after,
          ) as Row).n,
        ));
    const rowIds = (runId: string) =>
      sql(
        dir,
        (db) =>
          (db.prepare("SELECT id FROM history WHERE run_id = ? ORDER BY id").all(runId) as Row[]).map((r) =>
            Number(r.id)
          ),
      );
    let compared = 0;
    for (const runId of ["big", "r0", "r1", "r8", "r17", "r29"]) {
      const own = rowIds(runId);
      // Nothing sent (no cursor), every position (each row, between rows, before, after), skipped (-1).
      const cursors = [null, -1, 0, ...own, ...own.map((i) => i - 1), 1e9];
      if (runId === "big") cursors.splice(3, own.length - 40); // every position of the last 40 and around
      for (const c of cursors) {
        if (c === null) store.stmt("DELETE FROM sync_state WHERE run_id = ?").run(runId);
        else ledger.done(runId, "history", c);
        const got = getSyncStatus(runId, { dir, target })!.pending.historyRows;
        assert.equal(got, previous(runId, c ?? 0), `${runId} after ${c}`);
        compared++;
      }
    }
    assert.ok(compared > 500);
    for (const runId of ids) {
      const got = getSyncStatus(runId, { dir, target })!.pending.historyRows;
      assert.equal(got, previous(runId, ledger.cursor(runId, "history") ?? 0), runId);
    }
    // Rows another writer (an older sentilab) added after the run's counted ones are unsent too.
    ledger.done("big", "history", rowIds("big")[200]);
    const older = new DatabaseSync(join(dir, "store.db"));
    older.exec(`INSERT INTO history(run_id, step, ts, data) VALUES ('big', 5, 1, '{}'), ('big', 6, 2, '{}')`);
    older.close();
    assert.equal(
      getSyncStatus("big", { dir, target })!.pending.historyRows,
      previous("big", rowIds("big")[200]),
    );
    assert.equal(getSyncStatus("big", { dir, target, readOnly: true })!.pending.historyRows, 201);

    // The sender records how many rows its cursor covers: the status reads that, counting nothing.
    const counter = StoreHistory.prototype.countRowsAfter;
    let counted = 0;
    StoreHistory.prototype.countRowsAfter = function (this: StoreHistory, ...a) {
      counted++;
      return counter.apply(this, a);
    };
    try {
      for (const runId of ["big", "r8", "r17"]) {
        store.stmt("DELETE FROM sync_state WHERE run_id = ?").run(runId);
        const own = rowIds(runId);
        // Batches of uneven sizes, some cursors between two rows of the run (another run's row id).
        const stops = [0, 1, 2, 3, 5, 8, 13, 100, 101, 250, 401, own.length - 1].filter((i) =>
          i < own.length
        );
        for (const [n, i] of stops.entries()) {
          ledger.historySent(runId, n + 1, n % 2 ? own[i] + 1 : own[i]);
          const c = ledger.cursor(runId, "history")!;
          assert.equal(
            getSyncStatus(runId, { dir, target })!.pending.historyRows,
            previous(runId, c),
            `${runId} ${c}`,
          );
        }
      }
      assert.equal(counted, 0, "the recorded rows were read, nothing counted");
      // An older sentilab moves the cursor without the record: counted; the sender's next batch records again
      // (counting the rows up to that cursor once).
      const own = rowIds("r17");
      ledger.done("r17", "history", own[3]);
      assert.equal(getSyncStatus("r17", { dir, target })!.pending.historyRows, previous("r17", own[3]));
      assert.equal(counted, 1);
      ledger.historySent("r17", 9, own[5]);
      assert.equal(getSyncStatus("r17", { dir, target })!.pending.historyRows, previous("r17", own[5]));
      assert.equal(counted, 1);
    } finally {
      StoreHistory.prototype.countRowsAfter = counter;
    }
    store.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a resumed run goes on after its highest step: no history, skipped steps, rows of an older writer, migrated", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sentilab_counts_" });
  try {
    const previousLastStep = (runId: string) =>
      sql(dir, (db) => {
        const s = (db.prepare("SELECT MAX(step) AS s FROM history WHERE run_id = ?").get(runId) as Row).s;
        return s === null ? -1 : Number(s);
      });
    const resumeAndLog = async (id: string) => {
      const expected = previousLastStep(id) + 1;
      const run = await initRun({ dir, id, resume: "allow", strict: true, tracker: "local" });
      assert.equal(run.resumed, true);
      logMetrics(run, { x: 1 });
      await finishRun(run);
      assert.equal(getHistory(id, { dir }).at(-1)!.step, expected, id);
    };
    // No history at all: step 0.
    await finishRun(await initRun({ dir, id: "empty", strict: true, tracker: "local" }));
    await resumeAndLog("empty");
    // Steps that skip: it goes on after the highest one.
    const run = await initRun({ dir, id: "steps", strict: true, tracker: "local" });
    for (const step of [3, 40]) logMetrics(run, { x: step }, { step });
    await finishRun(run);
    await resumeAndLog("steps");
    await resumeAndLog("steps");
    // Rows an older sentilab wrote after this one counted the run (it knows nothing of last_step).
    Store.connect(dir).close();
    const older = new DatabaseSync(join(dir, "store.db"));
    older.exec(
      `INSERT INTO history(run_id, step, ts, data) VALUES ('steps', 90, 1, '{}'), ('steps', 2, 2, '{}')`,
    );
    older.close();
    await resumeAndLog("steps");
    assert.deepEqual(getHistory("steps", { dir }).map((h) => h.step), [3, 40, 41, 42, 90, 2, 91]);
    // A store migrated from the layout before the counts: counted once on opening, then read from them.
    Store.connect(dir).close();
    const old = new DatabaseSync(join(dir, "store.db"));
    old.exec(`ALTER TABLE runs DROP COLUMN history_rows; ALTER TABLE runs DROP COLUMN last_step;
      ALTER TABLE runs DROP COLUMN history_upto`);
    old.close();
    await resumeAndLog("steps");
    await resumeAndLog("empty");
    assert.deepEqual(getHistory("empty", { dir }).map((h) => h.step), [0, 1]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the sender's caught-up check: a row or line after the cursor exists exactly when the previous count was not 0", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sentilab_counts_" });
  try {
    await makeStore(dir, 20, 60);
    const store = Store.connect(dir);
    // Console lines that interleave between runs too (run i prints i % 4 lines per round).
    for (let k = 0; k < 5; k++) {
      for (let i = 0; i < 20; i++) {
        const lines = Array.from({ length: i % 4 }, (_, j) => ({
          ts: k * 100 + j,
          stream: "stdout" as const,
          line: `r${i} ${k} ${j}`,
        }));
        store.output.insertOutput(`r${i}`, lines);
      }
    }
    const previous = (table: "history" | "output", runId: string, after: number) =>
      sql(dir, (db) =>
        Number(
          (db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE run_id = ? AND id > ?`).get(
            runId,
            after,
          ) as Row)
            .n,
        ));
    const ids = (table: "history" | "output", runId: string) =>
      sql(
        dir,
        (db) =>
          (db.prepare(`SELECT id FROM ${table} WHERE run_id = ? ORDER BY id`).all(runId) as Row[]).map((r) =>
            Number(r.id)
          ),
      );
    let compared = 0;
    for (const runId of ["big", "r0", "r1", "r3", "r7", "r8", "r17", "nope"]) {
      for (const table of ["history", "output"] as const) {
        const own = ids(table, runId);
        // Every position: before the first, on each, between two (another run's id), after the last; -1
        // (skipped for good) and 0 (nothing sent).
        for (const c of [-1, 0, ...own, ...own.map((i) => i - 1), ...own.map((i) => i + 1), 1e9]) {
          const exists = table === "history"
            ? store.history.hasHistoryAfter(runId, c)
            : store.output.hasOutputAfter(runId, c);
          assert.equal(exists, previous(table, runId, c) > 0, `${table} ${runId} after ${c}`);
          compared++;
        }
      }
    }
    assert.ok(compared > 300, String(compared));
    // The existence checks stop at the first row: one seek of the (run_id, id) index each, no count.
    const plans = sql(
      dir,
      (db) =>
        ["history", "output"].map((t) =>
          (db.prepare(`EXPLAIN QUERY PLAN SELECT 1 FROM ${t} WHERE run_id = 'big' AND id > 5 LIMIT 1`)
            .all() as Row[]).map((r) => String(r.detail)).join("; ")
        ),
    );
    assert.match(plans[0], /COVERING INDEX history_run \(run_id=\? AND (id|rowid)>\?\)/);
    assert.match(plans[1], /COVERING INDEX output_run \(run_id=\? AND (id|rowid)>\?\)/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("listRuns with sync: every listed run's sync state as getSyncStatus gives it, with one crash check", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sentilab_counts_" });
  try {
    await makeStore(dir, 40, 12);
    const store = Store.connect(dir);
    const target = "http://127.0.0.1:1";
    const other = "http://127.0.0.1:2";
    // Runs never synced, partly synced (history cursor, run metadata), synced to another target only, a run
    // left running by a process that is gone (found by the crash check of the open).
    const ledger = new SyncLedger(store, target);
    for (let i = 0; i < 40; i += 3) ledger.historySent(`r${i}`, 1, store.history.rows(`r${i}`)[0]?.id ?? 0);
    for (let i = 1; i < 40; i += 7) ledger.done(`r${i}`, "run", 1);
    for (let i = 2; i < 40; i += 5) new SyncLedger(store, other).done(`r${i}`, "exit", 0);
    store.stmt("UPDATE runs SET pid = ?, start_token = 'gone' WHERE id = 'r14'").run(2 ** 30);
    for (const readOnly of [false, true]) {
      for (
        const options of [{}, { project: "p", limit: 3 }, { filter: 'status = "finished"', sort: "name" }]
      ) {
        const label = JSON.stringify({ readOnly, ...options });
        let listed: ReturnType<typeof listRuns> = [];
        const checks = crashChecks(
          () => (listed = listRuns({ dir, readOnly, ...options, sync: true, target })),
        );
        assert.equal(checks, readOnly ? 0 : 1, label);
        // The previous listing: the runs, then getSyncStatus per run (a store open and crash check each).
        const runs = listRuns({ dir, readOnly, ...options });
        const previous = runs.map((r) => ({ ...r, sync: getSyncStatus(r.id, { dir, readOnly, target })! }));
        assert.deepEqual(listed, previous, label);
        assert.ok(listed.length > 0, label);
        assert.deepEqual(runs, listed.map(({ sync: _, ...r }) => r), label);
      }
    }
    const all = listRuns({ dir, sync: true, target });
    assert.equal(all.find((r) => r.id === "r14")!.status, "crashed");
    const states = new Set(all.map((r) => `${r.sync!.never}/${r.sync!.elsewhere.length}`));
    assert.ok(states.size >= 3, [...states].join(" "));
    assert.ok(all.some((r) => !r.sync!.never && r.sync!.pending.historyRows > 0));
    // Without `sync` nothing is added.
    assert.ok(listRuns({ dir }).every((r) => !("sync" in r)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("syncRuns (dry run): one crash check, a dead running run found and reported as before", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sentilab_counts_" });
  try {
    await makeStore(dir, 10, 3);
    Store.connect(dir).stmt("UPDATE runs SET pid = ?, start_token = 'gone' WHERE id = 'r4'").run(2 ** 30);
    const target = "http://127.0.0.1:1";
    const check = Store.prototype.detectCrashes;
    let checks = 0;
    Store.prototype.detectCrashes = function (this: Store) {
      checks++;
      return check.call(this);
    };
    let all: Awaited<ReturnType<typeof syncRuns>>;
    let one: Awaited<ReturnType<typeof syncRuns>>;
    try {
      all = await syncRuns({ dir, dryRun: true, baseUrl: target });
      assert.equal(checks, 1, "every run");
      checks = 0;
      one = await syncRuns({ dir, dryRun: true, baseUrl: target, runId: "r9" });
      assert.equal(checks, 1, "one run");
    } finally {
      Store.prototype.detectCrashes = check;
    }
    const outcome = (id: string) => all.runs.find((r) => r.runId === id)!.outcome;
    assert.equal(outcome("r4"), "pending", "the dead run is crashed, not skipped as running");
    assert.equal(outcome("r9"), "skipped", "a run of this live process is still running");
    assert.equal(one.runs[0].outcome, "skipped");
    assert.equal(all.runs.length, 11);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
