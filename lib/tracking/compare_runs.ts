import type { ReadOptions } from "./_read.ts";
import { TrackingError } from "./_errors.ts";
import { getRun } from "./get_run.ts";
import type { RunDetails, RunStatus } from "./types.ts";

/** Options for {@linkcode compareRuns}. */
export type CompareRunsOptions = ReadOptions;

/** One key compared across runs: its value in each run, in the order of the ids (null: not set). */
export interface ComparedKey {
  /** Config or summary key. */
  key: string;
  /** The value in each run (null when the run does not have it). */
  values: unknown[];
  /** Whether every run has the same value. */
  same: boolean;
}

/** Runs side by side: what differs in their config, their summaries, the artifacts each used and produced. */
export interface RunComparison {
  /** The runs, in the order asked. */
  runs: {
    id: string;
    name: string;
    project: string;
    status: RunStatus;
    startedAt: string;
    exitCode: number | null;
  }[];
  /** Every config key of any run; `same` tells the differences apart. */
  config: ComparedKey[];
  /** Every summary key of any run. */
  summary: ComparedKey[];
  /** Per run: the artifact versions (`name:vN`) it used and produced. */
  artifacts: { used: string[]; produced: string[] }[];
}

function compare(records: Record<string, unknown>[]): ComparedKey[] {
  const keys = [...new Set(records.flatMap((r) => Object.keys(r)))].sort();
  return keys.map((key) => {
    const values = records.map((r) => key in r ? r[key] : null);
    const first = JSON.stringify(values[0]);
    return { key, values, same: values.every((v) => JSON.stringify(v) === first) };
  });
}

/**
 * Compares runs side by side (`deno task runs compare A B [C...]`): the config keys and whether they
 * differ, the summaries, and which artifact versions each run used and produced.
 *
 * @param ids Two or more run ids.
 * @param options Store directory.
 * @returns The comparison.
 * @throws {TrackingError} for fewer than two ids, an id not in the store, or no store.
 *
 * @example
 * ```ts
 * import { compareRuns, finishRun, initRun, setSummary } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * const ids: string[] = [];
 * for (const lr of [0.1, 0.01]) {
 *   const run = await initRun({ dir, config: { lr, epochs: 3 } });
 *   setSummary(run, { accuracy: lr * 9 });
 *   await finishRun(run);
 *   ids.push(run.id);
 * }
 * const c = compareRuns(ids, { dir });
 * console.log(c.config.filter((k) => !k.same).map((k) => k.key)); // ["lr"]
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function compareRuns(ids: string[], options: CompareRunsOptions = {}): RunComparison {
  if (!Array.isArray(ids) || ids.length < 2) {
    throw new TrackingError(`Cannot compare runs: give two or more run ids, got ${ids?.length ?? 0}`);
  }
  const runs: RunDetails[] = ids.map((id) => {
    const run = getRun(id, options);
    if (!run) {
      throw new TrackingError(
        `Cannot compare runs: no run '${id}' in the store; 'deno task runs' lists them`,
      );
    }
    return run;
  });
  return {
    runs: runs.map((r) => ({
      id: r.id,
      name: r.name,
      project: r.project,
      status: r.status,
      startedAt: r.startedAt,
      exitCode: r.exitCode,
    })),
    config: compare(runs.map((r) => r.config)),
    summary: compare(runs.map((r) => r.summary)),
    artifacts: runs.map((r) => ({ used: r.used.map((v) => v.ref), produced: r.produced.map((v) => v.ref) })),
  };
}
