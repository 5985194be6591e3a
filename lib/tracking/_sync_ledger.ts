// The sync ledger: the one owner of what reached a sync target (a W&B base URL) and what has not. It
// keeps, in the store's `sync_state` and `sync_values` tables (nothing else reads or writes them):
//   cursors per run and kind of record (done items):
//     run       hash of what UpsertBucket sent (name, group, job type, tags, notes, config)
//     files     hash of config.yaml + wandb-metadata.json as uploaded
//     history   id of the last history row sent;  lines  next line offset of wandb-history.jsonl
//               (and the value history_rows:RUN, [that id, how many of the run's rows are up to it];
//               the value last_line:RUN, [step, time in ms] of the last line posted, for the summary)
//     output    id of the last console line sent;  output_lines  next line offset of output.log
//     table:N   table N was logged (run_table artifact, media/table run file, history line)
//     link:N    lineage link N (artifact output or input) was replayed
//     summary   hash of the summary sent;  exit  the completion was sent (its exit code)
//     -1 as a cursor: skipped for good (W&B can never take it), the reason kept
//   values per target: the ids W&B gave (artifact versions, table values), the aliases sent, the reasons of
//   skipped records;
// and it answers what is pending for a run (pending items) by comparing the store with those cursors, and
// which alias moves no run made (`artifacts alias`) are pending (pendingAliases: the custom aliases a
// version has in the store against the ones last sent for its W&B copy).
// Every cursor is written right after the request it records succeeded, so a crash in between only
// resends that request: file_stream lines are written at their offsets (a resend overwrites itself) and
// CreateArtifact deduplicates by digest.
import type { Store } from "./_store.ts";
import { filesHash, hash48, runInfoHash, summaryOf } from "./_wandb_record.ts";

type Row = Record<string, unknown>;

/** What is not on W&B yet for one run. */
export interface RunPending {
  /** Run id. */
  runId: string;
  /** The run's metadata (config, tags, ...) needs an UpsertBucket. */
  run: boolean;
  /** config.yaml / wandb-metadata.json need uploading. */
  files: boolean;
  /** History rows not sent. */
  historyRows: number;
  /** Console output lines not sent. */
  outputLines: number;
  /** Keys of tables not logged. */
  tables: string[];
  /** Artifact versions to save (`name:vN`), outputs of the run. */
  outputs: string[];
  /** Artifact versions to mark as used (`name:vN`), inputs of the run. */
  inputs: string[];
  /** The summary changed since it was sent. */
  summary: boolean;
  /** The completion (exit code) is not sent. */
  exit: boolean;
  /** Nothing at all reached this target yet. */
  never: boolean;
  /** Records W&B can never take (skipped for good), with the reason. */
  skipped: string[];
}

/** True when nothing is pending. */
export function isSynced(p: RunPending): boolean {
  return !p.run && !p.files && p.historyRows === 0 && p.outputLines === 0 && p.tables.length === 0 &&
    p.outputs.length === 0 && p.inputs.length === 0 && !p.summary && !p.exit;
}

/** Custom aliases of a version on W&B that differ from the store (moved without a run, or not sent yet). */
export interface AliasPending {
  /** The W&B project holding the copy. */
  project: string;
  /** Artifact name. */
  name: string;
  /** Version index in the store. */
  version: number;
  /** The copy's W&B artifact id. */
  id: string;
  /** Aliases to add on W&B. */
  add: string[];
  /** Aliases to remove on W&B. */
  remove: string[];
  /** The custom aliases the version has in the store (sorted): what W&B has once this is sent. */
  custom: string[];
}

/** The sync state of one store for one target. */
export class SyncLedger {
  readonly store: Store;
  readonly target: string;

  constructor(store: Store, target: string) {
    this.store = store;
    this.target = target;
  }

  /** A resumed run: its completion is sent again at its new end, to every target. */
  static reopen(store: Store, runId: string): void {
    store.stmt("DELETE FROM sync_state WHERE run_id = ? AND kind = 'exit'").run(runId);
  }

  /**
   * A run W&B already holds lines of (the SDK's resume: FileStreamOffset from RunResumeStatus): new
   * history and console lines go after them.
   */
  continueAt(runId: string, historyLines: number, outputLines: number): void {
    if ((this.cursor(runId, "lines") ?? 0) < historyLines) this.done(runId, "lines", historyLines);
    if ((this.cursor(runId, "output_lines") ?? 0) < outputLines) {
      this.done(runId, "output_lines", outputLines);
    }
  }

