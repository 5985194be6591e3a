import { type ReadOptions, readStore } from "./_read.ts";
import type { RunRecord, RunStatus } from "./types.ts";

/** Options for {@linkcode listRuns}. */
export interface ListRunsOptions extends ReadOptions {
  /** Only runs of this project. */
  project?: string;
  /** Only runs with this status. */
  status?: RunStatus;
  /** At most this many runs (newest first). */
  limit?: number;
}

/**
 * Lists the runs in the local store, newest first. Runs whose process died are reported as crashed.
 *
 * @param options Store directory and filters.
 * @returns The runs.
 * @throws {TrackingError} when there is no store.
 *
 * @example
 * ```ts
 * import { finishRun, initRun, listRuns } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * await finishRun(await initRun({ project: "demo", dir }));
 * console.log(listRuns({ dir }).map((r) => `${r.id} ${r.status}`));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function listRuns(options: ListRunsOptions = {}): RunRecord[] {
  return readStore(options).listRuns(options);
}
