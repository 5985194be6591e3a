// The metric journal: logMetrics appends one record per call to a per-run file (written completely before
// the call returns, so the record is in the OS page cache -- it survives the process being killed). The
// records of one step make one history row (W&B's step rules, log_metrics.ts): the row of the current step
// stays open in memory until it is committed, and committed rows are moved into SQLite in batches (every 2,000 records, every 250 ms, at finish, and before any
// read in this process). A run that dies leaves its journal behind; the next open of the store replays the
// records SQLite has not got yet (runs.journal_lines holds the last seq ingested), in the same transaction
// that marks the run crashed. A write that fails part-way (a full disk) is cut off again and the call
// fails; a torn record that stays anyway is skipped by replay (see _journal_file.ts).
import { closeSync, fstatSync, ftruncateSync, mkdirSync, openSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { Store } from "./_store.ts";
import type { OutputLine } from "./_store_output.ts";
import { encodeRecord, journalPath, type PendingRow } from "./_journal_file.ts";

const FLUSH_LINES = 2000;
const FLUSH_MS = 250;

const open = new Set<Journal>();
const liveByDir = new Map<string, Set<Journal>>();

/**
 * Flushes the journals of this process's live runs in the store `dir` (read-your-writes for readers). Never
 * throws: a flush that fails (a full disk) leaves the rows in the journal for the next flush, and the read
 * goes on with what SQLite has.
 */
export function flushLive(dir: string): void {
  for (const j of liveByDir.get(dir) ?? []) {
    try {
      j.flush();
    } catch { /* retried on the next tick; the rows are safe in the journal */ }
  }
}
globalThis.addEventListener("unload", () => {
  for (const j of open) {
    try {
      j.flush();
    } catch { /* replayed from the journal on the next open */ }
  }
});

/** The journal of one live run in this process. */
export class Journal {
  readonly path: string;
  #fd: number;
  #pending: PendingRow[] = [];
  /** The row of the current step, not committed yet (W&B's step rules, log_metrics.ts). */
  #open: { step: number; ts: number; values: Record<string, number>; seq: number } | null = null;
  #output: OutputLine[] = [];
  #seq: number;
  #size: number;
  #timer: ReturnType<typeof setInterval>;
  #dir: string;
  #runId: string;

  /** Opens (creates) the journal of `runId`; its records are numbered after `lastSeq` (what SQLite has). */
  constructor(dir: string, runId: string, lastSeq = 0) {
    this.#dir = dir;
    this.#runId = runId;
    mkdirSync(join(dir, "journal"), { recursive: true });
    this.path = journalPath(dir, runId);
    this.#fd = openSync(this.path, "a");
    this.#size = Number(fstatSync(this.#fd).size);
    this.#seq = lastSeq;
    this.#timer = setInterval(() => {
      try {
        this.flush();
      } catch { /* retried on the next tick; the lines are safe in the journal */ }
    }, FLUSH_MS);
    const timer: unknown = this.#timer;
    if (typeof timer === "number") Deno.unrefTimer(timer);
    else (timer as { unref?: () => void }).unref?.();
    let live = liveByDir.get(dir);
    if (!live) liveByDir.set(dir, live = new Set());
    live.add(this);
    open.add(this);
  }

  /**
   * Appends the values of one call at `step`; durable against a process kill when this returns. They join
   * the open row when it has the same step (a new step commits the open row first); `commit` then
   * commits the row (W&B's flush). Only committed rows go into SQLite.
   * @throws when the record cannot be written completely (it is cut off again: nothing torn is left).
   */
  append(step: number, values: Record<string, number>, commit: boolean): void {
    const ts = Date.now();
    const json = JSON.stringify(values);
    const seq = this.#seq + 1;
    const bytes = new TextEncoder().encode(encodeRecord(seq, step, ts, json));
    let done = 0;
    try {
      while (done < bytes.length) {
        const n = writeSync(this.#fd, bytes, done, bytes.length - done);
        if (n <= 0) throw new Error(`cannot write the metric journal '${this.path}'`);
        done += n;
      }
    } catch (e) {
      if (done > 0) {
        try {
          ftruncateSync(this.#fd, this.#size);
        } catch { /* replay skips the torn record by its checksum */ }
      }
      throw e;
    }
    this.#size += bytes.length;
    this.#seq = seq;
    if (this.#open && this.#open.step !== step) this.commit();
    if (this.#open) {
      Object.assign(this.#open.values, values);
      this.#open.seq = seq;
    } else this.#open = { step, ts, values: { ...values }, seq };
    if (commit) this.commit();
  }

  /** Commits the open row: it goes into SQLite with the next flush. */
  commit(): void {
    const o = this.#open;
    if (!o) return;
    this.#open = null;
    this.#pending.push([o.step, o.ts, JSON.stringify(o.values), o.seq]);
    if (this.#pending.length >= FLUSH_LINES) {
      try {
        this.flush();
      } catch { /* retried on the next tick; the rows are safe in the journal */ }
    }
  }

  /**
   * Buffers one captured console line; it moves into SQLite with the metric rows (every 250 ms, at
   * finish, before any read in this process). Unlike metric rows it is not in the journal file: a process
   * killed within those 250 ms loses its last console lines, never a metric.
   */
  appendOutput(line: OutputLine): void {
    this.#output.push(line);
    if (this.#output.length >= FLUSH_LINES) this.flush();
  }

  /** Moves pending rows and console lines into SQLite. */
  flush(): void {
    if (this.#output.length > 0) {
      Store.connect(this.#dir).output.insertOutput(this.#runId, this.#output);
      this.#output = [];
    }
    if (this.#pending.length === 0) return;
    const rows = this.#pending;
    Store.connect(this.#dir).history.ingestHistory(this.#runId, rows, rows[rows.length - 1][3]);
    this.#pending = [];
  }

  /** Commits the open row, flushes, closes and deletes the journal (everything is in SQLite). */
  close(): void {
    this.commit();
    this.flush();
    clearInterval(this.#timer);
    liveByDir.get(this.#dir)?.delete(this);
    open.delete(this);
    closeSync(this.#fd);
    try {
      unlinkSync(this.path);
    } catch { /* already gone */ }
  }
}
