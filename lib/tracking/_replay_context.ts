// What the senders of one replay share: the store, the sync ledger, the W&B connection, the run, the
// request options, the counts and the failures collected so far.
import type { Store } from "./_store.ts";
import type { SyncLedger } from "./_sync_ledger.ts";
import type { RunRecord } from "./types.ts";
import type { RetryOptions, WandbClient } from "./wandb/client.ts";
import type { WandbRun } from "./wandb/types.ts";
import { WandbError } from "./wandb/errors.ts";

/** Where to replicate: a checked W&B connection. */
export interface Replica {
  client: WandbClient;
  entity: string;
  /** Sync target key in the store: the W&B base URL. */
  target: string;
}

/** What one replay sent. */
export interface ReplayCounts {
  /** UpsertBucket calls. */
  runs: number;
  /** Run file uploads (config.yaml, wandb-metadata.json). */
  files: number;
  /** History rows posted. */
  historyRows: number;
  /** Console output lines posted (output.log). */
  outputLines: number;
  /** Tables logged. */
  tables: number;
  /** Artifact versions saved (new or deduplicated by the server). */
  artifacts: number;
  /** UseArtifact edges. */
  uses: number;
  /** Summary posts. */
  summaries: number;
  /** Completions sent. */
  finished: number;
}

/** Options of a replay. */
export interface ReplayOptions {
  signal?: AbortSignal;
  retry?: RetryOptions;
  /** Most history rows per file_stream post. */
  maxLinesPerRequest?: number;
  /** Called when a record is skipped for good (W&B can never take it). */
  onSkip?: (reason: string) => void;
}

/** A zeroed counter set. */
export function emptyCounts(): ReplayCounts {
  return {
    runs: 0,
    files: 0,
    historyRows: 0,
    outputLines: 0,
    tables: 0,
    artifacts: 0,
    uses: 0,
    summaries: 0,
    finished: 0,
  };
}

/** Adds `b` into `a`. */
export function addCounts(a: ReplayCounts, b: ReplayCounts): void {
  for (const k of Object.keys(a) as (keyof ReplayCounts)[]) a[k] += b[k];
}

/** The state of one replay of one run. */
export interface ReplayContext {
  store: Store;
  ledger: SyncLedger;
  client: WandbClient;
  entity: string;
  /** The run replayed, as read when the replay started. */
  run: RunRecord;
  /** Its W&B run (upserted first). */
  wandb: WandbRun;
  req: { signal?: AbortSignal; retry?: RetryOptions };
  options: ReplayOptions;
  counts: ReplayCounts;
  /** Runs upserted in this replay (a producer of an artifact the run used is upserted too). */
  upserted: Set<string>;
  /** Errors from the server, reported after the other records were tried. */
  problems: unknown[];
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw signal.reason ?? new Error("aborted");
}

/**
 * Runs one record's send so that its failing for good does not hold up the others: a record W&B can never
 * take (the client refuses it before sending: a name or key outside W&B's alphabet) is skipped for good,
 * its reason kept in the ledger; an error from the server (a GraphQL error, a rejected upload) is kept in
 * `problems` and retried by the next sync; a transient one (network, 5xx, timeout) ends the pass.
 */
export async function item(ctx: ReplayContext, kind: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (ctx.options.signal?.aborted || (e instanceof WandbError && e.transient)) throw e;
    if (e instanceof WandbError && e.kind === "config") {
      ctx.ledger.skip(ctx.run.id, kind, e.message);
      ctx.options.onSkip?.(e.message);
      return;
    }
    ctx.problems.push(e);
  }
}
