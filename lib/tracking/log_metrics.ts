import { TrackingError } from "./_errors.ts";
import { fail, stateOf } from "./_state.ts";
import { describe } from "./_validate.ts";
import { pairs, say } from "./_console.ts";
import type { Run } from "./types.ts";

/** Options for {@linkcode logMetrics}. */
export interface LogMetricsOptions {
  /** Step of these values (a non-negative integer). Default: one more than the highest step so far. */
  step?: number;
}

/**
 * Appends one row of metric values to the run's history. On the local store the row is written to the
 * run's journal (one append, in the OS page cache) before this returns, so it survives the process being
 * killed right after; rows move into SQLite in batches (every 2,000 rows or 250 ms, at finish, before
 * any read in this process, and on the next open of the store if the process died).
 *
 * @param run The run from initRun.
 * @param values Metric name -> finite number.
 * @param options The step (default: next step).
 * @throws {TrackingError} only with `strict: true`: for values that are not finite numbers, bad names or
 * steps, or a finished run.
 *
 * @example
 * ```ts
 * import { finishRun, initRun, logMetrics } from "./mod.ts";
 * const run = await initRun({ tracker: "disabled" });
 * for (let step = 0; step < 3; step++) logMetrics(run, { loss: 1 / (step + 1) }, { step });
 * await finishRun(run);
 * ```
 */
export function logMetrics(run: Run, values: Record<string, number>, options: LogMetricsOptions = {}): void {
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
    let count = 0;
    for (const key in values) {
      const v = values[key];
      if (typeof v !== "number" || !Number.isFinite(v)) {
        throw new TrackingError(
          `Cannot log metrics: '${key}' is ${describe(v)}${typeof v === "number" ? "" : ` (${typeof v})`}; ` +
            `metric values must be finite numbers (not NaN or Infinity)`,
        );
      }
      if (key.length === 0 || key.length > 128) {
        throw new TrackingError(`Cannot log metrics: metric names must be 1 to 128 characters, got '${key}'`);
      }
      count++;
    }
    if (count === 0) throw new TrackingError(`Cannot log metrics: no values given`);
    let step = s.nextStep;
    if (options.step !== undefined) {
      step = options.step;
      if (!Number.isSafeInteger(step) || step < 0) {
        throw new TrackingError(
          `Cannot log metrics: step must be a non-negative integer, got ${describe(step)}`,
        );
      }
    }
    if (s.journal) s.journal.append(step, JSON.stringify(values));
    else say(run, `step ${step} ${pairs(values)}`);
    if (step >= s.nextStep) s.nextStep = step + 1;
    for (const key in values) s.lastValues[key] = values[key];
  } catch (e) {
    fail(run, "logMetrics", e);
  }
}
