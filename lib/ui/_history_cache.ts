// Private: the metric history of the runs the viewer showed last, kept so that a live page's reloads (every
// 2 s) and later visits read only the rows logged since: history rows are only ever appended (ids grow).
import { getHistory, type HistoryRow, type ReadOptions } from "../tracking/mod.ts";

const KEEP = 4;
const cache = new Map<string, HistoryRow[]>();

/** Every history row of the run, reading from the store only what was added since the last call. */
export function historyOf(read: ReadOptions, runId: string, historyCount: number): HistoryRow[] {
  const key = JSON.stringify([read.dir ?? "", runId]);
  let rows = cache.get(key);
  cache.delete(key);
  if (!rows || rows.length > historyCount) rows = [];
  if (rows.length < historyCount) {
    const more = getHistory(runId, { ...read, offset: rows.length });
    // Appended rows continue the ids; anything else (a run rewritten) is read again in full.
    if (more.length && rows.length && more[0].id <= rows[rows.length - 1].id) rows = getHistory(runId, read);
    else rows = rows.concat(more);
  }
  cache.set(key, rows);
  while (cache.size > KEEP) cache.delete(cache.keys().next().value!);
  return rows;
}
