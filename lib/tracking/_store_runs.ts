// The runs table of the store: a run's record (what initRun started, its end, summary, W&B entity,
// metric definitions) and the queries over runs. What a run logged over time lives elsewhere: history
// (_store_history.ts), console output (_store_output.ts), tables (_store_tables.ts).
import { TrackingError } from "./_errors.ts";
import type { RunEnvironment } from "./_env.ts";
import type { StoredMetric } from "./_metrics.ts";
import { fieldOf, type SqlCondition } from "./_query.ts";
import type { Store } from "./_store.ts";
import type { RunRecord, RunStatus } from "./types.ts";
import { type RunSession, runtimeAt } from "./_runtime.ts";

type Row = Record<string, unknown>;

/** A new run to insert: the fields it shares with a {@linkcode RunRecord}, its config as JSON and environment. */
export interface NewRun
  extends Pick<RunRecord, "id" | "project" | "name" | "group" | "jobType" | "tags" | "notes" | "startedAt"> {
  configJson: string;
  env: RunEnvironment;
}

/** A query of runs: filters, sort and page (see {@linkcode StoreRuns.queryRuns}). */
export interface RunQuery {
  project?: string;
  group?: string;
  status?: RunStatus;
  tags?: string[];
  text?: string;
  sort?: string;
  desc?: boolean;
  offset?: number;
  limit?: number;
  /** A compiled filter expression (listRuns' `filter`, see _query.ts). */
  filter?: SqlCondition;
  /** Count every match (`total`); false skips that scan (listRuns needs no total). Default true. */
  count?: boolean;
}

/** Sortable run columns by their public names. */
const RUN_SORT_COLUMNS: Record<string, string> = {
  started: "started_at",
  ended: "ended_at",
  name: "name",
  id: "id",
  project: "project",
  group: "grp",
  status: "status",
  jobType: "job_type",
  exitCode: "exit_code",
  duration: "julianday(ended_at) - julianday(started_at)",
};

/** Sort columns declared NOT NULL (see _store_schema.ts). */
const NOT_NULL_COLUMNS = new Set(["started_at", "name", "id", "project", "status"]);

/** The runs of a store (`store.runs`). */
export class StoreRuns {
  readonly #s: Store;

  constructor(store: Store) {
    this.#s = store;
  }