  /** The cursor of a kind of record of a run, or null when nothing of it was sent. */
  cursor(runId: string, kind: string): number | null {
    const r = this.store.stmt("SELECT cursor FROM sync_state WHERE run_id = ? AND target = ? AND kind = ?")
      .get(runId, this.target, kind) as Row | undefined;
    return r ? Number(r.cursor) : null;
  }

  /** Records that a kind of record of a run got through up to `value`. */
  done(runId: string, kind: string, value: number): void {
    this.store.stmt(
      "INSERT OR REPLACE INTO sync_state(run_id, target, kind, cursor, updated_at) VALUES (?, ?, ?, ?, ?)",
    ).run(runId, this.target, kind, value, new Date().toISOString());
  }

  /** Several cursors at once (all or none). */
  doneAll(runId: string, cursors: Record<string, number>, then?: () => void): void {
    this.store.transaction(() => {
      for (const [kind, value] of Object.entries(cursors)) this.done(runId, kind, value);
      then?.();
    });
  }

  /**
   * Records that a run's history got through up to row `lastId` on `lines` lines of wandb-history.jsonl,
   * with how many of the run's rows that is (the value `history_rows:RUN`: {@linkcode unsentHistoryRows}
   * reads it instead of counting), all at once, `then` with them.
   */
  historySent(runId: string, lines: number, lastId: number, then?: () => void): void {
    const history = this.store.history;
    this.store.transaction(() => {
      const before = this.cursor(runId, "history") ?? 0;
      const rows = (this.#sentRows(runId, before) ?? history.countBetween(runId, -1, before)) +
        history.countBetween(runId, before, lastId);
      this.done(runId, "lines", lines);
      this.done(runId, "history", lastId);
      this.setValue(`history_rows:${runId}`, JSON.stringify([lastId, rows]));
      then?.();
    });
  }

  /** How many of a run's rows are up to row `cursor`, when historySent recorded it for that cursor. */
  #sentRows(runId: string, cursor: number): number | null {
    const sent = this.value(`history_rows:${runId}`);
    if (sent === null) return null;
    const [id, rows] = JSON.parse(sent) as [number, number];
    return id === cursor ? rows : null;
  }

  /**
   * How many of a run's `count` history rows (its historyCount) are not sent: `count` less the rows
   * historySent recorded for the cursor; a cursor it did not record (an older sentilab wrote it) is compared
   * with the run's rows (StoreHistory.countRowsAfter). New rows always come after the cursor (ids grow).
   */
  unsentHistoryRows(runId: string, count: number): number {
    const cursor = this.cursor(runId, "history") ?? 0;
    if (cursor === 0) return count;
    const sent = this.#sentRows(runId, cursor);
    // `count` may be a moment older than the cursor (read apart while a live uploader sends): never below 0
    return sent === null
      ? this.store.history.countRowsAfter(runId, cursor, count)
      : Math.max(0, count - sent);
  }

  /**
   * Records the step and time (ms) of the last history line posted for a run (call it with the line's
   * offset cursor, in one transaction): the summary's `_step`, `_timestamp` and `_runtime` are that line's
   * (summaryOf), as the SDK puts each line it flushes into the summary.
   */
  lineSent(runId: string, line: { step: number; ts: number }): void {
    this.setValue(`last_line:${runId}`, JSON.stringify([line.step, line.ts]));
  }

  /**
   * The step and time (ms) of the last history line posted for a run, or null when none was. A run whose
   * lines were sent before they were recorded (an older sentilab) falls back to its last sent history row,
   * whose line that was unless a table went out on a line of its own after it: its summary keeps the
   * `_step`/`_timestamp` W&B already has instead of losing them on the next sync.
   */
  lastLine(runId: string): { step: number; ts: number } | null {
    const v = this.value(`last_line:${runId}`);
    if (v === null) {
      const cursor = this.cursor(runId, "history") ?? 0;
      return cursor > 0 ? this.store.history.stepAndTime(runId, cursor) : null;
    }
    const [step, ts] = JSON.parse(v) as [number, number];
    return { step, ts };
  }

  /** A value the target gave (e.g. a W&B artifact id), or null. */
  value(key: string): string | null {
    const r = this.store.stmt("SELECT value FROM sync_values WHERE target = ? AND key = ?").get(
      this.target,
      key,
    ) as Row | undefined;
    return r ? String(r.value) : null;
  }

  /** Keeps a value the target gave. */
  setValue(key: string, v: string): void {
    this.store.stmt(
      "INSERT OR REPLACE INTO sync_values(target, key, value, updated_at) VALUES (?, ?, ?, ?)",
    ).run(this.target, key, v, new Date().toISOString());
  }

