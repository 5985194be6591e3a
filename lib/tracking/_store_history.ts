// The history table of the store: the rows initRun's log() wrote, moved in from the run's journal (how far
// the journal was ingested, and the run's row count and last step, are the runs module's: _store_runs.ts),
// and their reads: pages for readers, rows after a cursor for the replay.
import { isoTime } from "./_iso_time.ts";
import type { PendingRow } from "./_journal_file.ts";
import type { Store } from "./_store.ts";
import type { HistoryRow } from "./types.ts";

type Row = Record<string, unknown>;

/** History rows per multi-row INSERT. */
const HISTORY_PER_STMT = 100;

/** A history row as the replay reads it: its id, step, time (ms) and values. */
export interface ReplayHistoryRow {
  id: number;
  step: number;
  ts: number;
  values: Record<string, unknown>;
}

/** The history of the runs of a store (`store.history`). */
export class StoreHistory {
  readonly #s: Store;

  constructor(store: Store) {
    this.#s = store;
  }

  /**
   * Inserts journal rows into the history (inside the caller's transaction) and counts them into the run's
   * history_rows, last_step and history_upto (with any row another writer added since, e.g. an older
   * sentilab that knows nothing of them).
   */
  insertRows(runId: string, rows: PendingRow[]): void {
    // Many rows per statement: the per-statement cost dominates for small rows.
    const many = this.#s.stmt(
      "INSERT INTO history(run_id, step, ts, data) VALUES " +
        Array(HISTORY_PER_STMT).fill("(?, ?, ?, ?)").join(", "),
    );
    const args: (string | number)[] = new Array(HISTORY_PER_STMT * 4);
    let i = 0;
    for (; i + HISTORY_PER_STMT <= rows.length; i += HISTORY_PER_STMT) {
      for (let k = 0; k < HISTORY_PER_STMT; k++) {
        const [step, ts, json] = rows[i + k];
        args[4 * k] = runId;
        args[4 * k + 1] = step;
        args[4 * k + 2] = ts;
        args[4 * k + 3] = json;
      }
      many.run(...args);
    }
    const one = this.#s.stmt("INSERT INTO history(run_id, step, ts, data) VALUES (?, ?, ?, ?)");
    for (; i < rows.length; i++) one.run(runId, rows[i][0], rows[i][1], rows[i][2]);
    const runs = this.#s.runs;
    const t = this.#s.stmt(
      "SELECT COUNT(*) AS n, MAX(step) AS top, MAX(id) AS upto FROM history WHERE run_id = ? AND id > ?",
    ).get(runId, runs.historyUpto(runId)) as Row;
    if (Number(t.n) > 0) runs.countHistory(runId, Number(t.n), Number(t.top), Number(t.upto));
  }

  /** Moves journal rows into the history; `lastSeq` is the seq of the last journal record ingested. */
  ingestHistory(runId: string, rows: PendingRow[], lastSeq: number): void {
    this.#s.transaction(() => {
      this.insertRows(runId, rows);
      this.#s.runs.setJournalSeq(runId, lastSeq);
    });
  }

  /**
   * How many history rows a run has and its highest step (null for none), given what its runs row counted
   * (history_rows, last_step up to row history_upto; none for a store from before them, opened read-only):
   * only the rows after history_upto are counted here, normally none.
   */
  stats(runId: string, counted?: { rows: number; lastStep: number | null; upto: number }): {
    count: number;
    lastStep: number | null;
  } {
    const h = this.#s.stmt("SELECT COUNT(*) AS n, MAX(step) AS s FROM history WHERE run_id = ? AND id > ?")
      .get(runId, counted?.upto ?? -1) as Row;
    const count = Number(h.n) + (counted?.rows ?? 0);
    const after = h.s === null ? null : Number(h.s);
    const before = counted?.lastStep ?? null;
    return { count, lastStep: before === null || (after !== null && after > before) ? after : before };
  }

  /**
   * History rows of a run in logging order; `last` keeps only the last N rows. Read as arrays (no object per
   * SQLite row) and timed by isoTime (no Date per row): 100,000s of rows are read at a time (the viewer,
   * notebooks, `deno task runs ID`).
   */
  rows(runId: string, page: { offset?: number; limit?: number; last?: number } = {}): HistoryRow[] {
    let rows: unknown[][];
    if (page.last !== undefined) {
      rows =
        (this.#s.arrayStmt("SELECT id, step, ts, data FROM history WHERE run_id = ? ORDER BY id DESC LIMIT ?")
          .all(runId, page.last)).reverse();
    } else {
      rows = this.#s.arrayStmt(
        "SELECT id, step, ts, data FROM history WHERE run_id = ? ORDER BY id LIMIT ? OFFSET ?",
      ).all(runId, page.limit ?? -1, page.offset ?? 0);
    }
    const out: HistoryRow[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      out[i] = {
        id: Number(r[0]),
        step: Number(r[1]),
        time: isoTime(Number(r[2])),
        values: JSON.parse(r[3] as string),
      };
    }
    return out;
  }

  /**
   * History rows of a run after row `afterId`, before row `beforeId`, logged at or before `untilMs`, in
   * logging order, at most `limit`.
   */
  historyAfter(
    runId: string,
    afterId: number,
    page: { beforeId?: number; untilMs?: number; limit?: number } = {},
  ): ReplayHistoryRow[] {
    return (this.#s.stmt(
      "SELECT id, step, ts, data FROM history WHERE run_id = ? AND id > ? AND id < ? AND ts <= ? ORDER BY id LIMIT ?",
    ).all(
      runId,
      afterId,
      page.beforeId ?? Number.MAX_SAFE_INTEGER,
      page.untilMs ?? Number.MAX_SAFE_INTEGER,
      page.limit ?? -1,
    ) as Row[]).map((h) => ({
      id: Number(h.id),
      step: Number(h.step),
      ts: Number(h.ts),
      values: JSON.parse(String(h.data)),
    }));
  }

  /** How many history rows of a run come after row `afterId` (and were logged at or before `untilMs`). */
  countHistoryAfter(runId: string, afterId: number, untilMs = Number.MAX_SAFE_INTEGER): number {
    return Number(
      (this.#s.stmt("SELECT COUNT(*) AS n FROM history WHERE run_id = ? AND id > ? AND ts <= ?").get(
        runId,
        afterId,
        untilMs,
      ) as Row).n,
    );
  }

  /** The step and time (ms) of history row `id` of a run, or null when there is no such row. */
  stepAndTime(runId: string, id: number): { step: number; ts: number } | null {
    const r = this.#s.stmt("SELECT step, ts FROM history WHERE run_id = ? AND id = ?").get(runId, id) as
      | Row
      | undefined;
    return r ? { step: Number(r.step), ts: Number(r.ts) } : null;
  }

  /**
   * Whether a run has a history row after row `afterId`: the sender's caught-up check (_send_summary.ts),
   * one seek of the index on (run_id, id) where {@linkcode StoreHistory.countHistoryAfter} reads every row.
   */
  hasHistoryAfter(runId: string, afterId: number): boolean {
    return this.#s.stmt("SELECT 1 FROM history WHERE run_id = ? AND id > ? LIMIT 1").get(runId, afterId) !==
      undefined;
  }

  /**
   * How many of a run's `count` history rows (its historyCount, see stats) come after row `afterId`: the
   * side of `afterId` whose ids span less is counted through the index on (run_id, id), the other derived
   * from `count`, so that nothing is counted when none or all of the rows come after it (a run's unsent rows:
   * SyncLedger.pending), and at most half of them otherwise.
   */
  countRowsAfter(runId: string, afterId: number, count: number): number {
    if (count === 0) return 0;
    // Two subqueries: SQLite answers a lone MIN or MAX with one index seek, both in one SELECT by a scan.
    const ends = this.#s.stmt(
      `SELECT (SELECT MIN(id) FROM history WHERE run_id = ?1) AS lo,
        (SELECT MAX(id) FROM history WHERE run_id = ?1) AS hi`,
    ).get(runId) as Row;
    const lo = Number(ends.lo), hi = Number(ends.hi);
    if (afterId < lo) return count;
    if (afterId >= hi) return 0;
    if (hi - afterId <= afterId - lo) return this.countHistoryAfter(runId, afterId);
    return count - this.countBetween(runId, -1, afterId);
  }

  /** How many history rows of a run come after row `afterId` up to row `upToId` (included). */
  countBetween(runId: string, afterId: number, upToId: number): number {
    const n = this.#s.stmt("SELECT COUNT(*) AS n FROM history WHERE run_id = ? AND id > ? AND id <= ?").get(
      runId,
      afterId,
      upToId,
    ) as Row;
    return Number(n.n);
  }

  /** The last history row after `afterId` logged at `step` no later than `untilMs`, or null. */
  lastHistoryAtStep(runId: string, afterId: number, untilMs: number, step: number): ReplayHistoryRow | null {
    const h = this.#s.stmt(
      `SELECT id, step, ts, data FROM history WHERE run_id = ? AND id > ? AND ts <= ? AND step = ?
       ORDER BY id DESC LIMIT 1`,
    ).get(runId, afterId, untilMs, step) as Row | undefined;
    return h
      ? { id: Number(h.id), step: Number(h.step), ts: Number(h.ts), values: JSON.parse(String(h.data)) }
      : null;
  }
}
