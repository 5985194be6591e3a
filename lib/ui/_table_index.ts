// Private: server-side search, filters and sort of a logged table of any size. Plain paging reads only
// the page's rows; a search, filter or sort scans the table once and keeps the ordered row numbers
// (4 bytes a row) in a small cache, so later pages are as fast as plain paging.
import { LABELS } from "../sentiment/mod.ts";
import { getTableRows, type ReadOptions, type TableInfo } from "../tracking/mod.ts";

/** What selects and orders the rows. */
export interface TableQuery {
  /** Case-insensitive text that some cell must contain. */
  text?: string;
  /** Only rows whose gold differs from the predicted label. */
  errors?: boolean;
  /** Only rows with this gold label. */
  gold?: string;
  /** Only rows with this predicted label. */
  predicted?: string;
  /** Column to sort by. */
  sort?: number;
  /** Descending sort. */
  desc?: boolean;
}

const SCAN_PAGE = 10_000;
const CACHE_SIZE = 8;
const cache = new Map<string, Uint32Array>();
const matrices = new Map<string, { labels: string[]; matrix: number[][] }>();

function tableId(read: ReadOptions, runId: string, t: TableInfo): string {
  return JSON.stringify([read.dir ?? "", runId, t.key, t.version, t.createdAt, t.rowCount]);
}

/** Calls `fn` with every row of the table in order. */
export function scanTable(
  read: ReadOptions,
  runId: string,
  t: TableInfo,
  fn: (row: unknown[], index: number) => void,
): void {
  for (let offset = 0; offset < t.rowCount; offset += SCAN_PAGE) {
    const page = getTableRows(runId, t.key, { ...read, offset, limit: SCAN_PAGE, version: t.version });
    if (!page) return;
    page.rows.forEach((r, i) => fn(r, offset + i));
  }
}

/** Whether a query needs the whole table (anything but plain paging). */
export function needsScan(q: TableQuery): boolean {
  return !!(q.text || q.errors || q.gold !== undefined || q.predicted !== undefined || q.sort !== undefined);
}

/** The row numbers matching `q`, in its order (cached per table and query). */
export function orderedRows(read: ReadOptions, runId: string, t: TableInfo, q: TableQuery): Uint32Array {
  const key = tableId(read, runId, t) + JSON.stringify(q);
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const gold = t.columns.indexOf("gold"), pred = t.columns.indexOf("predicted");
  const needle = q.text?.toLowerCase();
  const keep: number[] = [];
  const sortValues: unknown[] = [];
  scanTable(read, runId, t, (row, i) => {
    if (q.errors && (gold < 0 || pred < 0 || row[gold] === null || row[gold] === row[pred])) return;
    if (q.gold !== undefined && String(row[gold]) !== q.gold) return;
    if (q.predicted !== undefined && String(row[pred]) !== q.predicted) return;
    if (
      needle &&
      !row.some((c) =>
        c !== null && String(typeof c === "object" ? JSON.stringify(c) : c).toLowerCase().includes(needle)
      )
    ) {
      return;
    }
    keep.push(i);
    if (q.sort !== undefined) sortValues.push(row[q.sort]);
  });
  let order = Uint32Array.from(keep);
  if (q.sort !== undefined) {
    const idx = Uint32Array.from(keep.keys());
    const sign = q.desc ? -1 : 1;
    idx.sort((a, b) => sign * compare(sortValues[a], sortValues[b]) || a - b);
    order = idx.map((k) => keep[k]);
  }
  cache.set(key, order);
  while (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return order;
}

/** Numbers before text, null last; numbers by value, text by code points. */
function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "number") return -1;
  if (typeof b === "number") return 1;
  const x = String(a), y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The rows with these numbers, read a window at a time. */
export function rowsAt(
  read: ReadOptions,
  runId: string,
  t: TableInfo,
  indices: ArrayLike<number>,
): unknown[][] {
  const windows = new Map<number, unknown[][]>();
  const out: unknown[][] = [];
  for (let i = 0; i < indices.length; i++) {
    const idx = indices[i];
    const start = idx - (idx % 1000);
    let w = windows.get(start);
    if (!w) {
      windows.set(
        start,
        w = getTableRows(runId, t.key, { ...read, offset: start, limit: 1000, version: t.version })?.rows ??
          [],
      );
    }
    out.push(w[idx - start]);
  }
  return out;
}

/** The confusion matrix of a prediction table (gold rows × predicted columns), cached per table. */
export function tableMatrix(
  read: ReadOptions,
  runId: string,
  t: TableInfo,
): { labels: string[]; matrix: number[][] } {
  const key = tableId(read, runId, t);
  const hit = matrices.get(key);
  if (hit) return hit;
  const gold = t.columns.indexOf("gold"), pred = t.columns.indexOf("predicted");
  const counts = new Map<string, number>();
  const labels = new Set<string>();
  scanTable(read, runId, t, (row) => {
    if (row[gold] === null || row[gold] === undefined) return;
    const g = String(row[gold]), p = String(row[pred]);
    labels.add(g);
    labels.add(p);
    const k = JSON.stringify([g, p]);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  });
  // Sentiment labels in their usual order (negative, neutral, positive), others after them as they came.
  const rank = (l: string) => {
    const i = (LABELS as readonly string[]).indexOf(l);
    return i < 0 ? LABELS.length : i;
  };
  const list = [...labels].sort((a, b) => rank(a) - rank(b));
  const result = {
    labels: list,
    matrix: list.map((g) => list.map((p) => counts.get(JSON.stringify([g, p])) ?? 0)),
  };
  matrices.set(key, result);
  while (matrices.size > CACHE_SIZE) matrices.delete(matrices.keys().next().value!);
  return result;
}

/** Whether the confusion matrix of this table is already computed. */
export function hasMatrix(read: ReadOptions, runId: string, t: TableInfo): boolean {
  return matrices.has(tableId(read, runId, t));
}
