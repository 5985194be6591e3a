/**
 * Error type of the tracking module.
 * @module
 */

/** A tracking call failed: bad input, or the store could not be used. */
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
