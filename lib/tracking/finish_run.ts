import { endRun } from "./_end_run.ts";
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
 * Calling it is optional, as with W&B's `run.finish()`: a run still open when the program ends is ended
 * for it: finished (0) at the normal end, the code of `Deno.exit(n)`, failed (1) on an uncaught exception
 * or unhandled rejection (its message and stack kept in the summary's `_error` and the output), killed on
 * SIGINT (exit code 255, as the W&B SDK records Ctrl-C) or SIGTERM (143). Only what no handler sees
 * (SIGKILL, power loss) is found `crashed` on the next open of the store.
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
  return endRun(run, { exitCode: options.exitCode ?? 0 });
}
