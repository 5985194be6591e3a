import { fail, stateOf, warnOnce } from "./_state.ts";
import { TrackingError } from "./_errors.ts";
import { say } from "./_console.ts";
import { stopCapture } from "./_capture.ts";
import type { Run } from "./types.ts";

/** Options for {@linkcode finishRun}. */
export interface FinishRunOptions {
  /** Exit code of the work: 0 (default) marks the run finished, anything else failed. */
  exitCode?: number;
}

/**
 * Ends a run: records the end time, the exit code and status (finished or failed) and fills the summary
 * with the last value of every metric not set explicitly, and stops recording the console output (the
 * console methods are restored once no run records). A second call does nothing.
 *
 * On the "wandb" backend it then gives the uploader a bounded time (`wandb.flushTimeoutMs` of initRun,
 * default 5 s) to send what W&B has not got, the exit code last. What is left after that stays in the
 * local store (one warning says what) for `deno task sync`; nothing is left running that would keep the
 * process from exiting.
 *
 * @param run The run from initRun.
 * @param options The exit code.
 * @returns Resolves once the run is recorded as ended.
 * @throws {TrackingError} only with `strict: true`, when the store cannot be written.
 *
 * @example
 * ```ts
 * import { finishRun, initRun } from "./mod.ts";
 * const run = await initRun({ tracker: "disabled" });
 * await finishRun(run, { exitCode: 0 });
 * ```
 */
export function finishRun(run: Run, options: FinishRunOptions = {}): Promise<void> {
  try {
    const s = stateOf(run);
    if (s.finished) return Promise.resolve();
    const exitCode = options.exitCode ?? 0;
    if (!Number.isSafeInteger(exitCode)) {
      throw new TrackingError(
        `Cannot finish run '${run.name}': exitCode must be an integer, got ${exitCode}`,
      );
    }
    s.finished = true;
    stopCapture(run);
    if (s.backend === "disabled") return Promise.resolve();
    if (s.journal) s.journal.close();
    s.journal = null;
    if (s.store) s.store.finishRun(run.id, exitCode, s.lastValues);
    else say(run, exitCode === 0 ? "finished" : `failed (exit code ${exitCode})`);
    const uploader = s.uploader;
    s.uploader = null;
    if (uploader) {
      return uploader.finish(s.flushTimeoutMs).then((left) => {
        if (left) {
          const why = uploader.lastError ? ` (${uploader.lastError})` : "";
          warnOnce(
            `wandb-left:${run.id}`,
            `W&B has not got all of run ${run.id} yet${why}: ${left}; it is safe in the local store: ` +
              `\`deno task sync ${run.id}\` uploads it`,
          );
        }
      }, (e) => fail(run, "finishRun", e));
    }
  } catch (e) {
    try {
      fail(run, "finishRun", e);
    } catch (strictError) {
      return Promise.reject(strictError);
    }
  }
  return Promise.resolve();
}
