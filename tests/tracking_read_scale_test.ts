// Reading the store at scale (w2): history rows are timed by isoTime instead of a Date per row and read as
// arrays, runs keep their history's count (history_rows, last_step) and are listed newest first through an
// index on started_at. What a caller gets must not change: each test compares with the previous read
// (written out here as bare SQL) or with the same store read before its migration. Speed is measured by
// `deno task bench:tracking read`, not here.
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { getHistory, getRun, listRuns, queryRuns } from "../lib/tracking/mod.ts";
import { isoTime } from "../lib/tracking/_iso_time.ts";
import { Store } from "../lib/tracking/_store.ts";
import { collectEnvironment } from "../lib/tracking/_env.ts";

type Row = Record<string, unknown>;

const day = 86_400_000;
/** Times where an ISO string is easy to get wrong: epoch, ms 0/999, leap days, year ends, the year 10000. */
const EDGES = [
  0,
  0.5,
  1,
  999,
  999.999,
  1000,
  59_999,
  60_000,
  day - 1,
  day,
  Date.UTC(1972, 1, 29, 23, 59, 59, 999), // leap day
  Date.UTC(1972, 2, 1),
  Date.UTC(1999, 11, 31, 23, 59, 59, 999), // year end
  Date.UTC(2000, 0, 1),
  Date.UTC(2000, 1, 29, 12, 0, 0, 0), // leap (divisible by 400)
  Date.UTC(2024, 1, 29, 23, 59, 59, 999),
  Date.UTC(2024, 11, 31, 23, 59, 59, 999),
  Date.UTC(2025, 0, 1, 0, 0, 0, 0),
  Date.UTC(2100, 1, 28, 23, 59, 59, 999), // not leap (divisible by 100)
  Date.UTC(2100, 2, 1),
  Date.UTC(2026, 10, 29, 16, 35, 19, 42),
  Date.UTC(2026, 10, 29, 16, 35, 19, 42) + 0.9,
  Date.UTC(9999, 11, 31, 23, 59, 59, 999), // the last four-digit year
  Date.UTC(10000, 0, 1), // +010000-...
  8.64e15, // Date's last time
  -1, // before 1970: Date's "1969-12-31T23:59:59.999Z"
  -0.5,
  -day - 1,
  Date.UTC(1969, 11, 31, 23, 59, 59, 0),
  Date.UTC(1900, 1, 28),
  -8.64e15,
];

Deno.test("isoTime gives what toISOString gives, in any order of calls, and throws where it throws", () => {
  const times = [...EDGES];
  let t = Date.UTC(2026, 0, 1);
  let seed = 7;
  const rand = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  for (let i = 0; i < 50_000; i++) {
    // Forward steps of 0 ms to ~2 days, some backwards, some jumps anywhere in 1900..2200.
    const r = rand();
    t = r < 0.05 ? Math.floor(rand() * 9.5e12) - 2.2e12 : t + Math.floor((r - 0.1) * 2 * day * rand());
    times.push(t, t + rand());
  }
  times.push(...EDGES.toReversed());
  for (const ms of times) assert.equal(isoTime(ms), new Date(ms).toISOString(), `at ${ms}`);
  for (const bad of [NaN, Infinity, -Infinity, 8.64e15 + 1, -8.64e15 - 1]) {
    assert.throws(() => new Date(bad).toISOString(), RangeError);
    assert.throws(() => isoTime(bad), RangeError, `isoTime(${bad})`);
  }
});

/** Every file of the store with its digest. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of Deno.readDirSync(dir)) {
    if (e.isFile) {
      out.set(e.name, createHash("sha256").update(Deno.readFileSync(join(dir, e.name))).digest("hex"));
    }
  }
  return out;
}

/**
 * A store of `runs` finished runs (some started at the same second, so that rowid breaks the tie) with
 * history rows whose times hit the edge cases, and one run of `bigRows` rows.
 */
async function makeStore(dir: string, runs: number, bigRows: number): Promise<void> {
  const store = Store.open(dir);
  const env = await collectEnvironment();
  const insert = (id: string, startedAt: string, rows: [number, number, string, number][]) => {
    store.runs.insertRun({
      id,
      project: `p${id.length % 3}`,
      name: `run ${id}`,
      group: null,
      jobType: null,
      tags: [],
      notes: null,
      configJson: "{}",
      startedAt,
      env,
    });
    if (rows.length) store.transaction(() => store.history.insertRows(id, rows));
    store.runs.finishRun(id, { exitCode: 0, status: "finished", lastValues: {}, explicit: [] });
  };
  for (let i = 0; i < runs; i++) {
    // Steps out of order (a lower one after a higher one) and none at all for some runs.
    const rows = Array.from({ length: i % 7 }, (_, k): [number, number, string, number] => [
      (k * 5) % 7,
      EDGES[(i + k) % EDGES.length],
      JSON.stringify({ loss: 1 / (k + 1), "val/acc": k / 10 }),
      k + 1,
    ]);
    insert(`r${i}`, new Date(Date.UTC(2026, 0, 1) + Math.floor(i / 3) * 1000).toISOString(), rows);
  }
  const big = Array.from({ length: bigRows }, (_, k): [number, number, string, number] => [
    k,
    k % 10 === 0 ? EDGES[(k / 10) % EDGES.length] : Date.UTC(2024, 1, 28) + k * 4_321 + (k % 3) / 3,
    JSON.stringify({ loss: 1 / (k + 1), accuracy: k / bigRows, nested: { a: [k, null, "x"] } }),
    k + 1,
  ]);
  insert("big", new Date(Date.UTC(2026, 0, 1) + runs * 1000).toISOString(), big);
}

