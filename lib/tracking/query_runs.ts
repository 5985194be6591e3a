import { type ReadOptions, readStore } from "./_read.ts";
import { compileFilter } from "./_query.ts";
import type { RunRecord, RunStatus } from "./types.ts";

/** Options for {@linkcode queryRuns}: filters, sort and page. */
export interface QueryRunsOptions extends ReadOptions {
  /** Only runs of this project. */
  project?: string;
  /** Only runs of this group. */
  group?: string;
  /** Only runs with this status. */
  status?: RunStatus;
  /** Only runs carrying every one of these tags. */
  tags?: string[];
  /** Only runs whose id, name, project, group, tags or notes contain this text (case-insensitive for ASCII). */
  text?: string;
  /** Only runs matching this filter expression, as listRuns' `filter` (e.g. `summary.accuracy > 0.9`). */
  filter?: string;
  /**
   * Sort key: `started` (default, newest first), `ended`, `name`, `id`, `project`, `group`, `status`,
   * `jobType`, `exitCode`, `duration`, or `summary.KEY` / `config.KEY` for a value; missing values last.
   */
  sort?: string;
  /** Descending order (default: true for the default sort, else false). */
  desc?: boolean;
  /** Index of the first run of the page (default 0). */
  offset?: number;
  /** Runs per page (default: all). */
  limit?: number;
}

/** A page of runs with what the filters can choose from. */
export interface RunPage {
  /** Number of runs matching the filters (all pages). */
  total: number;
  /** The runs of this page. */
  runs: RunRecord[];
  /** Every project in the store, sorted. */
  projects: string[];
  /** Every group in the store, sorted. */
  groups: string[];
}

/**
 * One page of the runs matching filters, sorted by a column or a summary/config value, with the total:
 * what a runs table (the viewer's, a notebook's) needs for a store of many runs without loading them all.
 *
 * @param options Store directory (and `readOnly`), filters, sort and page.
 * @returns The page, the total and the projects and groups to filter by.
 * @throws {TrackingError} when there is no store or the filter expression is invalid (the message shows where).
 *
 * @example
 * ```ts
 * import { finishRun, initRun, logMetrics, queryRuns } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * for (const acc of [0.7, 0.9]) {
 *   const run = await initRun({ dir, project: "demo", tracker: "local" });
 *   logMetrics(run, { acc });
 *   await finishRun(run);
 * }
 * const page = queryRuns({ dir, sort: "summary.acc", desc: true, limit: 1 });
 * console.log(page.total, page.runs[0].summary.acc); // 2 0.9
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function queryRuns(options: QueryRunsOptions = {}): RunPage {
  const filter = options.filter === undefined ? undefined : compileFilter(options.filter);
  const store = readStore(options);
  const page = store.runs.queryRuns({ ...options, filter });
  return { ...page, ...store.runs.runFacets() };
}