  /** Inserts a new run with status "running". */
  insertRun(run: NewRun): void {
    const e = run.env;
    this.#s.stmt(
      `INSERT INTO runs(id, project, name, grp, job_type, tags, notes, config, status, started_at, git_commit,
        git_dirty, deno_version, lock_digest, host, pid, start_token, argv, env)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      run.id,
      run.project,
      run.name,
      run.group,
      run.jobType,
      JSON.stringify(run.tags),
      run.notes,
      run.configJson,
      run.startedAt,
      e.gitCommit,
      e.gitDirty === null ? null : e.gitDirty ? 1 : 0,
      e.denoVersion,
      e.lockDigest,
      e.host,
      e.pid,
      e.startToken,
      JSON.stringify(e.argv),
      JSON.stringify(e.extra),
    );
    this.#s.stmt("INSERT INTO run_sessions(run_id, started_at, runtime_before) VALUES (?, ?, 0)").run(
      run.id,
      run.startedAt,
    );
  }

  /**
   * Starts a new session of a stored run (a resume, before resumeRun clears its end), carrying in the
   * runtime the run had when its last session ended: at its end time, else (it crashed) at its last history
   * row or that session's start, whichever is later.
   */
  startSession(runId: string, startedAt: string): void {
    const sessions = this.sessions(runId);
    const row = this.#s.stmt("SELECT ended_at FROM runs WHERE id = ?").get(runId) as Row | undefined;
    const lastRow = this.#s.history.rows(runId, { last: 1 })[0];
    const endMs = row?.ended_at != null
      ? Date.parse(String(row.ended_at))
      : Math.max(sessions.at(-1)?.startMs ?? 0, lastRow ? Date.parse(lastRow.time) : 0);
    this.#s.stmt("INSERT OR REPLACE INTO run_sessions(run_id, started_at, runtime_before) VALUES (?, ?, ?)")
      .run(runId, startedAt, runtimeAt(sessions, endMs));
  }

  /**
   * Raises the runtime (seconds) the current session of a run carried in to what a resume from W&B read
   * (the SDK takes W&B's, core/internal/runbranch/resume.go), never lowering it: W&B may lack earlier
   * sessions this store holds (run offline, or cut off), whose lines are sent later with their runtime.
   */
  carryRuntime(runId: string, seconds: number): void {
    this.#s.stmt(
      `UPDATE run_sessions SET runtime_before = MAX(runtime_before, ?1) WHERE run_id = ?2 AND started_at =
        (SELECT MAX(started_at) FROM run_sessions WHERE run_id = ?2)`,
    ).run(seconds, runId);
  }

  /**
   * A run's sessions, oldest first (see _runtime.ts). A store from before sessions were kept, opened
   * read-only, or a run without any, has one: from its start, carrying in nothing.
   */
  sessions(runId: string): RunSession[] {
    let rows: Row[] = [];
    try {
      rows = this.#s.stmt(
        "SELECT started_at, runtime_before FROM run_sessions WHERE run_id = ? ORDER BY started_at",
      ).all(runId) as Row[];
    } catch (e) {
      // only a read-only store from before sessions were kept lacks the table (a writer's open creates it):
      // its start below; anything else (a broken table, a locked or corrupt file) is not hidden
      if (!this.#s.readOnly || !/no such table: run_sessions/.test((e as Error).message)) throw e;
    }
    if (rows.length) {
      return rows.map((r) => ({
        startMs: Date.parse(String(r.started_at)),
        runtimeBefore: Number(r.runtime_before),
      }));
    }
    const run = this.#s.stmt("SELECT started_at FROM runs WHERE id = ?").get(runId) as Row | undefined;
    return run ? [{ startMs: Date.parse(String(run.started_at)), runtimeBefore: 0 }] : [];
  }

  /** Records the W&B entity a run was started for (initRun's `entity`, else WANDB_ENTITY). */
  setRunEntity(runId: string, entity: string): void {
    this.#s.stmt("UPDATE runs SET entity = ? WHERE id = ?").run(entity, runId);
  }

  /** The W&B entity a run was started for, or null (then the W&B viewer's default entity). */
  runEntity(runId: string): string | null {
    try {
      const row = this.#s.stmt("SELECT entity FROM runs WHERE id = ?").get(runId) as Row | undefined;
      return row?.entity == null ? null : String(row.entity);
    } catch {
      return null; // a store from before entities were kept, opened read-only
    }
  }

  /** Replaces the run's metric definitions (defineMetric). */
  setMetricDefinitions(runId: string, definitions: StoredMetric[]): void {
    this.#s.stmt("UPDATE runs SET metrics = ? WHERE id = ?").run(JSON.stringify(definitions), runId);
  }

  /** The run's metric definitions. */
  metricDefinitions(runId: string): StoredMetric[] {
    try {
      const row = this.#s.stmt("SELECT metrics FROM runs WHERE id = ?").get(runId) as Row | undefined;
      return row ? JSON.parse(String(row.metrics)) : [];
    } catch {
      return []; // a store from before definitions were kept, opened read-only (no column added)
    }
  }

  /** Merges `values` into the run's summary. */
  mergeSummary(runId: string, values: Record<string, unknown>): void {
    this.#s.transaction(() => {
      const row = this.#s.stmt("SELECT summary FROM runs WHERE id = ?").get(runId) as Row | undefined;
      if (!row) throw new TrackingError(`Run '${runId}' is not in the store '${this.#s.dir}'`);
      const summary = { ...JSON.parse(String(row.summary)), ...values };
      this.#s.stmt("UPDATE runs SET summary = ? WHERE id = ?").run(JSON.stringify(summary), runId);
    });
  }

  /**
   * Ends a run: status, end time and exit code; unset summary keys are filled from `lastValues`, and an
   * uncaught error is kept as the summary's `_error` ({ message, stack }).
   */
  finishRun(
    runId: string,
    end: {
      exitCode: number;
      status: "finished" | "failed" | "killed";
      lastValues: Record<string, unknown>;
      /** Summary keys setSummary set in this process. */
      explicit: Iterable<string>;
      error?: { message: string; stack: string };
    },
  ): void {
    this.#s.transaction(() => {
      const row = this.#s.stmt("SELECT summary FROM runs WHERE id = ?").get(runId) as Row | undefined;
      if (!row) throw new TrackingError(`Run '${runId}' is not in the store '${this.#s.dir}'`);
      // What setSummary set in this process wins over the metrics' summary, which wins over what is
      // stored from before (a resumed run's earlier values).
      const stored = JSON.parse(String(row.summary));
      const summary = { ...end.lastValues, ...stored };
      const explicit = new Set(end.explicit);
      for (const k in end.lastValues) if (!explicit.has(k)) summary[k] = end.lastValues[k];
      if (end.error) summary._error = end.error;
      this.#s.stmt("UPDATE runs SET status = ?, ended_at = ?, exit_code = ?, summary = ? WHERE id = ?").run(
        end.status,
        new Date().toISOString(),
        end.exitCode,
        JSON.stringify(summary),
        runId,
      );
    });
  }

  /**
   * Reopens an ended run for initRun's `resume`: running again in this process, end time and exit code
   * cleared (and the error of the last end), the given descriptive fields and merged config written (the
   * sync ledger forgets the completion sent: SyncLedger.reopen).
   */
  resumeRun(
    runId: string,
    update: {
      name: string;
      group: string | null;
      jobType: string | null;
      tags: string[];
      notes: string | null;
      configJson: string;
      env: RunEnvironment;
    },
  ): void {
    this.#s.transaction(() => {
      const row = this.#s.stmt("SELECT summary FROM runs WHERE id = ?").get(runId) as Row | undefined;
      if (!row) throw new TrackingError(`Run '${runId}' is not in the store '${this.#s.dir}'`);
      const { _error: _, ...summary } = JSON.parse(String(row.summary));
      this.#s.stmt(
        `UPDATE runs SET status = 'running', ended_at = NULL, exit_code = NULL, name = ?, grp = ?, job_type = ?,
          tags = ?, notes = ?, config = ?, summary = ?, host = ?, pid = ?, start_token = ? WHERE id = ?`,
      ).run(
        update.name,
        update.group,
        update.jobType,
        JSON.stringify(update.tags),
        update.notes,
        update.configJson,
        JSON.stringify(summary),
        update.env.host,
        update.env.pid,
        update.env.startToken,
        runId,
      );
    });
  }

  /**
   * A page of runs matching `q`, sorted by a column, a summary value (`summary.KEY`) or a config value
   * (`config.KEY`), missing values last; `total` counts every match.
   */
  queryRuns(q: RunQuery): { total: number; runs: RunRecord[] } {
    // No crash check here: every caller opened the store by Store.open (readStore), which just made it.
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (q.project) (where.push("project = ?"), args.push(q.project));
    if (q.group) (where.push("grp = ?"), args.push(q.group));
    if (q.status) (where.push("status = ?"), args.push(q.status));
    for (const tag of q.tags ?? []) {
      where.push("EXISTS (SELECT 1 FROM json_each(runs.tags) WHERE json_each.value = ?)");
      args.push(tag);
    }
    if (q.text) {
      const like = `%${q.text.replace(/[\\%_]/g, (c) => "\\" + c)}%`;
      const cols = ["id", "name", "project", "tags", "COALESCE(grp, '')", "COALESCE(notes, '')"];
      where.push(`(${cols.map((c) => `${c} LIKE ? ESCAPE '\\'`).join(" OR ")})`);
      for (const _ of cols) args.push(like);
    }
    if (q.filter) (where.push(`(${q.filter.sql})`), args.push(...(q.filter.args as (string | number)[])));
    const filter = where.length ? "WHERE " + where.join(" AND ") : "";
    const total = q.count === false
      ? -1
      : Number((this.#s.db.prepare(`SELECT COUNT(*) AS n FROM runs ${filter}`).get(...args) as Row).n);
    let sortArgs: string[] = [];
    let key = "started_at";
    const column = RUN_SORT_COLUMNS[q.sort ?? "started"];
    if (column) key = column;
    else if (q.sort) {
      // A run field by its RunRecord name, or summary.KEY / config.KEY (nested keys: summary.a.b).
      const f = fieldOf(q.sort);
      if (f && !f.tags) (key = f.sql, sortArgs = f.args);
    }
    const dir = (q.desc ?? q.sort === undefined) ? "DESC" : "ASC";
    // Missing values last; a column that is never NULL needs no such term, and without it the index on
    // started_at serves the default sort (newest first) a page at a time instead of sorting every run.
    const nullsLast = NOT_NULL_COLUMNS.has(key) ? "" : `(${key}) IS NULL, `;
    const sql =
      `SELECT * FROM runs ${filter} ORDER BY ${nullsLast}${key} ${dir}, rowid ${dir} LIMIT ? OFFSET ?`;
    const rows = this.#s.db.prepare(sql).all(
      ...args,
      ...(nullsLast ? sortArgs : []),
      ...sortArgs,
      q.limit ?? -1,
      q.offset ?? 0,
    ) as Row[];
    return { total, runs: rows.map((r) => this.#runRecord(r)) };
  }

  /**
   * The distinct projects and groups of the runs, sorted: each the next value after the last one, read from
   * its index (a few seeks per value, not every run); a store from before the indexes, opened read-only,
   * reads every run once instead.
   */
  runFacets(): { projects: string[]; groups: string[] } {
    return {
      projects: this.#distinct("project", "runs_project"),
      groups: this.#distinct("grp", "runs_group"),
    };
  }

  /** The distinct non-null values of a column, sorted (BINARY, as ORDER BY), by its index when there is one. */
  #distinct(column: string, index: string): string[] {
    let rows: Row[];
    try {
      rows = this.#s.stmt(
        `WITH RECURSIVE d(v) AS (SELECT MIN(${column}) FROM runs INDEXED BY ${index}
           UNION ALL SELECT (SELECT MIN(${column}) FROM runs INDEXED BY ${index} WHERE ${column} > d.v) FROM d
           WHERE d.v IS NOT NULL)
         SELECT v FROM d WHERE v IS NOT NULL`,
      ).all() as Row[];
    } catch {
      rows = this.#s.stmt(`SELECT DISTINCT ${column} AS v FROM runs WHERE ${column} IS NOT NULL ORDER BY v`)
        .all() as Row[];
    }
    return rows.map((r) => String(r.v));
  }

  /**
   * One run, or null. No crash check here: every caller opened the store by Store.open (readStore,
   * openExisting), which just made it; the replay reads runs often.
   */
  getRun(id: string): RunRecord | null {
    const row = this.#s.stmt("SELECT * FROM runs WHERE id = ?").get(id) as Row | undefined;
    return row ? this.#runRecord(row) : null;
  }

  /** Every run id, oldest first (start time, then insertion order). */
  ids(): string[] {
    return (this.#s.stmt("SELECT id FROM runs ORDER BY started_at, rowid").all() as Row[]).map((r) =>
      String(r.id)
    );
  }

  /** The runs left "running" by processes of `host` (id, host, pid, start_token), for the crash check. */
  runningOn(host: string): Row[] {
    return this.#s.stmt("SELECT id, host, pid, start_token FROM runs WHERE status = 'running' AND host = ?")
      .all(host) as Row[];
  }

  /** Whether a run's status is still "running". */
  isRunning(id: string): boolean {
    const row = this.#s.stmt("SELECT status FROM runs WHERE id = ?").get(id) as Row | undefined;
    return row !== undefined && String(row.status) === "running";
  }

  /** Marks a run crashed, its journal in SQLite up to record `seq` (never moved back). */
  markCrashed(id: string, seq: number): void {
    this.#s.stmt("UPDATE runs SET status = 'crashed', journal_lines = MAX(journal_lines, ?) WHERE id = ?")
      .run(seq, id);
  }

  /** The last history row counted into a run's history_rows and last_step (0: none yet). */
  historyUpto(id: string): number {
    const row = this.#s.stmt("SELECT history_upto FROM runs WHERE id = ?").get(id) as Row | undefined;
    return row ? Number(row.history_upto) : 0;
  }

  /** Counts `n` more history rows into a run, up to row `upto`, whose highest step is `top`. */
  countHistory(id: string, n: number, top: number, upto: number): void {
    this.#s.stmt(
      `UPDATE runs SET history_rows = history_rows + ?1, history_upto = ?2,
        last_step = CASE WHEN last_step IS NULL OR last_step < ?3 THEN ?3 ELSE last_step END
       WHERE id = ?4`,
    ).run(n, upto, top, id);
  }

  /** The seq of the last journal record of a run that SQLite holds (0 for none). */
  journalSeq(id: string): number {
    const row = this.#s.stmt("SELECT journal_lines FROM runs WHERE id = ?").get(id) as Row | undefined;
    return row ? Number(row.journal_lines) : 0;
  }

  /** Records how far a run's journal is in SQLite (inside the caller's transaction). */
  setJournalSeq(id: string, seq: number): void {
    this.#s.stmt("UPDATE runs SET journal_lines = ? WHERE id = ?").run(seq, id);
  }

  /**
   * How many history rows a run has and its highest step (null for none), from what its row counted (see
   * StoreHistory.stats), or null when the run is not stored: resume's next step without reading the history
   * (a store opened for writing, which has the columns).
   */
  historyStats(id: string): { count: number; lastStep: number | null } | null {
    const row = this.#s.stmt("SELECT id, history_rows, last_step, history_upto FROM runs WHERE id = ?").get(
      id,
    );
    return row ? this.#historyStats(row as Row) : null;
  }

  #historyStats(r: Row): { count: number; lastStep: number | null } {
    return this.#s.history.stats(
      String(r.id),
      r.history_upto === undefined // a store from before the runs counted their history, opened read-only
        ? undefined
        : {
          rows: Number(r.history_rows),
          lastStep: r.last_step === null ? null : Number(r.last_step),
          upto: Number(r.history_upto),
        },
    );
  }

  #runRecord(r: Row): RunRecord {
    const h = this.#historyStats(r);
    return {
      id: String(r.id),
      project: String(r.project),
      name: String(r.name),
      group: r.grp === null ? null : String(r.grp),
      jobType: r.job_type === null ? null : String(r.job_type),
      tags: JSON.parse(String(r.tags)),
      notes: r.notes === null ? null : String(r.notes),
      config: JSON.parse(String(r.config)),
      summary: JSON.parse(String(r.summary)),
      status: this.#reportedStatus(r),
      startedAt: String(r.started_at),
      endedAt: r.ended_at === null ? null : String(r.ended_at),
      exitCode: r.exit_code === null ? null : Number(r.exit_code),
      gitCommit: r.git_commit === null ? null : String(r.git_commit),
      gitDirty: r.git_dirty === null ? null : Number(r.git_dirty) === 1,
      denoVersion: String(r.deno_version),
      lockDigest: r.lock_digest === null ? null : String(r.lock_digest),
      host: String(r.host),
      pid: Number(r.pid),
      argv: JSON.parse(String(r.argv)),
      historyCount: h.count,
      lastStep: h.lastStep,
    };
  }

  /** The stored status; a read-only connection reports a dead "running" run as crashed without writing. */
  #reportedStatus(r: Row): RunStatus {
    const status = String(r.status) as RunStatus;
    if (!this.#s.readOnly || status !== "running") return status;
    return this.#s.processGone(r) ? "crashed" : status;
  }
}
