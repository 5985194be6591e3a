// The metric journal: logMetrics appends one line per call to a per-run file (one write() syscall, so the
// line is in the OS page cache -- it survives the process being killed -- before the call returns), and the
// lines are moved into SQLite in batches (every 2,000 lines, every 250 ms, at finish, and before any read
// in this process). A run that dies leaves its journal behind; the next open of the store replays the
// lines SQLite has not got yet (runs.journal_lines counts them), in the same transaction that marks the
// run crashed.
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { Store } from "./_store.ts";

const FLUSH_LINES = 2000;
const FLUSH_MS = 250;

const open = new Set<Journal>();
globalThis.addEventListener("unload", () => {
  for (const j of open) {
    try {
      j.flush();
    } catch { /* replayed from the journal on the next open */ }
  }
});

/** A history row waiting to go into SQLite: step, time (ms), values JSON. */
export type PendingRow = [number, number, string];

/** Path of a run's journal. */
export function journalPath(store: Store, runId: string): string {
  return join(store.dir, "journal", `${runId}.log`);
}

/** Parses journal lines after the first `skip` (a trailing partial line is ignored). */
export function readJournal(path: string, skip: number): PendingRow[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return [];
  }
  const lines = text.split("\n");
  lines.pop(); // "" after the last newline, or a partial line whose write never returned
  const rows: PendingRow[] = [];
  for (let i = skip; i < lines.length; i++) {
    const line = lines[i];
    const a = line.indexOf(","), b = line.indexOf(",", a + 1);
    if (a < 0 || b < 0) continue;
    rows.push([Number(line.slice(0, a)), Number(line.slice(a + 1, b)), line.slice(b + 1)]);
  }
  return rows;
}

/** The journal of one live run in this process. */
export class Journal {
  readonly path: string;
  #fd: number;
  #pending: PendingRow[] = [];
  #ingested = 0;
  #timer: ReturnType<typeof setInterval>;
  #store: Store;
  #runId: string;

  /** Opens (creates) the journal of `runId`. */
  constructor(store: Store, runId: string) {
    this.#store = store;
    this.#runId = runId;
    mkdirSync(join(store.dir, "journal"), { recursive: true });
    this.path = journalPath(store, runId);
    this.#fd = openSync(this.path, "a");
    this.#timer = setInterval(() => {
      try {
        this.flush();
      } catch { /* retried on the next tick; the lines are safe in the journal */ }
    }, FLUSH_MS);
    const timer: unknown = this.#timer;
    if (typeof timer === "number") Deno.unrefTimer(timer);
    else (timer as { unref?: () => void }).unref?.();
    store.live.add(this);
    open.add(this);
  }

  /** Appends one row; durable against a process kill when this returns. */
  append(step: number, json: string): void {
    const ts = Date.now();
    writeSync(this.#fd, `${step},${ts},${json}\n`);
    this.#pending.push([step, ts, json]);
    if (this.#pending.length >= FLUSH_LINES) this.flush();
  }

  /** Moves pending rows into SQLite. */
  flush(): void {
    if (this.#pending.length === 0) return;
    const rows = this.#pending;
    this.#store.ingestHistory(this.#runId, rows, this.#ingested + rows.length);
    this.#ingested += rows.length;
    this.#pending = [];
  }

  /** Flushes, closes and deletes the journal (everything is in SQLite). */
  close(): void {
    this.flush();
    clearInterval(this.#timer);
    this.#store.live.delete(this);
    open.delete(this);
    closeSync(this.#fd);
    try {
      unlinkSync(this.path);
    } catch { /* already gone */ }
  }
}
