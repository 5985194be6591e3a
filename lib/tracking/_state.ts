// Per-run state kept out of the public Run object, and the "one warning, then go on" failure policy.
import { TrackingError } from "./_errors.ts";
import type { Store } from "./_store.ts";
import type { Journal } from "./_journal.ts";
import type { Uploader } from "./_uploader.ts";
import type { Metrics } from "./_metrics.ts";
import type { BackendKind, Run } from "./types.ts";

/** Internal state of a run. */
export interface RunState {
  backend: BackendKind;
  store: Store | null;
  journal: Journal | null;
  /** The current step: the history row logMetrics adds to (W&B's step rules, see log_metrics.ts). */
  step: number;
  /** Whether the row of the current step has values not committed yet (commit: false, explicit step). */
  rowOpen: boolean;
  finished: boolean;
  /** Metric definitions and statistics: the summary at the end. */
  metrics: Metrics;
  /** Summary keys set with setSummary in this process (they win over the metrics' summary). */
  summaryKeys: Set<string>;
  warned: Set<string>;
  /** The W&B uploader (backend "wandb"), or null. */
  uploader: Uploader | null;
  /** Longest wait for the uploader at finish, in ms. */
  flushTimeoutMs: number;
}

const states = new WeakMap<Run, RunState>();
const warnedGlobally = new Set<string>();

/** Registers the state of a new run. */
export function register(run: Run, state: RunState): void {
  states.set(run, state);
}

/**
 * The state of `run`.
 * @throws {TrackingError} when `run` was not returned by initRun.
 */
export function stateOf(run: Run): RunState {
  const s = states.get(run);
  if (!s) {
    throw new TrackingError(
      `Expected a run returned by initRun(), got ${run === null ? "null" : typeof run}; call initRun() first`,
    );
  }
  return s;
}

let silent = false;

/** WANDB_SILENT: tracking's warnings are not printed (W&B's silent mode). */
export function setSilent(on: boolean): void {
  silent = on;
}

/** Prints `message` once per process (per `key`), unless silent. */
export function warnOnce(key: string, message: string): void {
  if (warnedGlobally.has(key)) return;
  warnedGlobally.add(key);
  if (silent) return;
  console.warn(`sentilab: ${message}`);
}

/**
 * The failure policy: with `strict`, rethrow; otherwise print one warning per distinct problem and run and
 * let the program go on.
 */
export function fail(run: Run | null, op: string, error: unknown): void {
  const strict = run?.strict ?? false;
  const message = error instanceof Error ? error.message : String(error);
  if (strict) {
    throw error instanceof TrackingError ? error : new TrackingError(`${op}: ${message}`, { cause: error });
  }
  const state = run ? states.get(run) : undefined;
  const key = `${op}: ${message}`;
  if (state) {
    if (state.warned.has(key)) return;
    state.warned.add(key);
  } else if (warnedGlobally.has(key)) return;
  else warnedGlobally.add(key);
  if (silent) return;
  console.warn(
    `sentilab: ${op} failed: ${message}\n  (tracking goes on without it; pass strict: true to initRun to make this an error)`,
  );
}
