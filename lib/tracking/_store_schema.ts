// The store's schema: the tables of store.db (each owned by one module, see _store.ts) and the columns added
// and indexes since stores were first written, created or brought up to date inside the opening transaction
// (a read-only connection never runs this: readers cope with an older store's schema).
import type { DatabaseSync } from "node:sqlite";

type Row = Record<string, unknown>;

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
CREATE INDEX IF NOT EXISTS runs_started ON runs(started_at);
CREATE INDEX IF NOT EXISTS runs_running ON runs(host) WHERE status = 'running';
-- the runs page's project and group filters (newest first) and its lists of them (StoreRuns.runFacets)
CREATE INDEX IF NOT EXISTS runs_project ON runs(project, started_at);
CREATE INDEX IF NOT EXISTS runs_group ON runs(grp, started_at);
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
-- a run's sessions (initRun, and each resume): when each started and the runtime it carried in, in seconds
-- (StoreRuns.sessions; the run's runtime as W&B's SDK counts it, _runtime.ts runtimeAt)
CREATE TABLE IF NOT EXISTS run_sessions(
  run_id TEXT NOT NULL, started_at TEXT NOT NULL, runtime_before REAL NOT NULL, PRIMARY KEY(run_id, started_at));
CREATE TABLE IF NOT EXISTS sync_state(
  run_id TEXT NOT NULL, target TEXT NOT NULL, kind TEXT NOT NULL, cursor INTEGER NOT NULL,
  updated_at TEXT NOT NULL, PRIMARY KEY(run_id, target, kind));
CREATE TABLE IF NOT EXISTS sync_values(
  target TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, updated_at TEXT NOT NULL,
  PRIMARY KEY(target, key));
`;

/** Creates the tables a store lacks and adds the columns an older store lacks (inside a transaction). */
export function createSchema(db: DatabaseSync): void {
  const hadSessions = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'run_sessions'")
    .get() !== undefined;
  db.exec(SCHEMA);
  if (!hadSessions) {
    // A store from before sessions were kept: each run's one known session is its first start.
    db.exec("INSERT OR IGNORE INTO run_sessions SELECT id, started_at, 0 FROM runs");
  }
  const cols = (db.prepare("PRAGMA table_info(runs)").all() as Row[]).map((c) => String(c.name));
  if (!cols.includes("journal_lines")) {
    db.exec("ALTER TABLE runs ADD COLUMN journal_lines INTEGER NOT NULL DEFAULT 0");
  }
  if (!cols.includes("entity")) {
    // The W&B entity initRun was given (option or WANDB_ENTITY), for the replica and a later sync.
    db.exec("ALTER TABLE runs ADD COLUMN entity TEXT");
  }
  if (!cols.includes("metrics")) {
    // defineMetric's definitions (JSON array of StoredMetric): for resume and the W&B replica.
    db.exec("ALTER TABLE runs ADD COLUMN metrics TEXT NOT NULL DEFAULT '[]'");
  }
  if (!cols.includes("history_rows")) {
    db.exec("ALTER TABLE runs ADD COLUMN history_rows INTEGER NOT NULL DEFAULT 0");
    db.exec("ALTER TABLE runs ADD COLUMN last_step INTEGER");
  }
  if (!cols.includes("history_upto")) {
    // How many history rows a run has and its highest step, counted up to history row history_upto, so
    // that a page of runs does not count every listed run's history (StoreHistory.insertRows keeps them,
    // StoreHistory.stats adds rows after history_upto): counted once here for the runs already there.
    db.exec("ALTER TABLE runs ADD COLUMN history_upto INTEGER NOT NULL DEFAULT 0");
    db.exec(`UPDATE runs SET (history_rows, last_step, history_upto) =
      (SELECT COUNT(*), MAX(step), COALESCE(MAX(id), 0) FROM history WHERE run_id = runs.id)`);
  }
  db.prepare("INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)").run(
    SCHEMA_VERSION,
  );
}
