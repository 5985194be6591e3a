import { type ReadOptions, readStore } from "./_read.ts";

/** Options for {@linkcode getOutput}. */
export interface GetOutputOptions extends ReadOptions {
  /** Only the last N lines (default: all). */
  last?: number;
}

/** One line of a run's recorded console output. */
export interface OutputLineRecord {
  /** Store-wide increasing id (the order lines were printed in). */
  id: number;
  /** ISO time the line was printed. */
  time: string;
  /** `stdout` (console.log, info, debug) or `stderr` (console.warn, error). */
  stream: "stdout" | "stderr";
  /** The line as printed, without its newline (cut at 10,000 characters). */
  text: string;
}

/**
 * The console output a run recorded (see `captureConsole` of initRun), in printing order.
 *
 * @param runId Run id.
 * @param options Store directory and how many of the last lines.
 * @returns The lines (empty for an unknown run or a run that recorded nothing).
 * @throws {TrackingError} when there is no store.
 *
 * @example
 * ```ts
 * import { finishRun, getOutput, initRun } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * const run = await initRun({ dir, tracker: "local" });
 * console.log("epoch 1 done");
 * await finishRun(run);
 * console.log(getOutput(run.id, { dir }).map((l) => l.text)); // ["epoch 1 done"]
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function getOutput(runId: string, options: GetOutputOptions = {}): OutputLineRecord[] {
  return readStore(options).output.lines(runId, options.last).map((o) => ({
    id: o.id,
    time: new Date(o.ts).toISOString(),
    stream: o.stream,
    text: o.line,
  }));
}
