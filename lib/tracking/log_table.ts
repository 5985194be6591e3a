import { TrackingError } from "./_errors.ts";
import { fail } from "./_state.ts";
import { openTable } from "./open_table.ts";
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
export async function logTable(
  run: Run,
  key: string,
  table: TableData,
  options: LogTableOptions = {},
): Promise<void> {
  const { columns, rows } = table ?? {};
  if (!Array.isArray(rows)) {
    try {
      fail(
        run,
        "logTable",
        new TrackingError(`Cannot log table '${key}': 'rows' must be an array of arrays`),
      );
    } catch (strictError) {
      throw strictError;
    }
    return;
  }
  const writer = openTable(run, key, columns, options);
  await writer.append(rows);
  await writer.close();
}
