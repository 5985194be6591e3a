import { fail, stateOf } from "./_state.ts";
import { checkDefinition, type SummaryKind } from "./_metrics.ts";
import { TrackingError } from "./_errors.ts";
import { say } from "./_console.ts";
import type { Run } from "./types.ts";

export type { SummaryKind } from "./_metrics.ts";

/** Options for {@linkcode defineMetric}, as W&B's `run.define_metric`. */
export interface DefineMetricOptions {
  /** The metric this one is plotted against in W&B (its x axis), e.g. "epoch". */
  stepMetric?: string;
  /**
   * What the run's summary keeps for the metric: "min", "max", "mean", "last", "first" or a comma list of
   * them ("min,max"), each under its own key (`{ min: 0.12 }`), or "none" for no summary. Default: the
   * last value, as a plain number.
   */
  summary?: SummaryKind | `${SummaryKind},${string}`;
  /** Whether lower or higher is better ("minimize" | "maximize"), shown by W&B. */
  goal?: "minimize" | "maximize";
  /** Hide the metric from W&B's automatic charts. */
  hidden?: boolean;
}

/**
 * Defines how a metric is summarised and plotted, like W&B's `run.define_metric`. `name` may end in `*`
 * to define every metric starting with the rest (`"val/*"`); a metric's own definition wins over a glob,
 * and a later definition of the same name replaces the earlier one. The definitions are kept with the
 * run (and sent to W&B the way the W&B SDK sends them, in the run config's `_wandb.m`).
 *
 * @param run The run from initRun.
 * @param name Metric name or glob (`"val/*"`; `*` only at the end).
 * @param options Step metric, summary, goal, hidden.
 * @throws {TrackingError} only with `strict: true`: for a bad name or option, or a finished run.
 *
 * @example
 * ```ts
 * import { defineMetric, finishRun, initRun, logMetrics } from "./mod.ts";
 * const run = await initRun({ tracker: "disabled" });
 * defineMetric(run, "val/*", { summary: "min", goal: "minimize", stepMetric: "epoch" });
 * logMetrics(run, { epoch: 1, val: { loss: 0.4 } });
 * await finishRun(run); // summary: { epoch: 1, "val/loss": { min: 0.4 } }
 * ```
 */
export function defineMetric(run: Run, name: string, options: DefineMetricOptions = {}): void {
  let s;
  try {
    s = stateOf(run);
  } catch (e) {
    return fail(null, "defineMetric", e);
  }
  if (s.backend === "disabled") return;
  try {
    if (s.finished) {
      throw new TrackingError(`Cannot define metric '${name}': run '${run.name}' (${run.id}) is finished`);
    }
    const def = checkDefinition(name, options ?? {});
    s.metrics.define(def);
    if (s.store) s.store.runs.setMetricDefinitions(run.id, s.metrics.definitions());
    else say(run, `metric ${name} ${JSON.stringify(options)}`);
  } catch (e) {
    fail(run, "defineMetric", e);
  }
}
