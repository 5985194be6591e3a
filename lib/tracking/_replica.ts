// The W&B replica: replays what the local store holds for a run to W&B, sending only what the sync ledger
// (_sync_ledger.ts) says the target has not got, so that a replay (the live uploader, `deno task sync`, a
// sync after a crash) never duplicates a history line or an artifact version. As W&B's own sender has one
// `send_*` per kind of record, the replay is one sender per kind, in this order:
//   run, run files        _send_run.ts
//   artifacts and uses    _send_artifacts.ts
//   history and tables    _send_history.ts
//   console output        _send_output.ts
//   summary and exit      _send_summary.ts
import type { Store } from "./_store.ts";
import { SyncLedger } from "./_sync_ledger.ts";
import {
  emptyCounts,
  type ReplayContext,
  type ReplayCounts,
  type ReplayOptions,
  type Replica,
  throwIfAborted,
} from "./_replay_context.ts";
import { sendRun } from "./_send_run.ts";
import { sendArtifactsAndUses } from "./_send_artifacts.ts";
import { sendHistoryAndTables } from "./_send_history.ts";
import { sendOutput } from "./_send_output.ts";
import { sendSummaryAndExit } from "./_send_summary.ts";
import { wandbRun } from "./_wandb_record.ts";

export { addCounts, emptyCounts } from "./_replay_context.ts";
export type { ReplayCounts, ReplayOptions, Replica } from "./_replay_context.ts";
export { isSynced, type RunPending, SyncLedger } from "./_sync_ledger.ts";

/** Replays one run to W&B: sends what the store holds and the target has not got. */
export async function replayRun(
  store: Store,
  rep: Replica,
  runId: string,
  options: ReplayOptions = {},
  counts: ReplayCounts = emptyCounts(),
): Promise<ReplayCounts> {
  const run = store.runs.getRun(runId);
  if (!run) return counts;
  const ctx: ReplayContext = {
    store,
    ledger: new SyncLedger(store, rep.target),
    client: rep.client,
    entity: rep.entity,
    run,
    wandb: wandbRun(rep.entity, run),
    req: { signal: options.signal, retry: options.retry },
    options,
    counts,
    upserted: new Set(),
    problems: [],
  };
  await sendRun(ctx);
  throwIfAborted(options.signal);
  await sendArtifactsAndUses(ctx);
  await sendHistoryAndTables(ctx);
  await sendOutput(ctx);
  await sendSummaryAndExit(ctx);
  return counts;
}
