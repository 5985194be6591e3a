/**
 * The HTTP core of the W&B client: timeouts, retries with backoff and jitter, a total deadline, GraphQL.
 * @module
 */
import { WandbError } from "./errors.ts";
import { proxyConfigured, readEnv, requestWithFile } from "./_put_file.ts";
import type { WandbSettings } from "./settings.ts";

/** Retry and timeout policy. Every loop is bounded by `maxAttempts` and `deadlineMs`. */
export interface RetryOptions {
  /** Timeout of one attempt, including reading the body, in ms (default 30000). */
  timeoutMs?: number;
  /** Attempts per request, the first included (default 8). */
  maxAttempts?: number;
  /** First backoff delay in ms; doubles per attempt (default 500). */
  baseDelayMs?: number;
  /** Largest backoff delay in ms (default 30000). A longer RateLimit-Reset is honoured up to the deadline. */
  maxDelayMs?: number;
  /** Total time for one request with all its retries, in ms (default 120000). */
  deadlineMs?: number;
}

/** What the client reports before it retries. */
export interface RetryEvent {
  /** The operation. */
  op: string;
  /** The attempt that failed (1-based). */
  attempt: number;
  /** The wait before the next attempt, in ms. */
  delayMs: number;
  /** Why the attempt failed (no secrets). */
  reason: string;
  /** HTTP status, if any. */
  status?: number;
}

/** Options for {@linkcode createWandbClient}. */
export interface WandbClientOptions {
  /** Default retry policy of every request. */
  retry?: RetryOptions;
  /** Called before each retry (default: nothing; the caller decides what to print). */
  onRetry?: (event: RetryEvent) => void;
  /** The fetch to use (default: global fetch). */
  fetch?: typeof fetch;
}

/** Options of one request. */
export interface WandbRequestOptions {
  /** Overrides of the client's retry policy. */
  retry?: RetryOptions;
  /** Aborts the request and its retries (e.g. a bounded flush at exit). */
  signal?: AbortSignal;
}

/** An HTTP request of {@linkcode WandbClient.request}. */
export interface WandbHttpRequest extends WandbRequestOptions {
  /** HTTP method. */
  method: "GET" | "POST" | "PUT";
  /** Absolute URL. */
  url: string;
  /** Request body. */
  body?: Uint8Array | string;
  /**
   * A file to send as the body instead, streamed from disk with its `Content-Length` (read afresh on each
   * attempt; with a custom `fetch`, read whole and passed to it).
   */
  bodyFile?: string;
  /** Extra headers. */
  headers?: Record<string, string>;
  /**
   * `true` for W&B API calls (a 401/403 then means a refused key); default: send the Authorization header
   * only when the URL is on the base URL's origin (storage URLs are presigned).
   */
  auth?: boolean;
  /** Read the response body (default true). */
  readBody?: boolean;
}

/** A response, fully read. */
export interface WandbHttpResponse {
  /** HTTP status. */
  status: number;
  /** Response headers. */
  headers: Headers;
  /** Response body. */
  body: Uint8Array;
}

/** A W&B API client. It holds the API key privately: the key is not a property of the object. */
export interface WandbClient {
  /** Base URL (no trailing slash). */
  readonly baseUrl: string;
  /** Settings (the key is non-enumerable). */
  readonly settings: WandbSettings;
  /**
   * Sends a GraphQL operation and returns its `data`.
   * @throws {WandbError} on HTTP, network, timeout, GraphQL errors or a body that is not JSON.
   */
  graphql<T = Record<string, unknown>>(
    operationName: string,
    query: string,
    variables: Record<string, unknown>,
    options?: WandbRequestOptions,
  ): Promise<T>;
  /**
   * Sends an HTTP request with timeout and retries; resolves only on a 2xx.
   * @throws {WandbError} on a non-2xx after retries, network trouble or timeout.
   */
  request(op: string, request: WandbHttpRequest): Promise<WandbHttpResponse>;
  /** Replaces the API key (and its base64 form) by `***` in a text. */
  redact(text: string): string;
}

const DEFAULTS: Required<RetryOptions> = {
  timeoutMs: 30_000,
  maxAttempts: 8,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  deadlineMs: 120_000,
};

const dec = new TextDecoder();

/**
 * Statuses W&B's SDK never retries: a bad request, refused credentials or permission, not found, a
 * conflict, gone, too large, unprocessable, not implemented. Every other 4xx and 5xx is retried, 408 and
 * 429 included (wandb/wandb core/internal/clients/retry_policy.go `RetryMostFailures`). `UpsertBucket`
 * retries a 409 (`UpsertBucketRetryPolicy`).
 */
