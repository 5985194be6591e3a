// A run's sync status on an open store: getSyncStatus reads one run's, listRuns (`sync`) every listed
// run's on the same connection (one open and crash check per call, not one per run).
import type { Store } from "./_store.ts";
import { isSynced, SyncLedger } from "./_sync_ledger.ts";
import type { SyncStatus } from "./get_sync_status.ts";

/** What of a run is on W&B `target` and what is pending, or null when the run is not in the store. */
export function syncStatusOf(store: Store, runId: string, target: string): SyncStatus | null {
  const ledger = new SyncLedger(store, target);
  const pending = ledger.pending(runId);
  if (!pending) return null;
  return {
    runId,
    target,
    synced: isSynced(pending),
    never: pending.never,
    pending,
    lastSyncedAt: ledger.lastSyncedAt(runId),
    elsewhere: ledger.otherTargets(runId).map((t) => ({
      target: t,
      synced: isSynced(new SyncLedger(store, t).pending(runId)!),
    })),
  };
}
