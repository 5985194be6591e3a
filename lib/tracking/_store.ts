// The local store: one SQLite database (WAL) plus a content-addressed folder of artifact files. This file
// is its core: where a store is, the three ways to open it, the connection, transactions and the crash
// check; the tables and their columns are in _store_schema.ts. What the tables hold is read and written by
// one module per concern, each on this connection and reached through a property:
//   store.runs       _store_runs.ts       runs: records, summary, W&B entity, metric definitions, queries
//   store.history    _store_history.ts    history rows (moved in from the run journals)
//   store.output     _store_output.ts     captured console lines
//   store.tables     _store_tables.ts     logTable's tables and their chunks
//   store.artifacts  _store_artifacts.ts  artifact versions, aliases and lineage links
//   store.hashes     _store_hash_cache.ts digests of files by size, mtime and inode
//   sync ledger      _sync_ledger.ts      sync_state and sync_values (per target, opened on a store)
//
// Layout of a store directory:
//   store.db          runs, history, console output, summary, tables, artifact versions, aliases, lineage, hash cache, sync state
//                     (sync_state: per run and target, a cursor per kind of record; sync_values: ids the
//                     target gave to what was sent, e.g. W&B artifact ids)
//   files/ab/abcd...  artifact file contents, named by the hex MD5 of their content (read-only)
//   tmp/              files being copied in; renamed into files/ once complete
//
// Replay: history rows, console lines, tables and lineage links have increasing integer ids; the sync
// ledger keeps a per-run, per-target cursor over them, so a replay finds what is not synced yet. Each
// module above has the replay's reads of its table (historyAfter, outputAfter, replayTables, links, ...).
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import { mkdirSync, readdirSync, statSync, unlinkSync } from "node:fs";
import { join, resolve } from "node:path";
import { TrackingError } from "./_errors.ts";
import { damagedError, hadDatabase, isDamage, markDatabase } from "./_damage.ts";
import { hostName, processAlive, processStartToken } from "./_env.ts";
import { journalPath, readJournal } from "./_journal_file.ts";
import { createSchema } from "./_store_schema.ts";
import { StoreArtifacts } from "./_store_artifacts.ts";
import { StoreHashCache } from "./_store_hash_cache.ts";
import { StoreHistory } from "./_store_history.ts";
import { StoreOutput } from "./_store_output.ts";
import { StoreRuns } from "./_store_runs.ts";
import { StoreTables } from "./_store_tables.ts";

type Row = Record<string, unknown>;

/** A prepared read statement whose rows are arrays of their columns (see {@linkcode Store.arrayStmt}). */
export interface ArrayStatement {
  /** Every row of the result. */
  all(...args: SQLInputValue[]): unknown[][];
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
  /** Runs: records, summary, entity, metric definitions, queries. */
  readonly runs: StoreRuns = new StoreRuns(this);
  /** History rows of the runs. */
  readonly history: StoreHistory = new StoreHistory(this);
  /** Captured console lines of the runs. */
  readonly output: StoreOutput = new StoreOutput(this);
  /** Tables of the runs. */
  readonly tables: StoreTables = new StoreTables(this);
  /** Artifact versions, aliases and lineage. */
  readonly artifacts: StoreArtifacts = new StoreArtifacts(this);
  /** The hash cache. */
  readonly hashes: StoreHashCache = new StoreHashCache(this);
  #stmts = new Map<string, StatementSync>();
  #arrayStmts = new Map<string, ArrayStatement>();
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
        createSchema(this.db);
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
    this.#arrayStmts.clear();
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

  /**
   * A cached prepared read statement that returns each row as an array of its columns, in SELECT order (no
   * object per row: for reads of 100,000s of rows).
   */
  arrayStmt(sql: string): ArrayStatement {
    let s = this.#arrayStmts.get(sql);
    if (!s) {
      // node:sqlite's StatementSync#setReturnArrays (Node 22.16 / 24; Deno's node types lack it).
      const prepared = this.db.prepare(sql) as StatementSync & { setReturnArrays(on: boolean): void };
      prepared.setReturnArrays(true);
      s = prepared as unknown as ArrayStatement;
      this.#arrayStmts.set(sql, s);
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
    if (this.readOnly) return []; // a reader's connection never writes; StoreRuns reports them instead
    const crashed: string[] = [];
    for (const r of this.runs.runningOn(this.#host)) {
      if (this.processGone(r)) {
        const id = String(r.id);
        const path = journalPath(this.dir, id);
        const done = this.transaction(() => {
          if (!this.runs.isRunning(id)) return false; // another process got there first
          const rows = readJournal(path, this.runs.journalSeq(id));
          this.history.insertRows(id, rows);
          this.runs.markCrashed(id, rows.length ? rows[rows.length - 1][3] : 0);
          return true;
        });
        try {
          unlinkSync(path);
        } catch { /* no journal */ }
        if (done) crashed.push(id);
      }
    }
    this.tables.reclaimIncomplete();
    this.lastCrashed = crashed;
    return crashed;
  }

  /**
   * True when a run row (`host`, `pid`, `start_token`) was started on this host by a process that is gone
   * (never this process).
   */
  processGone(r: Row): boolean {
    if (String(r.host) !== this.#host) return false;
    const pid = Number(r.pid);
    if (pid === Deno.pid && String(r.start_token) === (this.#token ?? "")) return false;
    return !processAlive(pid, String(r.start_token));
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
      `No tracking store in '${abs}': nothing was tracked there yet; track a run first (from the command ` +
        "line e.g. `deno task evaluate`, in code initRun), or point SENTILAB_DIR / --dir at a store",
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
