// The metric journal: logMetrics appends one line per call to a per-run file (one write() syscall, so the
// line is in the OS page cache -- it survives the process being killed -- before the call returns), and the
// lines are moved into SQLite in batches (every 2,000 lines, every 250 ms, at finish, and before any read
// in this process). A run that dies leaves its journal behind; the next open of the store replays the
// lines SQLite has not got yet (runs.journal_lines counts them), in the same transaction that marks the
// run crashed.
import { closeSync, mkdirSync, openSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { type OutputLine, Store } from "./_store.ts";
import { journalPath, type PendingRow } from "./_journal_file.ts";

const FLUSH_LINES = 2000;
const FLUSH_MS = 250;

const open = new Set<Journal>();
const liveByDir = new Map<string, Set<Journal>>();

/** Flushes the journals of this process's live runs in the store `dir` (read-your-writes for readers). */
export function flushLive(dir: string): void {
  for (const j of liveByDir.get(dir) ?? []) j.flush();
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
  #output: OutputLine[] = [];
  #ingested = 0;
  #timer: ReturnType<typeof setInterval>;
  #dir: string;
  #runId: string;

  /** Opens (creates) the journal of `runId`. */
  constructor(dir: string, runId: string) {
    this.#dir = dir;
    this.#runId = runId;
    mkdirSync(join(dir, "journal"), { recursive: true });
    this.path = journalPath(dir, runId);
    this.#fd = openSync(this.path, "a");
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

  /** Appends one row; durable against a process kill when this returns. */
  append(step: number, json: string): void {
    const ts = Date.now();
    writeSync(this.#fd, `${step},${ts},${json}\n`);
    this.#pending.push([step, ts, json]);
    if (this.#pending.length >= FLUSH_LINES) this.flush();
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
      Store.connect(this.#dir).insertOutput(this.#runId, this.#output);
      this.#output = [];
    }
    if (this.#pending.length === 0) return;
    const rows = this.#pending;
    Store.connect(this.#dir).ingestHistory(this.#runId, rows, this.#ingested + rows.length);
    this.#ingested += rows.length;
    this.#pending = [];
  }

  /** Flushes, closes and deletes the journal (everything is in SQLite). */
  close(): void {
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
