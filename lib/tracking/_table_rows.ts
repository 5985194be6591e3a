// The rules of a table row (lib/tracking's tables: logTable and openTable), in one place.
import { TrackingError } from "./_errors.ts";
import { checkSize, describe, jsonLoss, MAX_VALUE_BYTES } from "./_validate.ts";

/** Rows per stored chunk, and the largest chunk in characters. */
export const CHUNK_ROWS = 1000;
export const CHUNK_CHARS = 4 * 1024 * 1024;
/** Chunks per write transaction. */
export const CHUNKS_PER_TX = 50;

/**
 * Checks row `index` of a table: one value per column, no cell over 1 MB. Returns the row's JSON.
 * @throws {TrackingError} naming the table, the row and the column.
 */
export function rowJson(key: string, columns: string[], row: unknown, index: number): string {
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