/** The history read before w2 (an object per SQLite row, a Date per row), on its own connection. */
function previousHistory(
  dir: string,
  runId: string,
  page: { offset?: number; limit?: number; last?: number },
) {
  const db = new DatabaseSync(join(dir, "store.db"), { readOnly: true });
  try {
    const rows = page.last !== undefined
      ? (db.prepare("SELECT * FROM history WHERE run_id = ? ORDER BY id DESC LIMIT ?").all(
        runId,
        page.last,
      ) as Row[])
        .reverse()
      : db.prepare("SELECT * FROM history WHERE run_id = ? ORDER BY id LIMIT ? OFFSET ?").all(
        runId,
        page.limit ?? -1,
        page.offset ?? 0,
      ) as Row[];
    return rows.map((r) => ({
      id: Number(r.id),
      step: Number(r.step),
      time: new Date(Number(r.ts)).toISOString(),
      values: JSON.parse(String(r.data)),
    }));
  } finally {
    db.close();
  }
}

/** The runs listing before w2: every run sorted (missing values last), each listed run's history counted. */
function previousListing(dir: string, order: string, limit: number, offset = 0) {
  const db = new DatabaseSync(join(dir, "store.db"), { readOnly: true });
  try {
    const runs = db.prepare(`SELECT id FROM runs ORDER BY ${order} LIMIT ? OFFSET ?`).all(
      limit,
      offset,
    ) as Row[];
    return runs.map((r) => {
      const h = db.prepare("SELECT COUNT(*) AS n, MAX(step) AS s FROM history WHERE run_id = ?").get(
        String(r.id),
      ) as Row;
      return { id: String(r.id), historyCount: Number(h.n), lastStep: h.s === null ? null : Number(h.s) };
    });
  } finally {
    db.close();
  }
}

const brief = (runs: { id: string; historyCount: number; lastStep: number | null }[]) =>
  runs.map((r) => ({ id: r.id, historyCount: r.historyCount, lastStep: r.lastStep }));

