// The local store: one SQLite database (WAL) plus a content-addressed folder of artifact files.
//
// Layout of a store directory:
//   store.db          runs, history, console output, summary, tables, artifact versions, aliases, lineage, hash cache, sync state
//                     (sync_state: per run and target, a cursor per kind of record; sync_values: ids the
//                     target gave to what was sent, e.g. W&B artifact ids)
//   files/ab/abcd...  artifact file contents, named by the hex MD5 of their content (read-only)
//   tmp/              files being copied in; renamed into files/ once complete
//
// Replay: history rows, console lines, tables and lineage links have increasing integer ids; the sync
// ledger (_sync_ledger.ts, the one owner of sync_state and sync_values) keeps a per-run, per-target cursor
// over them, so a replay finds what is not synced yet. The replay reads them through the methods of the
// "replay reads" section below.
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { mkdirSync, readdirSync, statSync, unlinkSync } from "node:fs";
import { join, resolve } from "node:path";
import { TrackingError } from "./_errors.ts";
import { damagedError, hadDatabase, isDamage, markDatabase } from "./_damage.ts";
import { hostName, processAlive, processStartToken } from "./_env.ts";
import { journalPath, type PendingRow, readJournal } from "./_journal_file.ts";
import type {
  ArtifactLineage,
  ArtifactManifest,
  ArtifactSummary,
  ArtifactVersion,
  HistoryRow,
  LineageLink,
  RunRecord,
  RunStatus,
  TableInfo,
  TablePage,
} from "./types.ts";
import type { RunEnvironment } from "./_env.ts";
import type { StoredMetric } from "./_metrics.ts";
import { fieldOf, type SqlCondition } from "./_query.ts";

