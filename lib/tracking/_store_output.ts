// The output table of the store: captured console lines of runs, for readers and the replay.
import type { Store } from "./_store.ts";

type Row = Record<string, unknown>;

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

/** The console output of the runs of a store (`store.output`). */
export class StoreOutput {
  readonly #s: Store;

  constructor(store: Store) {
    this.#s = store;
  }

  /** Appends captured console lines (time in ms, "stdout" or "stderr", the line) to a run's output. */
  insertOutput(runId: string, rows: OutputLine[]): void {
    if (rows.length === 0) return;
    const one = this.#s.stmt("INSERT INTO output(run_id, ts, stream, line) VALUES (?, ?, ?, ?)");
    this.#s.transaction(() => {
      for (const r of rows) one.run(runId, r.ts, r.stream, r.line);
    });
  }

  /** Captured console lines of a run in printing order; `last` keeps only the last N. */
  lines(runId: string, last?: number): StoredOutputLine[] {
    const rows = (this.#s.stmt("SELECT * FROM output WHERE run_id = ? ORDER BY id DESC LIMIT ?").all(
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

  /** Console lines of a run after line `afterId`, at most `limit`. */
  outputAfter(runId: string, afterId: number, limit = -1): StoredOutputLine[] {
    return (this.#s.stmt(
      "SELECT id, ts, stream, line FROM output WHERE run_id = ? AND id > ? ORDER BY id LIMIT ?",
    ).all(runId, afterId, limit) as Row[]).map((o) => ({
      id: Number(o.id),
      ts: Number(o.ts),
      stream: String(o.stream) === "stderr" ? "stderr" : "stdout",
      line: String(o.line),
    }));
  }

  /** Whether a run has a console line after line `afterId` (one index seek; the sender's caught-up check). */
  hasOutputAfter(runId: string, afterId: number): boolean {
    return this.#s.stmt("SELECT 1 FROM output WHERE run_id = ? AND id > ? LIMIT 1").get(runId, afterId) !==
      undefined;
  }

  /** How many console lines of a run come after line `afterId`. */
  countOutputAfter(runId: string, afterId: number): number {
    return Number(
      (this.#s.stmt("SELECT COUNT(*) AS n FROM output WHERE run_id = ? AND id > ?").get(
        runId,
        afterId,
      ) as Row)
        .n,
    );
  }
}