Deno.test("history and runs read as before on a store with many rows, edge-case times and tied start times", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sentilab_scale_" });
  try {
    await makeStore(dir, 300, 30_000);
    for (const page of [{}, { offset: 29_990 }, { offset: 5, limit: 17 }, { last: 25 }, { last: 0 }]) {
      assert.deepEqual(
        getHistory("big", { dir, ...page }),
        previousHistory(dir, "big", page),
        JSON.stringify(page),
      );
    }
    for (let i = 0; i < 300; i += 37) {
      assert.deepEqual(getHistory(`r${i}`, { dir }), previousHistory(dir, `r${i}`, {}), `r${i}`);
    }
    const got = getHistory("big", { dir });
    assert.equal(got.length, 30_000);
    assert.equal(got[10].time, "1970-01-01T00:00:00.000Z"); // an edge row: the epoch
    assert.deepEqual(got[7].values, { loss: 1 / 8, accuracy: 7 / 30_000, nested: { a: [7, null, "x"] } });

    const newest = "started_at DESC, rowid DESC";
    assert.deepEqual(brief(listRuns({ dir, limit: 50 })), previousListing(dir, newest, 50));
    assert.deepEqual(brief(listRuns({ dir })), previousListing(dir, newest, -1));
    assert.deepEqual(
      brief(listRuns({ dir, sort: "startedAt", limit: 40 })),
      previousListing(dir, "started_at, rowid", 40),
    );
    assert.deepEqual(
      brief(listRuns({ dir, sort: "-name", limit: 40 })),
      previousListing(dir, "name DESC, rowid DESC", 40),
    );
    assert.deepEqual(
      brief(queryRuns({ dir, offset: 100, limit: 30 }).runs),
      previousListing(dir, newest, 30, 100),
    );
    const big = getRun("big", { dir })!;
    assert.deepEqual([big.historyCount, big.lastStep], [30_000, 29_999]);
    assert.deepEqual(brief([getRun("r6", { dir })!]), [{ id: "r6", historyCount: 6, lastStep: 6 }]);
    assert.deepEqual(brief([getRun("r0", { dir })!]), [{ id: "r0", historyCount: 0, lastStep: null }]);

    // The default listing walks the index on started_at: no sort of every run.
    const db = new DatabaseSync(join(dir, "store.db"), { readOnly: true });
    const plan =
      (db.prepare("EXPLAIN QUERY PLAN SELECT * FROM runs ORDER BY started_at DESC, rowid DESC LIMIT 50")
        .all() as Row[]).map((r) => String(r.detail));
    db.close();
    assert.deepEqual(plan, ["SCAN runs USING INDEX runs_started"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a store from before the index and the history counts: read-only reads it unchanged, opening migrates it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sentilab_scale_" });
  try {
    await makeStore(dir, 40, 500);
    const expected = {
      runs: listRuns({ dir }),
      big: getRun("big", { dir }),
      history: getHistory("big", { dir }),
      page: queryRuns({ dir, limit: 10 }),
    };
    Store.connect(dir).close();
    // The layout an older sentilab wrote: no runs_started / runs_running index, no history_rows, last_step,
    // history_upto.
    const old = new DatabaseSync(join(dir, "store.db"));
    old.exec(
      `DROP INDEX runs_started; DROP INDEX runs_running; DROP INDEX runs_project; DROP INDEX runs_group;
      ALTER TABLE runs DROP COLUMN history_rows;
      ALTER TABLE runs DROP COLUMN last_step; ALTER TABLE runs DROP COLUMN history_upto;`,
    );
    old.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    old.close();
    const layout = () => {
      const db = new DatabaseSync(join(dir, "store.db"), { readOnly: true });
      try {
        return {
          columns: (db.prepare("PRAGMA table_info(runs)").all() as Row[]).map((c) => String(c.name)),
          indexes: (db.prepare("PRAGMA index_list(runs)").all() as Row[]).map((i) => String(i.name)).sort(),
        };
      } finally {
        db.close();
      }
    };
    assert.ok(!layout().columns.includes("history_rows"));

    const before = snapshot(dir);
    const ro = { dir, readOnly: true };
    assert.deepEqual(listRuns(ro), expected.runs, "read-only: the counts are counted");
    assert.deepEqual(getRun("big", ro), expected.big);
    assert.deepEqual(getHistory("big", ro), expected.history);
    assert.deepEqual(
      queryRuns({ ...ro, limit: 10 }),
      expected.page,
      "read-only: projects read without the index",
    );
    Store.openReadOnly(dir).close();
    const after = snapshot(dir);
    assert.deepEqual(after.get("store.db"), before.get("store.db"), "a read-only open must not migrate");
    assert.ok(!layout().columns.includes("history_rows"));

    // Opening for writing adds the columns (filled in from the history) and the indexes, in one go.
    assert.deepEqual(listRuns({ dir }), expected.runs);
    assert.deepEqual(getRun("big", { dir }), expected.big);
    assert.deepEqual(getHistory("big", { dir }), expected.history);
    assert.deepEqual(queryRuns({ dir, limit: 10 }), expected.page);
    const migrated = layout();
    for (const c of ["history_rows", "last_step", "history_upto"]) assert.ok(migrated.columns.includes(c), c);
    assert.deepEqual(migrated.indexes.filter((n) => n.startsWith("runs_")), [
      "runs_group",
      "runs_project",
      "runs_running",
      "runs_started",
    ]);

    // Rows added after the migration keep the counts right, a lower step leaving the highest one.
    const store = Store.connect(dir);
    store.transaction(() =>
      store.history.insertRows("r3", [[1, 5, "{}", 1], [100, 6, "{}", 2], [50, 7, "{}", 3]])
    );
    assert.deepEqual(brief([getRun("r3", { dir })!]), previousListing(dir, "id = 'r3' DESC", 1));
    assert.deepEqual(brief([getRun("r3", { dir })!]), [{ id: "r3", historyCount: 6, lastStep: 100 }]);
    store.close();
    // ... and so do rows an older sentilab inserts (it knows nothing of the counts).
    const older = new DatabaseSync(join(dir, "store.db"));
    older.exec(`INSERT INTO history(run_id, step, ts, data) VALUES ('r3', 101, 8, '{}'), ('r4', 0, 9, '{}')`);
    older.close();
    assert.deepEqual(brief(listRuns({ dir }).filter((r) => r.id === "r3" || r.id === "r4")), [
      { id: "r4", historyCount: 5, lastStep: 5 },
      { id: "r3", historyCount: 7, lastStep: 101 },
    ]);
    // The next rows this sentilab writes for r3 count the older writer's row into the run's columns.
    const again = Store.connect(dir);
    again.transaction(() => again.history.insertRows("r3", [[102, 9, "{}", 4]]));
    const counted = new DatabaseSync(join(dir, "store.db"), { readOnly: true });
    const r3 = counted.prepare("SELECT history_rows, last_step FROM runs WHERE id = 'r3'").get() as Row;
    counted.close();
    assert.deepEqual([r3.history_rows, r3.last_step], [8, 102]);
    assert.deepEqual(brief([getRun("r3", { dir })!]), [{ id: "r3", historyCount: 8, lastStep: 102 }]);
    again.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
