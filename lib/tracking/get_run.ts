import { type ReadOptions, readStore } from "./_read.ts";
import type { RunDetails } from "./types.ts";

/** Options for {@linkcode getRun}. */
export type GetRunOptions = ReadOptions;

/**
 * One run with its tables and the artifact versions it produced and used.
 *
 * @param id Run id.
 * @param options Store directory.
 * @returns The run, or null when the store has no such run.
 * @throws {TrackingError} when there is no store.
 *
 * @example
 * ```ts
 * import { finishRun, getRun, initRun } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * const run = await initRun({ dir, config: { lr: 0.1 } });
 * await finishRun(run);
 * console.log(getRun(run.id, { dir })?.status); // finished
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function getRun(id: string, options: GetRunOptions = {}): RunDetails | null {
  const store = readStore(options);
  const run = store.runs.getRun(id);
  if (!run) return null;
  return { ...run, tables: store.tables.list(id), ...store.artifacts.runArtifacts(id) };
}