const SCHEMA_VERSION = "1";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs(
  id TEXT PRIMARY KEY, project TEXT NOT NULL, name TEXT NOT NULL, grp TEXT, job_type TEXT,
  tags TEXT NOT NULL, notes TEXT, config TEXT NOT NULL, summary TEXT NOT NULL DEFAULT '{}',
  status TEXT NOT NULL, started_at TEXT NOT NULL, ended_at TEXT, exit_code INTEGER,
  git_commit TEXT, git_dirty INTEGER, deno_version TEXT NOT NULL, lock_digest TEXT, host TEXT NOT NULL,
  pid INTEGER NOT NULL, start_token TEXT NOT NULL, argv TEXT NOT NULL, env TEXT NOT NULL,
  journal_lines INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS history(
  id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, step INTEGER NOT NULL, ts REAL NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS history_run ON history(run_id, id);
CREATE TABLE IF NOT EXISTS output(
  id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, ts REAL NOT NULL, stream TEXT NOT NULL, line TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS output_run ON output(run_id, id);
CREATE TABLE IF NOT EXISTS tables(
  id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, key TEXT NOT NULL, columns TEXT NOT NULL,
  nrows INTEGER NOT NULL DEFAULT 0, step INTEGER NOT NULL, created_at TEXT NOT NULL,
  complete INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS tables_run ON tables(run_id, key, id);
CREATE TABLE IF NOT EXISTS table_chunks(
  table_id INTEGER NOT NULL, first_idx INTEGER NOT NULL, nrows INTEGER NOT NULL, data TEXT NOT NULL,
  PRIMARY KEY(table_id, first_idx));
CREATE TABLE IF NOT EXISTS artifact_versions(
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, version INTEGER NOT NULL, type TEXT NOT NULL,
  digest TEXT NOT NULL, description TEXT NOT NULL, metadata TEXT NOT NULL, manifest TEXT NOT NULL,
  size INTEGER NOT NULL, file_count INTEGER NOT NULL, created_at TEXT NOT NULL, created_by TEXT,
  UNIQUE(name, version));
CREATE INDEX IF NOT EXISTS artifact_versions_digest ON artifact_versions(name, digest);
CREATE TABLE IF NOT EXISTS artifact_aliases(
  name TEXT NOT NULL, alias TEXT NOT NULL, version INTEGER NOT NULL, updated_at TEXT NOT NULL,
  PRIMARY KEY(name, alias));
CREATE TABLE IF NOT EXISTS artifact_links(
  id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, name TEXT NOT NULL, version INTEGER NOT NULL,
  direction TEXT NOT NULL, deduplicated INTEGER NOT NULL, created_at TEXT NOT NULL,
  UNIQUE(run_id, name, version, direction));
CREATE INDEX IF NOT EXISTS artifact_links_version ON artifact_links(name, version);
CREATE TABLE IF NOT EXISTS hash_cache(
  path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns TEXT NOT NULL, ino TEXT NOT NULL, digest TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sync_state(
  run_id TEXT NOT NULL, target TEXT NOT NULL, kind TEXT NOT NULL, cursor INTEGER NOT NULL,
  updated_at TEXT NOT NULL, PRIMARY KEY(run_id, target, kind));
CREATE TABLE IF NOT EXISTS sync_values(
  target TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, updated_at TEXT NOT NULL,
  PRIMARY KEY(target, key));
`;

type Row = Record<string, unknown>;

/** History rows per multi-row INSERT. */
const HISTORY_PER_STMT = 100;

/** A new run to insert. */
export interface NewRun {
  id: string;
  project: string;
  name: string;
  group: string | null;
  jobType: string | null;
  tags: string[];
  notes: string | null;
  configJson: string;
  startedAt: string;
  env: RunEnvironment;
}

/** What to commit as an artifact version. */
export interface NewVersion {
  runId: string | null;
  name: string;
  type: string;
  description: string;
  metadataJson: string;
  manifest: ArtifactManifest;
  digest: string;
  size: number;
  fileCount: number;
  aliases: string[];
  direction: "output" | "input";
}

/** A captured console line: time (ms), the stream it was printed on, the text (no newline). */
export interface OutputLine {
  ts: number;
  stream: "stdout" | "stderr";
  line: string;
}

/** A stored console line, with its increasing id. */
export interface StoredOutputLine extends OutputLine {
  id: number;
}

/** A query of runs: filters, sort and page (see {@linkcode Store.queryRuns}). */
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

/** A history row as the replay reads it: its id, step, time (ms) and values. */
export interface ReplayHistoryRow {
  id: number;
  step: number;
  ts: number;
  values: Record<string, unknown>;
}

/** A complete table as the replay reads it. */
export interface ReplayTable {
  id: number;
  key: string;
  columns: string[];
  step: number;
  /** ISO time it was logged. */
  createdAt: string;
}

/** A lineage link (an artifact version a run logged or used). */
export interface ReplayLink {
  id: number;
  runId: string;
  name: string;
  version: number;
  direction: "output" | "input";
}

const open = new Map<string, Store>();
const openReadOnly = new Map<string, Store>();

/**
 * Resolves the store directory: explicit dir, else SENTILAB_DIR, else `.sentilab` in WANDB_DIR, else
 * `.sentilab` in the working directory.
 */
export function storeDirFor(dir?: string): string {
  let env: string | undefined;
  let wandbDir: string | undefined;
  try {
    env = Deno.env.get("SENTILAB_DIR");
    wandbDir = Deno.env.get("WANDB_DIR"); // W&B's folder for run files: the store goes inside it
  } catch { /* no env permission */ }
  return resolve(dir ?? (env || (wandbDir ? join(wandbDir, ".sentilab") : ".sentilab")));
}

/** An open local store. Use {@linkcode Store.open}; instances are shared per directory within a process. */
export class Store {
  /** Absolute store directory. */
  readonly dir: string;
  /** The SQLite connection. */
  readonly db: DatabaseSync;
  /** Folder of content-addressed files. */
  readonly filesDir: string;
  /** Folder for files being copied in. */
  readonly tmpDir: string;
  /** Runs marked crashed by the most recent crash check. */
  lastCrashed: string[] = [];
  /** True for a reader's connection that never writes (see {@linkcode Store.openReadOnly}). */
  readonly readOnly: boolean;
  #stmts = new Map<string, StatementSync>();
  #host = hostName();
  #token = processStartToken(Deno.pid);
  #ino = -1;
  /** Set once SQLite reports the database damaged: no write is tried after that. */
  #damaged: TrackingError | null = null;

  private constructor(dir: string, readOnly = false) {
    this.dir = dir;
    this.filesDir = join(dir, "files");
    this.tmpDir = join(dir, "tmp");
    this.readOnly = readOnly;
    if (readOnly) {
      try {
        this.db = readOnlyConnection(dir);
      } catch (e) {
        if (isDamage(e)) throw damagedError(dir, (e as Error).message, e);
        if (hadDatabase(dir) && /no such table/.test(String((e as Error).message))) {
          throw damagedError(dir, "it holds no tables: it was emptied or replaced", e);
        }
        throw e;
      }
      this.#ino = this.#dbInode();
      return;
    }
    mkdirSync(this.filesDir, { recursive: true });
    mkdirSync(this.tmpDir, { recursive: true });
    this.#removeStaleParts();
    const existed = this.#dbInode() !== -1;
    // The marker is written only after the schema is committed: read it before the tables, so that a
    // store another process is creating right now is never taken for an emptied one.
    const marked = hadDatabase(dir);
    this.db = new DatabaseSync(join(dir, "store.db"));
    this.#ino = this.#dbInode();
    try {
      this.db.exec("PRAGMA busy_timeout = 30000");
      const tables = this.db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'runs'")
        .get() as Row;
      if (existed && Number(tables.n) === 0 && marked) {
        throw damagedError(dir, "it holds no tables: it was emptied or replaced");
      }
      this.db.exec("PRAGMA journal_mode = WAL");
      this.db.exec("PRAGMA synchronous = NORMAL");
      this.db.exec("PRAGMA wal_autocheckpoint = 10000");
      this.db.exec("PRAGMA foreign_keys = OFF");
      this.transaction(() => {
        this.db.exec(SCHEMA);
        const cols = (this.db.prepare("PRAGMA table_info(runs)").all() as Row[]).map((c) => String(c.name));
        if (!cols.includes("journal_lines")) {
          this.db.exec("ALTER TABLE runs ADD COLUMN journal_lines INTEGER NOT NULL DEFAULT 0");
        }
        if (!cols.includes("entity")) {
          // The W&B entity initRun was given (option or WANDB_ENTITY), for the replica and a later sync.
          this.db.exec("ALTER TABLE runs ADD COLUMN entity TEXT");
        }
        if (!cols.includes("metrics")) {
          // defineMetric's definitions (JSON array of StoredMetric): for resume and the W&B replica.
          this.db.exec("ALTER TABLE runs ADD COLUMN metrics TEXT NOT NULL DEFAULT '[]'");
        }
        this.db.prepare("INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)").run(
          SCHEMA_VERSION,
        );
      });
      markDatabase(dir);
    } catch (e) {
      this.db.close();
      if (isDamage(e)) throw damagedError(dir, (e as Error).message, e);
      throw e;
    }
  }

  /**
   * Opens (or creates) the store in `dir` and marks runs whose process died as crashed.
   * @throws {TrackingError} when the directory or database cannot be created or written.
   */
  static open(dir?: string): Store {
    const store = Store.connect(dir);
    store.detectCrashes();
    return store;
  }

  /**
   * The shared connection to the store in `dir`, opened (or created) when needed; no crash check.
   * @throws {TrackingError} when the directory or database cannot be created or written.
   */
  static connect(dir?: string): Store {
    const abs = storeDirFor(dir);
    let store = open.get(abs);
    if (store && !store.#stillThere()) {
      store.close();
      store = undefined;
    }
    if (store && store.#damaged) throw store.#damaged;
    if (!store) {
      try {
        store = new Store(abs);
      } catch (e) {
        if (e instanceof TrackingError) throw e;
        throw new TrackingError(
          `Cannot open the tracking store in '${abs}': ${(e as Error).message}. ` +
            `Set SENTILAB_DIR or the 'dir' option to a writable folder`,
          { cause: e },
        );
      }
      open.set(abs, store);
    }
    return store;
  }

  /** Removes copies left in tmp/ by processes that died mid-copy (untouched for an hour). */
  #removeStaleParts(): void {
    try {
      const cutoff = Date.now() - 3600_000;
      for (const name of readdirSync(this.tmpDir)) {
        const p = join(this.tmpDir, name);
        if (name.endsWith(".part") && statSync(p).mtimeMs < cutoff) unlinkSync(p);
      }
    } catch { /* best effort */ }
  }

  #dbInode(): number {
    try {
      return Number(statSync(join(this.dir, "store.db")).ino);
    } catch {
      return -1;
    }
  }

  /** False when the database file was deleted or replaced since it was opened (reopen then). */
  #stillThere(): boolean {
    return this.#ino !== -1 && this.#dbInode() === this.#ino;
  }

  /** Closes the connection and forgets this store (the next open reopens it). */
  close(): void {
    const cache = this.readOnly ? openReadOnly : open;
    if (cache.get(this.dir) === this) cache.delete(this.dir);
    this.#stmts.clear();
    try {
      this.db.close();
    } catch { /* already closed */ }
  }

  /**
   * A cached prepared statement.
   * @throws {TrackingError} for a write statement once the database was found damaged.
   */
  stmt(sql: string): StatementSync {
    if (this.#damaged && /^\s*(INSERT|UPDATE|DELETE|REPLACE)/i.test(sql)) throw this.#damaged;
    let s = this.#stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.#stmts.set(sql, s);
    }
    return s;
  }

  /** Runs `fn` inside a write transaction (BEGIN IMMEDIATE), rolled back on error. */
  transaction<T>(fn: () => T): T {
    if (this.#damaged) throw this.#damaged;
    try {
      this.db.exec("BEGIN IMMEDIATE");
      try {
        const result = fn();
        this.db.exec("COMMIT");
        return result;
      } catch (e) {
        try {
          this.db.exec("ROLLBACK");
        } catch { /* already rolled back */ }
        throw e;
      }
    } catch (e) {
      if (!isDamage(e)) throw e;
      this.#damaged = damagedError(this.dir, (e as Error).message, e);
      throw this.#damaged;
    }
  }

  /** Marks runs left "running" on this host whose process is gone as crashed. Returns their ids. */
  detectCrashes(): string[] {
    if (this.readOnly) return []; // a reader's connection never writes; #runRecord reports them instead
    const rows = this.stmt("SELECT id, pid, start_token FROM runs WHERE status = 'running' AND host = ?")
      .all(this.#host) as Row[];
    const crashed: string[] = [];
    for (const r of rows) {
      const pid = Number(r.pid);
      if (pid === Deno.pid && String(r.start_token) === (this.#token ?? "")) continue;
      if (!processAlive(pid, String(r.start_token))) {
        const id = String(r.id);
        const path = journalPath(this.dir, id);
        const done = this.transaction(() => {
          const row = this.stmt("SELECT status, journal_lines FROM runs WHERE id = ?").get(id) as Row;
          if (String(row.status) !== "running") return false; // another process got there first
          const rows = readJournal(path, Number(row.journal_lines));
          this.#insertHistory(id, rows);
          this.stmt("UPDATE runs SET status = 'crashed', journal_lines = MAX(journal_lines, ?) WHERE id = ?")
            .run(
              rows.length ? rows[rows.length - 1][3] : 0,
              id,
            );
          return true;
        });
        try {
          unlinkSync(path);
        } catch { /* no journal */ }
        if (done) crashed.push(id);
      }
    }
    this.#reclaimTables();
    this.lastCrashed = crashed;
    return crashed;
  }

  /**
   * Deletes tables (and their chunks) that a run that is no longer running left incomplete: a process
   * killed mid-logTable. Readers never saw them; like stale `.part` files they only take space.
   */
  #reclaimTables(): void {
    const orphans = this.stmt(
      `SELECT t.id FROM tables t JOIN runs r ON r.id = t.run_id WHERE t.complete = 0 AND r.status != 'running'`,
    ).all() as Row[];
    if (orphans.length === 0) return;
    try {
      this.transaction(() => {
        for (const o of orphans) {
          this.stmt("DELETE FROM table_chunks WHERE table_id = ?").run(Number(o.id));
          this.stmt("DELETE FROM tables WHERE id = ? AND complete = 0").run(Number(o.id));
        }
      });
    } catch { /* reclaimed on a later open */ }
  }

  // ---- runs ----

  /** Inserts a new run with status "running". */
  insertRun(run: NewRun): void {
    const e = run.env;
    this.stmt(
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
  }

  #insertHistory(runId: string, rows: PendingRow[]): void {
    // Many rows per statement: the per-statement cost dominates for small rows.
    const many = this.stmt(
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
    const one = this.stmt("INSERT INTO history(run_id, step, ts, data) VALUES (?, ?, ?, ?)");
    for (; i < rows.length; i++) one.run(runId, rows[i][0], rows[i][1], rows[i][2]);
  }

  /** Moves journal rows into the history; `lastSeq` is the seq of the last journal record ingested. */
  ingestHistory(runId: string, rows: PendingRow[], lastSeq: number): void {
    this.transaction(() => {
      this.#insertHistory(runId, rows);
      this.stmt("UPDATE runs SET journal_lines = ? WHERE id = ?").run(lastSeq, runId);
    });
  }

  /** The seq of the last journal record of a run that SQLite holds (0 for none). */
  journalSeq(runId: string): number {
    const row = this.stmt("SELECT journal_lines FROM runs WHERE id = ?").get(runId) as Row | undefined;
    return row ? Number(row.journal_lines) : 0;
  }

  /** Appends captured console lines (time in ms, "stdout" or "stderr", the line) to a run's output. */
  insertOutput(runId: string, rows: OutputLine[]): void {
    if (rows.length === 0) return;
    const one = this.stmt("INSERT INTO output(run_id, ts, stream, line) VALUES (?, ?, ?, ?)");
    this.transaction(() => {
      for (const r of rows) one.run(runId, r.ts, r.stream, r.line);
    });
  }

  /** Captured console lines of a run in printing order; `last` keeps only the last N. */
  output(runId: string, last?: number): StoredOutputLine[] {
    const rows = (this.stmt("SELECT * FROM output WHERE run_id = ? ORDER BY id DESC LIMIT ?").all(
      runId,
      last ?? -1,
    ) as Row[]).reverse();
    return rows.map((r) => ({
      id: Number(r.id),
      ts: Number(r.ts),
      stream: String(r.stream) === "stderr" ? "stderr" : "stdout",
      line: String(r.line),
    }));
  }

  /** Highest step logged by a run, or -1. */
  lastStep(runId: string): number {
    const row = this.stmt("SELECT MAX(step) AS s FROM history WHERE run_id = ?").get(runId) as Row;
    return row.s === null ? -1 : Number(row.s);
  }

  /** Records the W&B entity a run was started for (initRun's `entity`, else WANDB_ENTITY). */
  setRunEntity(runId: string, entity: string): void {
    this.stmt("UPDATE runs SET entity = ? WHERE id = ?").run(entity, runId);
  }

  /** The W&B entity a run was started for, or null (then the W&B viewer's default entity). */
  runEntity(runId: string): string | null {
    try {
      const row = this.stmt("SELECT entity FROM runs WHERE id = ?").get(runId) as Row | undefined;
      return row?.entity == null ? null : String(row.entity);
    } catch {
      return null; // a store from before entities were kept, opened read-only
    }
  }

  /** Replaces the run's metric definitions (defineMetric). */
  setMetricDefinitions(runId: string, definitions: StoredMetric[]): void {
    this.stmt("UPDATE runs SET metrics = ? WHERE id = ?").run(JSON.stringify(definitions), runId);
  }

  /** The run's metric definitions. */
  metricDefinitions(runId: string): StoredMetric[] {
    try {
      const row = this.stmt("SELECT metrics FROM runs WHERE id = ?").get(runId) as Row | undefined;
      return row ? JSON.parse(String(row.metrics)) : [];
    } catch {
      return []; // a store from before definitions were kept, opened read-only (no column added)
    }
  }

  /** Merges `values` into the run's summary. */
  mergeSummary(runId: string, values: Record<string, unknown>): void {
    this.transaction(() => {
      const row = this.stmt("SELECT summary FROM runs WHERE id = ?").get(runId) as Row | undefined;
      if (!row) throw new TrackingError(`Run '${runId}' is not in the store '${this.dir}'`);
      const summary = { ...JSON.parse(String(row.summary)), ...values };
      this.stmt("UPDATE runs SET summary = ? WHERE id = ?").run(JSON.stringify(summary), runId);
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
    this.transaction(() => {
      const row = this.stmt("SELECT summary FROM runs WHERE id = ?").get(runId) as Row | undefined;
      if (!row) throw new TrackingError(`Run '${runId}' is not in the store '${this.dir}'`);
      // What setSummary set in this process wins over the metrics' summary, which wins over what is
      // stored from before (a resumed run's earlier values).
      const stored = JSON.parse(String(row.summary));
      const summary = { ...end.lastValues, ...stored };
      const explicit = new Set(end.explicit);
      for (const k in end.lastValues) if (!explicit.has(k)) summary[k] = end.lastValues[k];
      if (end.error) summary._error = end.error;
      this.stmt("UPDATE runs SET status = ?, ended_at = ?, exit_code = ?, summary = ? WHERE id = ?").run(
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
    this.transaction(() => {
      const row = this.stmt("SELECT summary FROM runs WHERE id = ?").get(runId) as Row | undefined;
      if (!row) throw new TrackingError(`Run '${runId}' is not in the store '${this.dir}'`);
      const { _error: _, ...summary } = JSON.parse(String(row.summary));
      this.stmt(
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
    this.detectCrashes();
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
      : Number((this.db.prepare(`SELECT COUNT(*) AS n FROM runs ${filter}`).get(...args) as Row).n);
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
    const sql = `SELECT * FROM runs ${filter} ORDER BY (${key}) IS NULL, ${key} ${dir}, rowid ${dir}
      LIMIT ? OFFSET ?`;
    const rows = this.db.prepare(sql).all(
      ...args,
      ...sortArgs,
      ...sortArgs,
      q.limit ?? -1,
      q.offset ?? 0,
    ) as Row[];
    return { total, runs: rows.map((r) => this.#runRecord(r)) };
  }

  /** The distinct projects and groups of the runs, sorted. */
  runFacets(): { projects: string[]; groups: string[] } {
    const list = (sql: string) => (this.stmt(sql).all() as Row[]).map((r) => String(r.v));
    return {
      projects: list("SELECT DISTINCT project AS v FROM runs ORDER BY v"),
      groups: list("SELECT DISTINCT grp AS v FROM runs WHERE grp IS NOT NULL ORDER BY v"),
    };
  }

  /** One run, or null. */
  getRun(id: string): RunRecord | null {
    this.detectCrashes();
    const row = this.stmt("SELECT * FROM runs WHERE id = ?").get(id) as Row | undefined;
    return row ? this.#runRecord(row) : null;
  }

  #runRecord(r: Row): RunRecord {
    const h = this.stmt("SELECT COUNT(*) AS n, MAX(step) AS s FROM history WHERE run_id = ?").get(
      String(r.id),
    ) as Row;
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
      historyCount: Number(h.n),
      lastStep: h.s === null ? null : Number(h.s),
    };
  }

  /** The stored status; a read-only connection reports a dead "running" run as crashed without writing. */
  #reportedStatus(r: Row): RunStatus {
    const status = String(r.status) as RunStatus;
    if (!this.readOnly || status !== "running" || String(r.host) !== this.#host) return status;
    const pid = Number(r.pid);
    if (pid === Deno.pid && String(r.start_token) === (this.#token ?? "")) return status;
    return processAlive(pid, String(r.start_token)) ? status : "crashed";
  }

  /** History rows of a run in logging order; `last` keeps only the last N rows. */
  history(runId: string, page: { offset?: number; limit?: number; last?: number } = {}): HistoryRow[] {
    let rows: Row[];
    if (page.last !== undefined) {
      rows = (this.stmt("SELECT * FROM history WHERE run_id = ? ORDER BY id DESC LIMIT ?").all(
        runId,
        page.last,
      ) as Row[]).reverse();
    } else {
      rows = this.stmt("SELECT * FROM history WHERE run_id = ? ORDER BY id LIMIT ? OFFSET ?").all(
        runId,
        page.limit ?? -1,
        page.offset ?? 0,
      ) as Row[];
    }
    return rows.map((r) => ({
      id: Number(r.id),
      step: Number(r.step),
      time: new Date(Number(r.ts)).toISOString(),
      values: JSON.parse(String(r.data)),
    }));
  }

  // ---- tables ----

  /** Starts a table (hidden from readers until {@linkcode Store.completeTable}). */
  beginTable(runId: string, key: string, columns: string[], step: number): number {
    const r = this.stmt(
      "INSERT INTO tables(run_id, key, columns, step, created_at) VALUES (?, ?, ?, ?, ?)",
    ).run(runId, key, JSON.stringify(columns), step, new Date().toISOString());
    return Number(r.lastInsertRowid);
  }

  /** Inserts chunks of serialised rows (`data` is a JSON array of `nrows` rows), in one transaction. */
  insertChunks(tableId: number, chunks: { first: number; nrows: number; data: string }[]): void {
    const insert = this.stmt(
      "INSERT INTO table_chunks(table_id, first_idx, nrows, data) VALUES (?, ?, ?, ?)",
    );
    this.transaction(() => {
      for (const c of chunks) insert.run(tableId, c.first, c.nrows, c.data);
    });
  }

  /** Makes a table visible with its final row count. */
  completeTable(tableId: number, nrows: number): void {
    this.stmt("UPDATE tables SET nrows = ?, complete = 1 WHERE id = ?").run(nrows, tableId);
  }

  /** Removes a table that could not be completed. */
  dropTable(tableId: number): void {
    this.transaction(() => {
      this.stmt("DELETE FROM table_chunks WHERE table_id = ?").run(tableId);
      this.stmt("DELETE FROM tables WHERE id = ?").run(tableId);
    });
  }

  /** Tables of a run (latest per key last). */
  tables(runId: string): TableInfo[] {
    return (this.stmt("SELECT * FROM tables WHERE run_id = ? AND complete = 1 ORDER BY id").all(
      runId,
    ) as Row[])
      .map((r) => this.#tableInfo(r));
  }

  #tableInfo(r: Row): TableInfo {
    return {
      key: String(r.key),
      columns: JSON.parse(String(r.columns)),
      rowCount: Number(r.nrows),
      step: Number(r.step),
      createdAt: String(r.created_at),
    };
  }

  /** A page of the latest complete table logged under `key` by a run, or null. */
  tableRows(runId: string, key: string, offset: number, limit: number): TablePage | null {
    const t = this.stmt(
      "SELECT * FROM tables WHERE run_id = ? AND key = ? AND complete = 1 ORDER BY id DESC LIMIT 1",
    ).get(runId, key) as Row | undefined;
    if (!t) return null;
    const chunks = this.stmt(
      `SELECT first_idx, data FROM table_chunks WHERE table_id = ? AND first_idx + nrows > ? AND first_idx < ?
       ORDER BY first_idx`,
    ).all(Number(t.id), offset, offset + limit) as Row[];
    const rows: unknown[][] = [];
    for (const c of chunks) {
      const first = Number(c.first_idx);
      const data = JSON.parse(String(c.data)) as unknown[][];
      const from = Math.max(0, offset - first);
      const to = Math.min(data.length, offset + limit - first);
      for (let i = from; i < to; i++) rows.push(data[i]);
    }
    return { ...this.#tableInfo(t), offset, rows };
  }

  // ---- hash cache ----

  /** The cached digest of `path` when its size, mtime and inode are unchanged. */
  cachedDigest(path: string, size: number, mtimeNs: string, ino: string): string | null {
    const r = this.stmt("SELECT * FROM hash_cache WHERE path = ?").get(path) as Row | undefined;
    if (!r || Number(r.size) !== size || String(r.mtime_ns) !== mtimeNs || String(r.ino) !== ino) return null;
    return String(r.digest);
  }

  /** Remembers the digest of `path` at this size, mtime and inode. */
  cacheDigest(path: string, size: number, mtimeNs: string, ino: string, digest: string): void {
    this.stmt("INSERT OR REPLACE INTO hash_cache(path, size, mtime_ns, ino, digest) VALUES (?, ?, ?, ?, ?)")
      .run(path, size, mtimeNs, ino, digest);
  }

  // ---- artifacts ----

  /**
   * Commits a version (or finds the identical one) in one write transaction: allocates vN, moves aliases,
   * records the lineage link.
   * @throws {TrackingError} when the name already holds another type.
   */
  commitVersion(v: NewVersion): { version: number; deduplicated: boolean } {
    return this.transaction(() => {
      const existingType = this.stmt("SELECT type FROM artifact_versions WHERE name = ? LIMIT 1").get(
        v.name,
      ) as Row | undefined;
      if (existingType && String(existingType.type) !== v.type) {
        throw new TrackingError(
          `Cannot log artifact '${v.name}' as type '${v.type}': '${v.name}' already holds type ` +
            `'${existingType.type}'; use another name or the type '${existingType.type}'`,
        );
      }
      const now = new Date().toISOString();
      const same = this.stmt(
        "SELECT version FROM artifact_versions WHERE name = ? AND digest = ? ORDER BY version LIMIT 1",
      ).get(v.name, v.digest) as Row | undefined;
      let version: number;
      const deduplicated = same !== undefined;
      if (same) {
        version = Number(same.version);
      } else {
        const next = this.stmt(
          "SELECT COALESCE(MAX(version) + 1, 0) AS n FROM artifact_versions WHERE name = ?",
        )
          .get(v.name) as Row;
        version = Number(next.n);
        this.stmt(
          `INSERT INTO artifact_versions(name, version, type, digest, description, metadata, manifest, size,
            file_count, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          v.name,
          version,
          v.type,
          v.digest,
          v.description,
          v.metadataJson,
          JSON.stringify(v.manifest),
          v.size,
          v.fileCount,
          now,
          v.runId,
        );
      }
      const aliases = new Set(v.aliases);
      if (!deduplicated || v.direction === "output") aliases.add("latest");
      const setAlias = this.stmt(
        "INSERT OR REPLACE INTO artifact_aliases(name, alias, version, updated_at) VALUES (?, ?, ?, ?)",
      );
      for (const alias of aliases) setAlias.run(v.name, alias, version, now);
      if (v.runId !== null) {
        this.stmt(
          `INSERT OR IGNORE INTO artifact_links(run_id, name, version, direction, deduplicated, created_at)
           VALUES (?, ?, ?, ?, ?, ?)`,
        ).run(v.runId, v.name, version, v.direction, deduplicated ? 1 : 0, now);
      }
      return { version, deduplicated };
    });
  }

  /** Records that a run used an existing version. */
  linkInput(runId: string, name: string, version: number, aliases: string[]): void {
    this.transaction(() => {
      const now = new Date().toISOString();
      for (const alias of aliases) {
        this.stmt(
          "INSERT OR REPLACE INTO artifact_aliases(name, alias, version, updated_at) VALUES (?, ?, ?, ?)",
        )
          .run(name, alias, version, now);
      }
      this.stmt(
        `INSERT OR IGNORE INTO artifact_links(run_id, name, version, direction, deduplicated, created_at)
         VALUES (?, ?, ?, 'input', 0, ?)`,
      ).run(runId, name, version, now);
    });
  }

  /** Points the alias `alias` of `name` at `version` (moving it off any other version). */
  setAlias(name: string, alias: string, version: number): void {
    this.stmt(
      "INSERT OR REPLACE INTO artifact_aliases(name, alias, version, updated_at) VALUES (?, ?, ?, ?)",
    ).run(name, alias, version, new Date().toISOString());
  }

  /** Removes the custom alias `alias` of `name`; returns the version it pointed at, or null when unset. */
  removeAlias(name: string, alias: string): number | null {
    let version: number | null = null;
    this.transaction(() => {
      const row = this.stmt("SELECT version FROM artifact_aliases WHERE name = ? AND alias = ?").get(
        name,
        alias,
      ) as Row | undefined;
      if (!row) return;
      version = Number(row.version);
      this.stmt("DELETE FROM artifact_aliases WHERE name = ? AND alias = ?").run(name, alias);
    });
    return version;
  }

  /** Resolves `version` (a number) or an alias of `name` to a stored version, or null. */
  getVersion(name: string, versionOrAlias: number | string): ArtifactVersion | null {
    let version: number;
    if (typeof versionOrAlias === "number") {
      version = versionOrAlias;
    } else {
      const a = this.stmt("SELECT version FROM artifact_aliases WHERE name = ? AND alias = ?").get(
        name,
        versionOrAlias,
      ) as Row | undefined;
      if (!a) return null;
      version = Number(a.version);
    }
    const r = this.stmt("SELECT * FROM artifact_versions WHERE name = ? AND version = ?").get(
      name,
      version,
    ) as
      | Row
      | undefined;
    return r ? this.#version(r) : null;
  }

  /** All versions of a name, oldest first. */
  versions(name: string): ArtifactVersion[] {
    return (this.stmt("SELECT * FROM artifact_versions WHERE name = ? ORDER BY version").all(name) as Row[])
      .map((r) => this.#version(r));
  }

  #version(r: Row): ArtifactVersion {
    const name = String(r.name);
    const version = Number(r.version);
    const aliases = (this.stmt(
      "SELECT alias FROM artifact_aliases WHERE name = ? AND version = ? ORDER BY alias = 'latest' DESC, alias",
    ).all(name, version) as Row[]).map((a) => String(a.alias));
    return {
      name,
      type: String(r.type),
      version,
      ref: `${name}:v${version}`,
      digest: String(r.digest),
      aliases,
      description: String(r.description),
      metadata: JSON.parse(String(r.metadata)),
      manifest: JSON.parse(String(r.manifest)),
      size: Number(r.size),
      fileCount: Number(r.file_count),
      createdAt: String(r.created_at),
      createdBy: r.created_by === null ? null : String(r.created_by),
    };
  }

  /** All artifact collections, by name. */
  listArtifacts(filter: { type?: string } = {}): ArtifactSummary[] {
    const rows = this.db.prepare(
      `SELECT name, MIN(type) AS type, COUNT(*) AS n, SUM(size) AS size FROM artifact_versions
       ${filter.type ? "WHERE type = ?" : ""} GROUP BY name ORDER BY name`,
    ).all(...(filter.type ? [filter.type] : [])) as Row[];
    return rows.map((r) => {
      const aliases: Record<string, number> = {};
      for (
        const a of this.stmt("SELECT alias, version FROM artifact_aliases WHERE name = ? ORDER BY alias").all(
          String(r.name),
        ) as Row[]
      ) aliases[String(a.alias)] = Number(a.version);
      return {
        name: String(r.name),
        type: String(r.type),
        versionCount: Number(r.n),
        latest: aliases.latest ?? null,
        aliases,
        size: Number(r.size),
      };
    });
  }

  /** Runs that produced and used a version. */
  lineage(name: string, version: number): ArtifactLineage {
    const rows = this.stmt(
      `SELECT l.*, r.name AS run_name, r.project AS project FROM artifact_links l
       LEFT JOIN runs r ON r.id = l.run_id WHERE l.name = ? AND l.version = ? ORDER BY l.id`,
    ).all(name, version) as Row[];
    const links = rows.map((r): LineageLink => ({
      runId: String(r.run_id),
      runName: r.run_name === null ? null : String(r.run_name),
      project: r.project === null ? null : String(r.project),
      direction: String(r.direction) as "output" | "input",
      deduplicated: Number(r.deduplicated) === 1,
      time: String(r.created_at),
    }));
    return {
      ref: `${name}:v${version}`,
      producedBy: links.filter((l) => l.direction === "output"),
      usedBy: links.filter((l) => l.direction === "input"),
    };
  }

  /** Versions a run produced (output) and used (input). */
  runArtifacts(runId: string): { produced: ArtifactVersion[]; used: ArtifactVersion[] } {
    const rows = this.stmt("SELECT name, version, direction FROM artifact_links WHERE run_id = ? ORDER BY id")
      .all(runId) as Row[];
    const produced: ArtifactVersion[] = [];
    const used: ArtifactVersion[] = [];
    for (const r of rows) {
      const v = this.getVersion(String(r.name), Number(r.version));
      if (v) (String(r.direction) === "output" ? produced : used).push(v);
    }
    return { produced, used };
  }

  // ---- replay reads (what the W&B replica sends; the sync ledger keeps how far it got) ----

  /** A run's record without the crash check of {@linkcode Store.getRun} (the replay reads it often). */
  runForReplay(id: string): RunRecord | null {
    const row = this.stmt("SELECT * FROM runs WHERE id = ?").get(id) as Row | undefined;
    return row ? this.#runRecord(row) : null;
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
    return (this.stmt(
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
      (this.stmt("SELECT COUNT(*) AS n FROM history WHERE run_id = ? AND id > ? AND ts <= ?").get(
        runId,
        afterId,
        untilMs,
      ) as Row).n,
    );
  }

  /** The last history row after `afterId` logged at `step` no later than `untilMs`, or null. */
  lastHistoryAtStep(runId: string, afterId: number, untilMs: number, step: number): ReplayHistoryRow | null {
    const h = this.stmt(
      `SELECT id, step, ts, data FROM history WHERE run_id = ? AND id > ? AND ts <= ? AND step = ?
       ORDER BY id DESC LIMIT 1`,
    ).get(runId, afterId, untilMs, step) as Row | undefined;
    return h
      ? { id: Number(h.id), step: Number(h.step), ts: Number(h.ts), values: JSON.parse(String(h.data)) }
      : null;
  }

  /** Console lines of a run after line `afterId`, at most `limit`. */
  outputAfter(runId: string, afterId: number, limit = -1): StoredOutputLine[] {
    return (this.stmt(
      "SELECT id, ts, stream, line FROM output WHERE run_id = ? AND id > ? ORDER BY id LIMIT ?",
    ).all(runId, afterId, limit) as Row[]).map((o) => ({
      id: Number(o.id),
      ts: Number(o.ts),
      stream: String(o.stream) === "stderr" ? "stderr" : "stdout",
      line: String(o.line),
    }));
  }

  /** How many console lines of a run come after line `afterId`. */
  countOutputAfter(runId: string, afterId: number): number {
    return Number(
      (this.stmt("SELECT COUNT(*) AS n FROM output WHERE run_id = ? AND id > ?").get(runId, afterId) as Row)
        .n,
    );
  }

  /** Complete tables of a run with their ids, in logging order. */
  replayTables(runId: string): ReplayTable[] {
    return (this.stmt("SELECT * FROM tables WHERE run_id = ? AND complete = 1 ORDER BY id").all(
      runId,
    ) as Row[]).map((t) => ({
      id: Number(t.id),
      key: String(t.key),
      columns: JSON.parse(String(t.columns)),
      step: Number(t.step),
      createdAt: String(t.created_at),
    }));
  }

  /** Every row of a table, by table id. */
  tableRowsById(tableId: number): unknown[][] {
    const rows: unknown[][] = [];
    for (
      const c of this.stmt("SELECT data FROM table_chunks WHERE table_id = ? ORDER BY first_idx").all(
        tableId,
      ) as Row[]
    ) {
      for (const row of JSON.parse(String(c.data)) as unknown[][]) rows.push(row);
    }
    return rows;
  }

  /** The lineage links of a run, in order. */
  links(runId: string): ReplayLink[] {
    return (this.stmt("SELECT * FROM artifact_links WHERE run_id = ? ORDER BY id").all(runId) as Row[]).map((
      l,
    ) => ({
      id: Number(l.id),
      runId: String(l.run_id),
      name: String(l.name),
      version: Number(l.version),
      direction: String(l.direction) as "output" | "input",
    }));
  }

  /**
   * Who brought `name:vN` into `project`: `producer`, the first run that logged it (its output link), and
   * `creator`, the run that stored it by a use (its creator, through its input link); each null when unknown.
   */
  originOf(name: string, version: number, project: string): {
    producer: { link: ReplayLink; run: RunRecord } | null;
    creator: { link: ReplayLink; run: RunRecord } | null;
  } {
    const withRun = (l: Row | undefined) => {
      const run = l ? this.runForReplay(String(l.run_id)) : null;
      if (!l || !run) return null;
      const link: ReplayLink = {
        id: Number(l.id),
        runId: String(l.run_id),
        name: String(l.name),
        version: Number(l.version),
        direction: String(l.direction) as "output" | "input",
      };
      return { link, run };
    };
    return {
      producer: withRun(
        this.stmt(
          `SELECT l.* FROM artifact_links l JOIN runs r ON r.id = l.run_id
           WHERE l.name = ? AND l.version = ? AND l.direction = 'output' AND r.project = ? ORDER BY l.id LIMIT 1`,
        ).get(name, version, project) as Row | undefined,
      ),
      creator: withRun(
        this.stmt(
          `SELECT l.* FROM artifact_versions v JOIN runs r ON r.id = v.created_by
           JOIN artifact_links l ON l.run_id = r.id AND l.name = v.name AND l.version = v.version
           WHERE v.name = ? AND v.version = ? AND r.project = ? AND l.direction = 'input'`,
        ).get(name, version, project) as Row | undefined,
      ),
    };
  }

  /** Absolute path of the stored content with this hex MD5. */
  blobPath(hex: string): string {
    return join(this.filesDir, hex.slice(0, 2), hex);
  }

  /**
   * Opens an existing store for reading (it must contain store.db).
   * @throws {TrackingError} when there is no store in `dir`.
   */
  static openExisting(dir?: string): Store {
    const abs = existingStoreDir(dir);
    try {
      return Store.open(abs);
    } catch (e) {
      // A damaged database stays an error; a store on read-only media (or in a folder this user cannot
      // write) can still be read.
      if (isDamage(e) || isDamage((e as Error)?.cause)) throw e;
      try {
        return Store.openReadOnly(abs);
      } catch {
        throw e;
      }
    }
  }

  /**
   * Opens an existing store for reading only: no folders created, no schema transaction, no crash check
   * and no other write; it works on read-only media. Shared per directory within a process, apart from
   * the read-write connection.
   * @throws {TrackingError} when there is no store in `dir` or its database cannot be read.
   */
  static openReadOnly(dir?: string): Store {
    const abs = existingStoreDir(dir);
    let store = openReadOnly.get(abs);
    if (store && !store.#stillThere()) {
      store.close();
      store = undefined;
    }
    if (!store) {
      try {
        store = new Store(abs, true);
      } catch (e) {
        if (e instanceof TrackingError) throw e; // damaged: said by the constructor
        throw new TrackingError(
          `Cannot read the tracking store in '${abs}': ${(e as Error).message}. ` +
            `Check that '${join(abs, "store.db")}' is a sentilab store this user can read`,
          { cause: e },
        );
      }
      openReadOnly.set(abs, store);
    }
    return store;
  }
}

/** The absolute directory of an existing store (one holding store.db). */
function existingStoreDir(dir?: string): string {
  const abs = storeDirFor(dir);
  try {
    Deno.statSync(join(abs, "store.db"));
  } catch {
    throw new TrackingError(
      `No tracking store in '${abs}': run something with initRun first, or point SENTILAB_DIR / --dir at a store`,
    );
  }
  return abs;
}

/**
 * A read-only SQLite connection. In a folder this process can write, SQLite may add its coordination files
 * (store.db-wal, store.db-shm) so that the reader sees a live writer's new rows; in a folder it cannot
 * write (read-only media) the database is opened immutable: no locks, no files.
 */
function readOnlyConnection(dir: string): DatabaseSync {
  const path = join(dir, "store.db");
  try {
    return checkedConnection(path);
  } catch (e) {
    const uri = `file:${encodeURI(path).replaceAll("?", "%3f").replaceAll("#", "%23")}?immutable=1`;
    try {
      return checkedConnection(uri);
    } catch {
      throw e;
    }
  }
}

/** Opens `name` read-only and reads the schema version, so that a database that cannot be read fails here. */
function checkedConnection(name: string): DatabaseSync {
  const db = new DatabaseSync(name, { readOnly: true });
  try {
    db.exec("PRAGMA busy_timeout = 30000");
    db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get();
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}
