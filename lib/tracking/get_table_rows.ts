import { TrackingError } from "./_errors.ts";
import { type ReadOptions, readStore } from "./_read.ts";
import type { TablePage } from "./types.ts";

/** Options for {@linkcode getTableRows}. */
export interface GetTableRowsOptions extends ReadOptions {
  /** Index of the first row (default 0). */
  offset?: number;
  /** Rows per page (default 1000). */
  limit?: number;
  /**
   * Which of the tables the run logged under `key`: 0 for the first, in logging order (see
   * `TableInfo.version`); default the latest.
   */
  version?: number;
}

/**
 * A page of rows of the latest table a run logged under `key`, or of an earlier one with `version`.
 *
 * @param runId Run id.
 * @param key Table key.
 * @param options Store directory and paging.
 * @returns The page (columns, total row count, rows), or null when the run has no such table.
 * @throws {TrackingError} when there is no store or the paging values are invalid.
 *
 * @example
 * ```ts
 * import { finishRun, getTableRows, initRun, logTable } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * const run = await initRun({ dir });
 * await logTable(run, "preds", { columns: ["text", "label"], rows: [["ok", "neutral"]] });
 * await finishRun(run);
 * console.log(getTableRows(run.id, "preds", { dir })?.rows); // [["ok", "neutral"]]
 * console.log(getTableRows(run.id, "preds", { dir, version: 0 })?.version); // 0
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function getTableRows(
  runId: string,
  key: string,
  options: GetTableRowsOptions = {},
): TablePage | null {
  const offset = options.offset ?? 0;
  const limit = options.limit ?? 1000;
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(limit) || limit < 0) {
    throw new TrackingError(
      `getTableRows: offset and limit must be non-negative integers (got ${offset}, ${limit})`,
    );
  }
  const version = options.version;
  if (version !== undefined && (!Number.isSafeInteger(version) || version < 0)) {
    throw new TrackingError(`getTableRows: version must be a non-negative integer (got ${version})`);
  }
  return readStore(options).tables.tableRows(runId, key, offset, limit, version);
}