  /** Marks a record of a run as skipped for good (W&B can never take it), keeping the reason. */
  skip(runId: string, kind: string, reason: string): void {
    this.store.transaction(() => {
      this.done(runId, kind, -1);
      this.setValue(`skipped:${runId}:${kind}`, reason);
    });
  }

  /** The reasons of the records of a run skipped for good. */
  skipped(runId: string): string[] {
    return (this.store.stmt("SELECT value FROM sync_values WHERE target = ? AND key LIKE ? ORDER BY key").all(
      this.target,
      `skipped:${runId}:%`,
    ) as Row[]).map((v) => String(v.value));
  }

  /** ISO time of the last record of the run that reached the target, or null. */
  lastSyncedAt(runId: string): string | null {
    const r = this.store.stmt("SELECT MAX(updated_at) AS t FROM sync_state WHERE run_id = ? AND target = ?")
      .get(runId, this.target) as Row;
    return r.t === null ? null : String(r.t);
  }

  /** Other targets the run was synced to. */
  otherTargets(runId: string): string[] {
    return (this.store.stmt(
      "SELECT DISTINCT target FROM sync_state WHERE run_id = ? AND target <> ? ORDER BY target",
    ).all(runId, this.target) as Row[]).map((r) => String(r.target));
  }

  /**
   * Alias changes not on the target yet, for every version the target holds (of artifact `name` only, when
   * given): derived from the store's aliases and the aliases last sent (`aliases:` values). A version the
   * target does not hold yet gets its aliases when its run is synced (saveVersion sends them).
   */
  pendingAliases(name?: string): AliasPending[] {
    const rows = this.store.stmt(
      "SELECT key, value FROM sync_values WHERE target = ? AND key LIKE 'artifact:%' ORDER BY key",
    ).all(this.target) as Row[];
    const out: AliasPending[] = [];
    for (const r of rows) {
      const m = /^artifact:(.*):([^:]+):(\d+)$/.exec(String(r.key));
      if (!m || (name !== undefined && m[2] !== name)) continue;
      const [project, n, version] = [m[1], m[2], Number(m[3])];
      const v = this.store.artifacts.getVersion(n, version);
      if (!v) continue;
      const custom = v.aliases.filter((a) => a !== "latest").sort();
      const sent = JSON.parse(this.value(`aliases:${project}:${n}:${version}`) ?? "[]") as string[];
      const add = custom.filter((a) => !sent.includes(a));
      const remove = sent.filter((a) => !custom.includes(a));
      if (add.length || remove.length) {
        const id = (JSON.parse(String(r.value)) as { id: string }).id;
        out.push({ project, name: n, version, id, add, remove, custom });
      }
    }
    return out;
  }

  /** Everything not on the target yet for one run (no network), or null when the run is not stored. */
  pending(runId: string): RunPending | null {
    const store = this.store;
    const r = store.runs.getRun(runId);
    if (!r) return null;
    const c = (kind: string) => this.cursor(runId, kind);
    const tables = store.tables.replayTables(runId).filter((t) => c(`table:${t.id}`) === null).map((t) =>
      t.key
    );
    const outputs: string[] = [], inputs: string[] = [];
    for (const l of store.artifacts.links(runId)) {
      if (c(`link:${l.id}`) === null) {
        (l.direction === "output" ? outputs : inputs).push(`${l.name}:v${l.version}`);
      } else if (l.direction === "input") {
        const custom = (store.artifacts.getVersion(l.name, l.version)?.aliases ?? []).filter((a) =>
          a !== "latest"
        )
          .sort();
        const sent = this.value(`aliases:${r.project}:${l.name}:${l.version}`);
        if (custom.length && sent !== JSON.stringify(custom)) {
          inputs.push(`${l.name}:v${l.version} (aliases)`);
        }
      }
    }
    const never = (store.stmt("SELECT COUNT(*) AS n FROM sync_state WHERE run_id = ? AND target = ?").get(
      runId,
      this.target,
    ) as Row).n === 0;
    const summary = summaryOf(store, this, r);
    return {
      runId,
      run: c("run") !== runInfoHash(r, store.runs.metricDefinitions(runId)),
      files: c("files") !== filesHash(r),
      historyRows: this.unsentHistoryRows(runId, r.historyCount),
      outputLines: store.output.countOutputAfter(runId, c("output") ?? 0),
      tables,
      outputs,
      inputs,
      summary: Object.keys(summary).length > 0 && c("summary") !== hash48(JSON.stringify(summary)),
      exit: r.status !== "running" && c("exit") === null,
      never,
      skipped: this.skipped(runId),
    };
  }
}
