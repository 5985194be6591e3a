/**
 * The error type of the W&B client.
 * @module
 */

/** What went wrong, coarsely: lets callers decide whether to retry later (sync) or give up. */
export type WandbErrorKind =
  | "config"
  | "auth"
  | "network"
  | "timeout"
  | "http"
  | "graphql"
  | "protocol"
  | "upload"
  | "digest"
  | "not_found";

/** Options for {@linkcode WandbError}. */
export interface WandbErrorOptions {
  /** The operation: a GraphQL operation name, `file_stream`, `upload`, `download`, ... */
  op?: string;
  /** HTTP status, when there was a response. */
  status?: number;
  /** Whether trying again later may succeed (network trouble, 5xx, 429, timeouts). */
  transient?: boolean;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * An error from the W&B client. Messages never contain the API key.
 *
 * @example
 * ```ts
 * import { WandbError } from "./errors.ts";
 * const e = new WandbError("timeout", "W&B did not answer 'Viewer' within 5000 ms", { op: "Viewer", transient: true });
 * console.log(e.kind, e.transient);
 * ```
 */
export class WandbError extends Error {
  /** What went wrong. */
  readonly kind: WandbErrorKind;
  /** The operation that failed. */
  readonly op: string | undefined;
  /** HTTP status, when there was a response. */
  readonly status: number | undefined;
  /** Whether trying again later may succeed. */
  readonly transient: boolean;

  /**
   * Creates the error.
   *
   * @param kind What went wrong.
   * @param message A message that says what failed and what to do (no secrets).
   * @param options Operation, status, transient flag and cause.
   */
  constructor(kind: WandbErrorKind, message: string, options: WandbErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "WandbError";
    this.kind = kind;
    this.op = options.op;
    this.status = options.status;
    this.transient = options.transient ?? false;
  }
}
