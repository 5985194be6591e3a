import { TrackingError } from "./_errors.ts";
import { fail, stateOf } from "./_state.ts";
import { checkSize, describe, jsonLoss, MAX_VALUE_BYTES, nameProblem } from "./_validate.ts";
import { say } from "./_console.ts";
import type { Run } from "./types.ts";

/** A table to log: column names and rows (one value per column). */
export interface TableData {
  /** Column names (distinct, non-empty). */
  columns: string[];
  /**
   * Rows; each row has exactly one JSON value per column. NaN, ±Infinity and undefined are refused (as in
   * config, summary and metrics): use null for "no value".
   */
  rows: unknown[][];
}

/** Options for {@linkcode logTable}. */
export interface LogTableOptions {
  /** Step to attach the table to (default: the run's current step). */
  step?: number;
}

/** Rows per stored chunk, and the largest chunk in characters. */
const CHUNK_ROWS = 1000;
const CHUNK_CHARS = 4 * 1024 * 1024;
/** Chunks per write transaction. */
const CHUNKS_PER_TX = 50;

/**
 * Checks row `index` of a table: one value per column, no cell over 1 MB. Returns the row's JSON.
 * @throws {TrackingError} naming the table, the row and the column.
 */
function rowJson(key: string, columns: string[], row: unknown, index: number): string {
  if (!Array.isArray(row) || row.length !== columns.length) {
    throw new TrackingError(
      `Cannot log table '${key}': row ${index} has ${
        Array.isArray(row) ? row.length : describe(row)
      } values, ` +
        `expected ${columns.length} (one per column: ${columns.join(", ")})`,
    );
  }
  const json = JSON.stringify(row);
  // NaN, ±Infinity and undefined would become null: refused, as in config, summary and metrics.
  if (json.includes("null") || json.includes("{}")) {
    for (let c = 0; c < row.length; c++) {
      const field = `row ${index}, column '${columns[c]}'`;
      const loss = row[c] === undefined
        ? `${field} is undefined, which JSON stores as null; use null for 'no value'`
        : jsonLoss(row[c], field);
      if (loss) throw new TrackingError(`Cannot log table '${key}': ${loss}`);
    }
  }
  if (json.length * 3 > MAX_VALUE_BYTES) {
    for (let c = 0; c < row.length; c++) {
      checkSize(
        JSON.stringify(row[c]) ?? "null",
        `row ${index}, column '${columns[c]}'`,
        `Cannot log table '${key}'`,
      );
    }
  }
  return json;
}

/**
 * Logs a table (for example predictions) under `key`. Rows are written in batches inside transactions and
 * the table becomes visible only when complete, so a failure leaves nothing half-written. Logging the same
 * key again stores a new table; readers see the latest. Tables of 1,000,000 rows are fine.
 *
 * @param run The run from initRun.
 * @param key Table key: 1..128 characters, no `/`, `:` or `..`.
 * @param table Columns and rows.
 * @param options The step.
 * @returns Resolves once all rows are stored.
 * @throws {TrackingError} only with `strict: true`: bad key or columns, rows of the wrong length, a cell
 * over 1 MB, a cell JSON cannot store as it is (NaN, ±Infinity, undefined: use null), or an unwritable
 * store. Without `strict` such a table is not stored and one warning names the row and column.
 *
 * @example
 * ```ts
 * import { finishRun, initRun, logTable } from "./mod.ts";
 * const run = await initRun({ tracker: "disabled" });
 * await logTable(run, "predictions", { columns: ["text", "label"], rows: [["great", "positive"]] });
 * await finishRun(run);
 * ```
 */
export function logTable(
  run: Run,
  key: string,
  table: TableData,
  options: LogTableOptions = {},
): Promise<void> {
  let s;
  try {
    s = stateOf(run);
  } catch (e) {
    fail(null, "logTable", e);
    return Promise.resolve();
  }
  if (s.backend === "disabled") return Promise.resolve();
  let tableId: number | null = null;
  try {
    if (s.finished) {
      throw new TrackingError(`Cannot log table '${key}': run '${run.name}' is already finished`);
    }
    const problem = nameProblem(key, "key");
    if (problem) throw new TrackingError(`Cannot log table '${key}': table ${problem}`);
    const { columns, rows } = table ?? {};
    if (!Array.isArray(columns) || columns.length === 0) {
      throw new TrackingError(`Cannot log table '${key}': 'columns' must be a non-empty array of names`);
    }
    if (
      columns.some((c) => typeof c !== "string" || c.length === 0) || new Set(columns).size !== columns.length
    ) {
      throw new TrackingError(`Cannot log table '${key}': column names must be distinct non-empty strings`);
    }
    if (!Array.isArray(rows)) {
      throw new TrackingError(`Cannot log table '${key}': 'rows' must be an array of arrays`);
    }
    const step = options.step ?? (s.rowOpen ? s.step : Math.max(0, s.step - 1));
    if (!s.store) {
      // Validated like a stored table: the same mistake gives the same error on every backend.
      for (let i = 0; i < rows.length; i++) rowJson(key, columns, rows[i], i);
      say(run, `table ${key}: ${columns.length} columns x ${rows.length} rows (${columns.join(", ")})`);
      return Promise.resolve();
    }
    tableId = s.store.beginTable(run.id, key, columns, step);
    const chunks: { first: number; nrows: number; data: string }[] = [];
    let parts: string[] = [];
    let first = 0, chars = 0;
    const flushChunk = (next: number) => {
      if (parts.length === 0) return;
      chunks.push({ first, nrows: parts.length, data: "[" + parts.join(",") + "]" });
      parts = [];
      chars = 0;
      first = next;
      if (chunks.length === CHUNKS_PER_TX) {
        s.store!.insertChunks(tableId!, chunks);
        chunks.length = 0;
      }
    };
    for (let i = 0; i < rows.length; i++) {
      const json = rowJson(key, columns, rows[i], i);
      parts.push(json);
      chars += json.length;
      if (parts.length === CHUNK_ROWS || chars >= CHUNK_CHARS) flushChunk(i + 1);
    }
    flushChunk(rows.length);
    if (chunks.length > 0) s.store.insertChunks(tableId, chunks);
    s.store.completeTable(tableId, rows.length);
    tableId = null;
  } catch (e) {
    if (tableId !== null) {
      try {
        s.store?.dropTable(tableId);
      } catch { /* the table stays hidden (incomplete) */ }
    }
    try {
      fail(run, "logTable", e);
    } catch (strictError) {
      return Promise.reject(strictError);
    }
  }
  return Promise.resolve();
}
