import { TrackingError } from "./_errors.ts";
import { fail, stateOf } from "./_state.ts";
import { nameProblem } from "./_validate.ts";
import { say } from "./_console.ts";
import { CHUNK_CHARS, CHUNK_ROWS, CHUNKS_PER_TX, rowJson } from "./_table_rows.ts";
import type { Run } from "./types.ts";

/** Options for {@linkcode openTable}. */
export interface OpenTableOptions {
  /** Step to attach the table to (default: the run's current step). */
  step?: number;
}

/** A table being written in pieces; see {@linkcode openTable}. */
export interface TableWriter {
  /** Rows appended so far. */
  readonly rowCount: number;
  /** Appends rows (one JSON value per column); they are stored in chunks as they come. */
  append(rows: readonly unknown[][]): Promise<void>;
  /** Completes the table: it becomes visible to readers (and the replica) with all its rows. */
  close(): Promise<void>;
  /** Drops what was written: the table never becomes visible. */
  abort(): Promise<void>;
}

/**
 * Opens a table to write row by row in any number of {@linkcode TableWriter.append} calls, for tables too
 * big to hold in memory (a prediction table of millions of rows): rows go to the store in chunks of 1,000
 * as they come, and the table becomes visible only at `close()`, complete; `abort()` or a failure leaves
 * nothing visible. {@linkcode logTable} is this with one append.
 *
 * @param run The run from initRun.
 * @param key Table key: 1..128 characters, no `/`, `:` or `..`.
 * @param columns Column names (distinct, non-empty).
 * @param options The step.
 * @returns The writer (a no-op one on the "disabled" backend).
 * @throws {TrackingError} only with `strict: true` (from the calls): as {@linkcode logTable}. Without
 *   `strict`, a failing table is dropped with one warning and later calls do nothing.
 * @example
 * ```ts
 * import { finishRun, initRun, openTable } from "./mod.ts";
 * const run = await initRun({ tracker: "disabled" });
 * const table = openTable(run, "predictions", ["text", "label"]);
 * await table.append([["great", "positive"]]);
 * await table.append([["awful", "negative"]]);
 * await table.close();
 * await finishRun(run);
 * ```
 */
export function openTable(
  run: Run,
  key: string,
  columns: string[],
  options: OpenTableOptions = {},
): TableWriter {
  let s: ReturnType<typeof stateOf> | null = null;
  let broken = false;
  let tableId: number | null = null;
  let rowCount = 0;
  let chunks: { first: number; nrows: number; data: string }[] = [];
  let parts: string[] = [];
  let first = 0, chars = 0;

  const failed = (e: unknown): Promise<void> => {
    broken = true;
    if (tableId !== null && s?.store) {
      try {
        s.store.tables.dropTable(tableId);
      } catch { /* the table stays hidden (incomplete) */ }
    }
    tableId = null;
    try {
      fail(run, "logTable", e);
    } catch (strictError) {
      return Promise.reject(strictError);
    }
    return Promise.resolve();
  };

  try {
    s = stateOf(run);
    if (s.backend === "disabled") broken = true;
    else {
      if (s.finished) {
        throw new TrackingError(`Cannot log table '${key}': run '${run.name}' is already finished`);
      }
      const problem = nameProblem(key, "key");
      if (problem) throw new TrackingError(`Cannot log table '${key}': table ${problem}`);
      if (!Array.isArray(columns) || columns.length === 0) {
        throw new TrackingError(`Cannot log table '${key}': 'columns' must be a non-empty array of names`);
      }
      if (
        columns.some((c) => typeof c !== "string" || c.length === 0) ||
        new Set(columns).size !== columns.length
      ) {
        throw new TrackingError(`Cannot log table '${key}': column names must be distinct non-empty strings`);
      }
      const step = options.step ?? (s.rowOpen ? s.step : Math.max(0, s.step - 1));
      if (s.store) tableId = s.store.tables.beginTable(run.id, key, columns, step);
    }
  } catch (e) {
    // strict: every call reports it (made lazily, so no rejection waits unobserved)
    let strictError: unknown = null;
    failed(e).catch((x) => (strictError = x));
    const report = () =>
      Promise.resolve().then(() => strictError === null ? undefined : Promise.reject(strictError));
    return { rowCount: 0, append: report, close: report, abort: () => Promise.resolve() };
  }

  const flushChunk = (force: boolean) => {
    if (parts.length > 0) {
      chunks.push({ first, nrows: parts.length, data: "[" + parts.join(",") + "]" });
      first += parts.length;
      parts = [];
      chars = 0;
    }
    if (chunks.length > 0 && (force || chunks.length === CHUNKS_PER_TX)) {
      s!.store!.tables.insertChunks(tableId!, chunks);
      chunks = [];
    }
  };

  return {
    get rowCount() {
      return rowCount;
    },
    append(rows) {
      if (broken) return Promise.resolve();
      try {
        if (!Array.isArray(rows)) {
          throw new TrackingError(`Cannot log table '${key}': 'rows' must be an array of arrays`);
        }
        for (let i = 0; i < rows.length; i++) {
          const json = rowJson(key, columns, rows[i], rowCount + i);
          if (tableId === null) continue; // no store: validated like a stored table
          parts.push(json);
          chars += json.length;
          if (parts.length === CHUNK_ROWS || chars >= CHUNK_CHARS) flushChunk(false);
        }
        rowCount += rows.length;
      } catch (e) {
        return failed(e);
      }
      return Promise.resolve();
    },
    close() {
      if (broken) return Promise.resolve();
      broken = true;
      try {
        if (tableId === null) {
          say(run, `table ${key}: ${columns.length} columns x ${rowCount} rows (${columns.join(", ")})`);
          return Promise.resolve();
        }
        flushChunk(true);
        s!.store!.tables.completeTable(tableId, rowCount);
        tableId = null;
      } catch (e) {
        broken = false;
        return failed(e);
      }
      return Promise.resolve();
    },
    abort() {
      broken = true;
      if (tableId !== null) {
        try {
          s?.store?.tables.dropTable(tableId);
        } catch { /* hidden anyway */ }
        tableId = null;
      }
      return Promise.resolve();
    },
  };
}
