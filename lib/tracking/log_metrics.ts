import { TrackingError } from "./_errors.ts";
import { fail, stateOf, warnOnce } from "./_state.ts";
import { describe } from "./_validate.ts";
import { pairs, say } from "./_console.ts";
import type { Run } from "./types.ts";

/** Options for {@linkcode logMetrics}. */
export interface LogMetricsOptions {
  /**
   * Step of these values (a non-negative integer), as W&B's `run.log(step=)`: the same step as the current
   * one adds to its row, a higher one commits the current row and moves to it, a lower one is dropped
   * with one warning. Default: the current step.
   */
  step?: number;
  /**
   * Whether to commit the row (W&B's `commit`): a committed row is complete and the current step moves
   * on by one. Default: true without `step`, false with it (the row of an explicit step stays open until
   * a higher step, a commit or the end of the run).
   */
  commit?: boolean;
}

/** Metric values: name -> finite number, or nested objects of them (flattened with `/`). */
export interface MetricValues {
  /** A value, or an object of values logged under `name/...`. */
  [name: string]: number | MetricValues;
}

/** Flattens `{ val: { loss: 1 } }` into `{ "val/loss": 1 }`, checking every leaf. */
function flatten(values: MetricValues, prefix: string, out: Record<string, number>, depth: number): void {
  for (const key in values) {
    const v = values[key];
    const name = prefix + key;
    if (typeof v === "object" && v !== null && !Array.isArray(v) && depth < 16) {
      flatten(v, name + "/", out, depth + 1);
      continue;
    }
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new TrackingError(
        `Cannot log metrics: '${name}' is ${describe(v)}${typeof v === "number" ? "" : ` (${typeof v})`}; ` +
          `metric values must be finite numbers (not NaN or Infinity), or objects of them`,
      );
    }
    if (key.length === 0 || name.length > 128) {
      throw new TrackingError(`Cannot log metrics: metric names must be 1 to 128 characters, got '${name}'`);
    }
    out[name] = v;
  }
}

/**
 * Logs metric values into the run's history, with the step rules of W&B's `run.log`: each call adds to
 * the row of the current step; without `step` the row is committed and the step moves on by one (so
 * plain calls give one row each, steps 0, 1, 2 ...); `commit: false` keeps the row open so that later
 * calls add to it; an explicit `step` equal to the current one adds to its row, a higher one commits the
 * current row first, a lower one is dropped with one warning (W&B: "Steps must be monotonically
 * increasing"). Nested objects are flattened with `/` (`{ val: { loss: 1 } }` logs `val/loss`), as W&B
 * shows them. The summary of each metric follows {@linkcode defineMetric} (default: its last value).
 *
 * On the local store each call is written to the run's journal (one append, in the OS page cache) before
 * this returns, so it survives the process being killed right after; committed rows move into SQLite in
 * batches (every 2,000 rows or 250 ms, at finish, before any read in this process, and on the next open
 * of the store if the process died). A row still open is not visible to readers until it is committed.
 *
 * @param run The run from initRun.
 * @param values Metric name -> finite number (nested objects allowed).
 * @param options The step and whether to commit.
 * @throws {TrackingError} only with `strict: true`: for values that are not finite numbers, bad names or
 * steps, or a finished run.
 *
 * @example
 * ```ts
 * import { finishRun, initRun, logMetrics } from "./mod.ts";
 * const run = await initRun({ tracker: "disabled" });
 * for (let step = 0; step < 3; step++) {
 *   logMetrics(run, { train: { loss: 1 / (step + 1) } }, { step });
 *   logMetrics(run, { val: { loss: 1.2 / (step + 1) } }, { step }); // the same row as train/loss
 * }
 * await finishRun(run);
 * ```
 */
export function logMetrics(run: Run, values: MetricValues, options: LogMetricsOptions = {}): void {
  let s;
  try {
    s = stateOf(run);
  } catch (e) {
    return fail(null, "logMetrics", e);
  }
  if (s.backend === "disabled") return;
  try {
    if (s.finished) {
      throw new TrackingError(
        `Cannot log metrics to run '${run.name}' (${run.id}): the run is already finished`,
      );
    }
    if (typeof values !== "object" || values === null || Array.isArray(values)) {
      throw new TrackingError(
        `Cannot log metrics: expected an object of name -> number, got ${describe(values)}`,
      );
    }
    const flat: Record<string, number> = {};
    flatten(values, "", flat, 0);
    if (Object.keys(flat).length === 0) throw new TrackingError(`Cannot log metrics: no values given`);
    if (options.commit !== undefined && typeof options.commit !== "boolean") {
      throw new TrackingError(
        `Cannot log metrics: commit must be true or false, got ${describe(options.commit)}`,
      );
    }
    const step = options.step;
    if (step !== undefined) {
      if (!Number.isSafeInteger(step) || step < 0) {
        throw new TrackingError(
          `Cannot log metrics: step must be a non-negative integer, got ${describe(step)}`,
        );
      }
      if (step < s.step) {
        // W&B's rule and wording (wandb core/internal/stream/handler.go handlePartialHistorySync).
        warnOnce(
          `step-back:${run.id}`,
          `run ${run.id}: tried to log to step ${step} that is less than the current step ${s.step}. ` +
            `Steps must be monotonically increasing, so this data will be ignored ` +
            `(this warning is shown once per run)`,
        );
        return;
      }
      s.step = step;
    }
    // W&B: commit defaults to true without a step and to false with one.
    const commit = options.commit ?? step === undefined;
    if (s.journal) s.journal.append(s.step, flat, commit);
    else say(run, `step ${s.step} ${pairs(flat)}`);
    s.metrics.observe(s.step, flat, commit);
    if (commit) {
      s.step++;
      s.rowOpen = false;
    } else s.rowOpen = true;
  } catch (e) {
    fail(run, "logMetrics", e);
  }
}