const FINAL_STATUSES = new Set([400, 401, 403, 404, 409, 410, 413, 422, 501]);

/**
 * File transfers: the PUTs to upload URLs and the GETs of artifact files and manifests. The SDK sends them
 * through its file transfer manager, whose policy is retryablehttp's base one (wandb/wandb
 * core/internal/filetransfer/file_transfer_retry_policy.go `FileTransferRetryPolicy`,
 * core/pkg/artifacts/downloader.go): only 429 and 5xx other than 501 are retried; any other 4xx is final
 * (a presigned URL that refuses a PUT will refuse it again).
 */
const FILE_TRANSFERS = new Set(["upload", "artifact_file_get", "manifest_download"]);

/** Whether the SDK retries a response with this status for this operation. */
export function retriedStatus(status: number, op: string): boolean {
  if (FILE_TRANSFERS.has(op)) return status === 429 || status >= 500 && status !== 501;
  if (status === 409 && op === "UpsertBucket") return true;
  if (FINAL_STATUSES.has(status)) return false;
  return (status >= 400 && status <= 599) || status >= 600;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** Parses RateLimit-Reset (delta seconds) or Retry-After (seconds or HTTP date) into ms. */
function serverDelayMs(headers: Headers): number | null {
  const reset = headers.get("ratelimit-reset");
  if (reset !== null && /^\s*\d+(\.\d+)?\s*$/.test(reset)) return Number(reset) * 1000;
  const after = headers.get("retry-after");
  if (after !== null) {
    if (/^\s*\d+(\.\d+)?\s*$/.test(after)) return Number(after) * 1000;
    const t = Date.parse(after);
    if (!Number.isNaN(t)) return Math.max(0, t - Date.now());
  }
  return null;
}

function snippet(body: Uint8Array): string {
  const s = dec.decode(body.subarray(0, 400)).replace(/\s+/g, " ").trim();
  return s.length > 200 ? `${s.slice(0, 200)}...` : s;
}

/**
 * Creates a W&B client for the given settings. No request is sent.
 *
 * Requests time out after `retry.timeoutMs`; network errors, timeouts and the statuses W&B's SDK retries
 * (every 4xx and 5xx but 400, 401, 403, 404, 409, 410, 413, 422 and 501; a 409 of UpsertBucket too) are
 * retried with exponential backoff and jitter (honouring RateLimit-Reset, and Retry-After as seconds or an
 * HTTP date) within `maxAttempts` and `deadlineMs`. Other statuses fail at once. Errors never contain the
 * API key.
 *
 * @param settings From {@linkcode resolveWandbSettings}.
 * @param options Retry policy, retry callback, fetch.
 * @returns The client.
 * @example
 * ```ts
 * import { createWandbClient, resolveWandbSettings } from "./mod.ts";
 * const client = createWandbClient(resolveWandbSettings({ apiKey: "0".repeat(40) }), { retry: { deadlineMs: 10_000 } });
 * console.log(client.baseUrl);
 * ```
 */
export function createWandbClient(settings: WandbSettings, options: WandbClientOptions = {}): WandbClient {
  const key = settings.apiKey;
  const authorization = `Basic ${btoa(`api:${key}`)}`;
  const b64 = authorization.slice(6);
  const origin = new URL(settings.baseUrl).origin;
  const fetchImpl = options.fetch ?? fetch;
  const clientRetry = { ...DEFAULTS, ...options.retry };

  const redact = (text: string): string => {
    let out = text;
    for (const secret of [key, b64]) if (secret) out = out.split(secret).join("***");
    return out;
  };

  async function request(op: string, req: WandbHttpRequest): Promise<WandbHttpResponse> {
    const policy = { ...clientRetry, ...req.retry };
    const maxAttempts = Math.max(1, Math.floor(policy.maxAttempts));
    const start = Date.now();
    const headers: Record<string, string> = { "User-Agent": "sentilab-wandb/0.1", ...req.headers };
    const sendAuth = req.auth ?? new URL(req.url).origin === origin;
    if (sendAuth) headers.Authorization = authorization;
    let lastError: WandbError | null = null;
    let attempts = 0;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (req.signal?.aborted) break;
      const remaining = policy.deadlineMs - (Date.now() - start);
      if (remaining <= 0) break;
      const timeout = Math.max(1, Math.min(policy.timeoutMs, remaining));
      const timeoutSignal = AbortSignal.timeout(timeout);
      const signal = req.signal ? AbortSignal.any([timeoutSignal, req.signal]) : timeoutSignal;
      let delay: number | null = null;
      attempts = attempt;
      try {
        // a file is streamed with its Content-Length, except through a proxy (node:http does not use one)
        const res = req.bodyFile !== undefined && !options.fetch && !proxyConfigured(req.url, readEnv)
          ? await requestWithFile(req.method, req.url, req.bodyFile, headers, signal)
          : await fetchImpl(req.url, {
            method: req.method,
            headers,
            body: (req.bodyFile !== undefined ? await Deno.readFile(req.bodyFile) : req.body) as
              | BodyInit
              | undefined,
            signal,
          });
        const ok = res.status >= 200 && res.status < 300;
        if (ok && req.readBody === false) {
          await res.body?.cancel();
          return { status: res.status, headers: res.headers, body: new Uint8Array() };
        }
        const body = new Uint8Array(await res.arrayBuffer());
        if (ok) return { status: res.status, headers: res.headers, body };
        const transient = retriedStatus(res.status, op);
        const detail = redact(snippet(body));
        if ((res.status === 401 || res.status === 403) && req.auth === true) {
          throw new WandbError(
            "auth",
            `W&B refused the API key for '${op}' (HTTP ${res.status}${
              detail ? `: ${detail}` : ""
            }): check WANDB_API_KEY or ~/.netrc`,
            { op, status: res.status },
          );
        }
        lastError = new WandbError(
          res.status === 404 ? "not_found" : "http",
          `W&B answered '${op}' with HTTP ${res.status}${detail ? `: ${detail}` : ""}`,
          { op, status: res.status, transient },
        );
        if (!transient) throw lastError;
        delay = serverDelayMs(res.headers);
      } catch (e) {
        if (e instanceof WandbError) throw e;
        if (req.signal?.aborted) {
          lastError = new WandbError("network", `'${op}' was cancelled`, { op, transient: true });
          break;
        }
        const timedOut = timeoutSignal.aborted;
        const reason = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        lastError = timedOut
          ? new WandbError("timeout", `W&B did not answer '${op}' within ${timeout} ms`, {
            op,
            transient: true,
          })
          : new WandbError("network", `Cannot reach W&B at ${origin} for '${op}': ${redact(reason)}`, {
            op,
            transient: true,
          });
      }
      if (attempt >= maxAttempts) break;
      if (delay === null) {
        const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
        delay = exp / 2 + Math.random() * (exp / 2);
      }
      delay = Math.round(delay);
      if (Date.now() - start + delay >= policy.deadlineMs) break;
      options.onRetry?.({ op, attempt, delayMs: delay, reason: lastError.message, status: lastError.status });
      await sleep(delay, req.signal);
    }
    if (req.signal?.aborted) {
      throw new WandbError("network", `'${op}' was cancelled`, {
        op,
        transient: true,
      });
    }
    const err = lastError ?? new WandbError("timeout", `'${op}' ran out of time`, { op, transient: true });
    const elapsed = ((Date.now() - start) / 1000).toFixed(1);
    throw new WandbError(err.kind, `${err.message} (gave up after ${attempts} attempt(s) in ${elapsed} s)`, {
      op,
      status: err.status,
      transient: true,
    });
  }

  async function graphql<T>(
    operationName: string,
    query: string,
    variables: Record<string, unknown>,
    opts: WandbRequestOptions = {},
  ): Promise<T> {
    const res = await request(operationName, {
      method: "POST",
      url: `${settings.baseUrl}/graphql`,
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ query, variables, operationName }),
      auth: true,
      ...opts,
    });
    let parsed: { data?: unknown; errors?: { message?: string }[] };
    try {
      parsed = JSON.parse(dec.decode(res.body));
    } catch {
      throw new WandbError(
        "protocol",
        `W&B answered '${operationName}' with a body that is not JSON (HTTP ${res.status}: "${
          redact(snippet(res.body))
        }"): check that WANDB_BASE_URL (${settings.baseUrl}) points at the W&B API`,
        { op: operationName, status: res.status },
      );
    }
    if (parsed === null || typeof parsed !== "object") {
      throw new WandbError("protocol", `W&B answered '${operationName}' with JSON that is not an object`, {
        op: operationName,
      });
    }
    if (Array.isArray(parsed.errors) && parsed.errors.length) {
      const messages = parsed.errors.map((e) => redact(String(e?.message ?? JSON.stringify(e)))).join("; ");
      throw new WandbError("graphql", `W&B rejected '${operationName}': ${messages}`, { op: operationName });
    }
    if (parsed.data === null || typeof parsed.data !== "object") {
      throw new WandbError("protocol", `W&B answered '${operationName}' without data`, { op: operationName });
    }
    return parsed.data as T;
  }

  const client = { baseUrl: settings.baseUrl, settings, graphql, request, redact };
  return client as WandbClient;
}
