import { TrackingError } from "./_errors.ts";
import { fail, stateOf } from "./_state.ts";
import { recordToJson } from "./_validate.ts";
import { pairs, say } from "./_console.ts";
import type { Run } from "./types.ts";

/**
 * Sets summary values of a run (merged into what was set before). On finish, every metric without an
 * explicit summary gets its last logged value.
 *
 * @param run The run from initRun.
 * @param values Key -> JSON-serialisable value (each at most 1 MB serialised).
 * @throws {TrackingError} only with `strict: true`: for values that cannot be serialised or are over 1 MB.
 *
 * @example
 * ```ts
 * import { finishRun, initRun, setSummary } from "./mod.ts";
 * const run = await initRun({ tracker: "disabled" });
 * setSummary(run, { best_accuracy: 0.93, best_epoch: 4 });
 * await finishRun(run);
 * ```
 */
export function setSummary(run: Run, values: Record<string, unknown>): void {
  let s;
  try {
    s = stateOf(run);
  } catch (e) {
    return fail(null, "setSummary", e);
  }
  if (s.backend === "disabled") return;
  try {
    if (s.finished) {
      throw new TrackingError(
        `Cannot set the summary of run '${run.name}' (${run.id}): the run is already finished`,
      );
    }
    recordToJson(values, "summary", "Cannot set summary");
    if (s.store) s.store.runs.mergeSummary(run.id, values);
    else say(run, `summary ${pairs(values)}`);
    for (const k in values) s.summaryKeys.add(k);
  } catch (e) {
    fail(run, "setSummary", e);
  }
}
