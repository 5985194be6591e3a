import { readStore } from "./_read.ts";
import type { RunPending } from "./_sync_ledger.ts";
import { syncStatusOf } from "./_sync_status.ts";
import { wandbTarget } from "./_target.ts";
import type { ReadOptions } from "./types.ts";

/** Options for {@linkcode getSyncStatus}. */
export interface GetSyncStatusOptions extends ReadOptions {
  /** W&B base URL whose sync state to read (default: WANDB_BASE_URL, else https://api.wandb.ai). */
  target?: string;
}

/** How far a run got to W&B. */
export interface SyncStatus {
  /** Run id. */
  runId: string;
  /** The W&B base URL this status is about. */
  target: string;
  /** Everything the store holds for the run is on W&B. */
  synced: boolean;
  /** Nothing of the run reached W&B yet. */
  never: boolean;
  /** What is not on W&B yet. */
  pending: RunPending;
  /** ISO time of the last record that reached W&B, or null. */
  lastSyncedAt: string | null;
  /**
   * Other W&B base URLs the run was synced to (sync state is kept per base URL), each with whether
   * everything reached it; empty when the run never went anywhere else.
   */
  elsewhere: { target: string; synced: boolean }[];
}

/**
 * What of a run is on W&B and what is pending (read from the store; no network).
 *
 * @param runId The run.
 * @param options Store directory and W&B base URL.
 * @returns The status, or null when the run is not in the store.
 * @throws {TrackingError} when there is no store.
 *
 * @example
 * ```ts
 * import { finishRun, getSyncStatus, initRun, logMetrics } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * const run = await initRun({ dir, tracker: "local" });
 * logMetrics(run, { loss: 0.3 });
 * await finishRun(run);
 * console.log(getSyncStatus(run.id, { dir })?.synced); // false
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function getSyncStatus(runId: string, options: GetSyncStatusOptions = {}): SyncStatus | null {
  return syncStatusOf(readStore(options), runId, options.target ?? wandbTarget());
}
