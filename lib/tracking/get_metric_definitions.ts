import { Metrics, type StoredMetric } from "./_metrics.ts";
import { type ReadOptions, readStore } from "./_read.ts";

/** A metric definition made with `defineMetric` (name or `prefix*` glob, step metric, summary, goal). */
export type MetricDefinition = StoredMetric;

/** Options for {@linkcode getMetricDefinitions}. */
export type GetMetricDefinitionsOptions = ReadOptions;

/** A run's metric definitions and the rule that finds the one applying to a metric. */
export interface MetricDefinitions {
  /** Every definition, in the order they were made. */
  definitions: MetricDefinition[];
  /** The definition that applies to `key` (its own, else the first glob matching it), or null. */
  of(key: string): MetricDefinition | null;
}

/**
 * The metric definitions of a run (what `defineMetric` recorded), e.g. to plot each metric against its
 * step metric as W&B does.
 *
 * @param runId The run.
 * @param options Store directory (and `readOnly`).
 * @returns The definitions, or null when the store has no such run.
 * @throws {TrackingError} when there is no store.
 *
 * @example
 * ```ts
 * import { defineMetric, finishRun, getMetricDefinitions, initRun } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * const run = await initRun({ dir, tracker: "local" });
 * defineMetric(run, "val/*", { stepMetric: "epoch" });
 * await finishRun(run);
 * console.log(getMetricDefinitions(run.id, { dir })?.of("val/loss")?.stepMetric); // epoch
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function getMetricDefinitions(
  runId: string,
  options: GetMetricDefinitionsOptions = {},
): MetricDefinitions | null {
  const store = readStore(options);
  if (!store.runs.getRun(runId)) return null;
  let definitions: MetricDefinition[] = [];
  try {
    definitions = store.runs.metricDefinitions(runId);
  } catch { /* a store from before defineMetric, read without upgrading it: no definitions */ }
  const metrics = new Metrics(definitions);
  return { definitions: metrics.definitions(), of: (key) => metrics.definitionOf(key) };
}
