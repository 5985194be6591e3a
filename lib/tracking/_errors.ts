/**
 * Error type of the tracking module.
 * @module
 */

/**
 * A tracking call failed: bad input, or the store could not be used. The message says what was wrong,
 * where (the option, field, file or reference) and what to do. Thrown only with `strict: true` (or by the
 * read functions); otherwise tracking prints one warning and the program goes on.
 *
 * @example
 * ```ts
 * import { initRun, TrackingError } from "./mod.ts";
 * try {
 *   await initRun({ tracker: "disabled", project: "team/x", strict: true });
 * } catch (e) {
 *   if (e instanceof TrackingError) console.log(e.message); // Cannot start run: option 'project' ...
 * }
 * ```
 */
export class TrackingError extends Error {
  /**
   * Creates a tracking error.
   * @param message What went wrong and what to do.
   * @param options Error options (cause).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TrackingError";
  }
}
