import { type ReadOptions, readStore } from "./_read.ts";
import type { HistoryRow } from "./types.ts";

/** Options for {@linkcode getHistory}. */
export interface GetHistoryOptions extends ReadOptions {
  /** Skip this many rows (default 0). */
  offset?: number;
  /** At most this many rows (default: all). */
  limit?: number;
  /** Only the last N rows (overrides offset/limit). */
  last?: number;
}

/**
 * The metric history of a run, in logging order.
 *
 * @param runId Run id.
 * @param options Store directory and paging.
 * @returns The history rows (empty for an unknown run).
 * @throws {TrackingError} when there is no store.
 *
 * @example
 * ```ts
 * import { finishRun, getHistory, initRun, logMetrics } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * const run = await initRun({ dir });
 * logMetrics(run, { loss: 0.3 });
 * await finishRun(run);
 * console.log(getHistory(run.id, { dir })[0].values.loss); // 0.3
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function getHistory(runId: string, options: GetHistoryOptions = {}): HistoryRow[] {
  return readStore(options).history.rows(runId, options);
}
