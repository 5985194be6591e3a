import { type ReadOptions, readStore } from "./_read.ts";
import { TrackingError } from "./_errors.ts";
import { compileFilter, fieldOf } from "./_query.ts";
import { syncStatusOf } from "./_sync_status.ts";
import { wandbTarget } from "./_target.ts";
import type { SyncStatus } from "./get_sync_status.ts";
import type { RunRecord, RunStatus } from "./types.ts";

/** Options for {@linkcode listRuns}. */
export interface ListRunsOptions extends ReadOptions {
  /** Only runs of this project. */
  project?: string;
  /** Only runs of this group. */
  group?: string;
  /** Only runs carrying every one of these tags. */
  tags?: string[];
  /** Only runs with this status. */
  status?: RunStatus;
  /**
   * Only runs matching this expression: comparisons of `summary.KEY`, `config.KEY` or a run field (`name`,
   * `status`, `group`, `jobType`, `exitCode`, `startedAt`, ...) with a number, "text", true, false or null
   * (`= != > >= < <=`), `tags contains "x"`, `FIELD contains "text"`, joined with `and`, `or`, `not` and
   * parentheses. Example: `summary.accuracy > 0.9 and config.model = "default"`.
   */
  filter?: string;
  /**
   * Sort key: a run field (`startedAt`, `name`, `status`, `exitCode`, ...) or `summary.KEY` / `config.KEY`;
   * a leading `-` sorts descending. Runs without the value come last. Default: newest first.
   */
  sort?: string;
  /** At most this many runs. */
  limit?: number;
  /**
   * Also read each listed run's W&B sync state ({@linkcode ListedRun.sync}, as getSyncStatus gives it) on
   * the same open store: one open and crash check for the whole list, not one per run.
   */
  sync?: boolean;
  /** With `sync`: the W&B base URL whose sync state to read (default: WANDB_BASE_URL, else https://api.wandb.ai). */
  target?: string;
}

/** A listed run; with the `sync` option, its W&B sync state too. */
export interface ListedRun extends RunRecord {
  /** What of the run is on W&B and what is pending (only with the `sync` option). */
  sync?: SyncStatus;
}

/**
 * Lists the runs in the local store, newest first unless `sort` says otherwise, filtered by project,
 * group, tags, status and a filter expression (evaluated by SQLite: a store of 10,000 runs is filtered and
 * sorted without loading them). Runs whose process died are reported as crashed.
 *
 * @param options Store directory, filters, sort and limit; `sync` for each run's W&B sync state.
 * @returns The runs (with `sync`, each with its sync state).
 * @throws {TrackingError} when there is no store, or for an invalid filter (the error shows where it
 * failed) or sort key.
 *
 * @example
 * ```ts
 * import { finishRun, initRun, listRuns, setSummary } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * for (const accuracy of [0.8, 0.95]) {
 *   const run = await initRun({ project: "demo", dir, config: { model: "default" } });
 *   setSummary(run, { accuracy });
 *   await finishRun(run);
 * }
 * const best = listRuns({ dir, filter: 'summary.accuracy > 0.9 and config.model = "default"', sort: "-summary.accuracy" });
 * console.log(best.map((r) => r.summary.accuracy)); // [0.95]
 * console.log(listRuns({ dir, sync: true })[0].sync?.synced); // false (kept locally only)
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function listRuns(options: ListRunsOptions = {}): ListedRun[] {
  const filter = options.filter === undefined ? undefined : compileFilter(options.filter);
  let sort: string | undefined;
  let desc: boolean | undefined;
  if (options.sort !== undefined) {
    desc = options.sort.startsWith("-");
    sort = options.sort.replace(/^[-+]/, "");
    const f = fieldOf(sort);
    if (!f || f.tags) {
      throw new TrackingError(
        `Cannot sort by '${options.sort}': use [-]summary.KEY, [-]config.KEY or a run field ` +
          `(startedAt, endedAt, name, id, project, group, jobType, status, exitCode)`,
      );
    }
  }
  if (options.limit !== undefined && (!Number.isSafeInteger(options.limit) || options.limit < 0)) {
    throw new TrackingError(`Cannot list runs: limit must be a non-negative integer, got ${options.limit}`);
  }
  const store = readStore(options);
  const runs: ListedRun[] = store.runs.queryRuns({
    project: options.project,
    group: options.group,
    tags: options.tags,
    status: options.status,
    filter,
    sort,
    desc,
    limit: options.limit,
    count: false,
  }).runs;
  if (!options.sync) return runs;
  const target = options.target ?? wandbTarget();
  return runs.map((r) => ({ ...r, sync: syncStatusOf(store, r.id, target)! }));
}
