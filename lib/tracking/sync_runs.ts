import { Store } from "./_store.ts";
import { TrackingError } from "./_errors.ts";
import {
  addCounts,
  emptyCounts,
  isSynced,
  type ReplayCounts,
  replayRun,
  type Replica,
  type RunPending,
  SyncLedger,
} from "./_replica.ts";
import { flushLive } from "./_journal.ts";
import { sendAliasMoves } from "./_send_aliases.ts";
import { wandbTarget } from "./_target.ts";
import { connectWandb } from "./wandb/connect_wandb.ts";
import { WandbError } from "./wandb/errors.ts";
import type { RetryOptions } from "./wandb/client.ts";

export type { ReplayCounts, RunPending } from "./_replica.ts";
export type { RetryOptions } from "./wandb/client.ts";

/** Options for {@linkcode syncRuns}. */
export interface SyncRunsOptions {
  /** Store directory (default: SENTILAB_DIR, else `.sentilab` in the working directory). */
  dir?: string;
  /** Only this run (default: every run of the store). */
  runId?: string;
  /** List what would be sent; send nothing and need no credentials. */
  dryRun?: boolean;
  /** Retry policy of each request (default: 6 attempts, 30 s per attempt, 60 s per request). */
  retry?: RetryOptions;
  /** Time for the capability check in ms (default 5000). */
  checkTimeoutMs?: number;
  /** W&B API base URL (default WANDB_BASE_URL, else `https://api.wandb.ai`). */
  baseUrl?: string;
  /** API key (default WANDB_API_KEY, else the ~/.netrc entry for the base URL's host). */
  apiKey?: string;
  /** Called after each run. */
  onRun?: (result: RunSyncResult) => void;
}

/** What happened to one run. */
export interface RunSyncResult {
  /** Run id. */
  runId: string;
  /**
   * `synced`: something was sent and everything is on W&B now; `up-to-date`: nothing to send;
   * `pending`: dry run, something would be sent; `skipped`: still running in a live process (its own
   * uploader replicates it), or not tried because W&B stopped answering during this sync; `failed`: an
   * error stopped it (what got through is recorded).
   */
  outcome: "synced" | "up-to-date" | "pending" | "skipped" | "failed";
  /** What was pending before this sync. */
  pending: RunPending;
  /** What was sent. */
  sent: ReplayCounts;
  /** Why it failed or was skipped. */
  reason?: string;
  /** Records of the run W&B can never take (kept in the local store only), with the reason. */
  skippedForGood: string[];
}

/** The result of {@linkcode syncRuns}. */
export interface SyncReport {
  /** The W&B base URL synced to (the key of the sync state in the store). */
  target: string;
  /** The W&B entity, or null on a dry run. */
  entity: string | null;
  /** Per run, oldest first. */
  runs: RunSyncResult[];
  /** Totals of what was sent. */
  sent: ReplayCounts;
  /**
   * Alias moves made without a run (`deno task artifacts alias`) pending before this sync, one per W&B
   * copy of a version, e.g. `mine:v1 +production`; sent first (AddAliases/DeleteAliases, no run).
   */
  aliases: string[];
  /** Why sending them failed (they stay pending), when it did. */
  aliasesFailed?: string;
  /** Runs that failed (plus one when the alias moves failed). */
  failed: number;
}

const STOPPED_ANSWERING = "W&B stopped answering; run sync again later";

const SYNC_RETRY: RetryOptions = {
  timeoutMs: 30_000,
  maxAttempts: 6,
  baseDelayMs: 250,
  maxDelayMs: 5_000,
  deadlineMs: 60_000,
};

/**
 * Uploads to W&B what the local store holds and W&B has not got: runs (config, tags, group, job type,
 * notes), run files, history, tables, summary, artifact versions with their aliases, lineage (outputs and
 * used inputs) and exit codes, and first the alias moves made without a run (`artifacts alias`, as the
 * SDK's AddAliases/DeleteAliases; not with `runId`). Progress is recorded in the store per request, so a sync that is
 * interrupted resumes where it stopped, and a second sync sends nothing: no history line and no artifact
 * version is ever duplicated. Runs still running in a live process are skipped (their own uploader
 * replicates them). When a run fails with a timeout or a network error, W&B is not contacted again in
 * this sync: the runs after it are skipped ("W&B stopped answering; run sync again later"), so a hung
 * server costs one request's time budget, not one per run. A crashed run is completed on W&B as failed (exit code 1).
 *
 * @param options Store, run, dry run, retry policy.
 * @returns Per run what was pending, what was sent and the outcome.
 * @throws {TrackingError} when the store or the run does not exist, or W&B cannot be used (no
 *   credentials, no answer to the capability check) on a real sync.
 *
 * @example
 * ```ts
 * import { syncRuns } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * const { initRun, logMetrics, finishRun } = await import("./mod.ts");
 * const run = await initRun({ dir, tracker: "local" });
 * logMetrics(run, { loss: 0.3 });
 * await finishRun(run);
 * const report = await syncRuns({ dir, dryRun: true });
 * console.log(report.runs[0].pending.historyRows); // 1
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function syncRuns(options: SyncRunsOptions = {}): Promise<SyncReport> {
  const store = Store.openExisting(options.dir);
  flushLive(store.dir);
  let ids: string[];
  if (options.runId !== undefined) {
    if (!store.runs.getRun(options.runId)) {
      throw new TrackingError(
        `No run '${options.runId}' in the store '${store.dir}': 'deno task runs' lists the runs`,
      );
    }
    ids = [options.runId];
  } else {
    ids = store.runs.ids(); // Store.openExisting made the crash check: the dead runs are crashed already
  }
  let rep: Replica | null = null;
  let target = wandbTarget(options.baseUrl);
  if (!options.dryRun) {
    try {
      const { client, entity } = await connectWandb({
        baseUrl: options.baseUrl,
        apiKey: options.apiKey,
        timeoutMs: options.checkTimeoutMs ?? 5000,
        retry: options.retry ?? SYNC_RETRY,
      });
      rep = { client, entity, target: client.baseUrl };
      target = client.baseUrl;
    } catch (e) {
      throw new TrackingError(
        `Cannot sync to W&B: ${(e as Error).message}. Nothing was sent; the runs stay in the local store`,
        { cause: e },
      );
    }
  }
  const report: SyncReport = {
    target,
    entity: rep?.entity ?? null,
    runs: [],
    sent: emptyCounts(),
    aliases: [],
    failed: 0,
  };
  const ledger = new SyncLedger(store, target);
  report.aliases = ledger.pendingAliases().map((p) =>
    `${p.name}:v${p.version} ${[...p.add.map((a) => `+${a}`), ...p.remove.map((a) => `-${a}`)].join(" ")}`
  );
  if (rep && report.aliases.length && options.runId === undefined) {
    try {
      await sendAliasMoves(store, rep, undefined, { retry: options.retry ?? SYNC_RETRY });
    } catch (e) {
      report.aliasesFailed = rep.client.redact((e as Error).message ?? String(e));
      report.failed++;
    }
  }
  /** Set after a timeout or network failure: the remaining runs are not tried (each would wait as long). */
  let stopped = false;
  for (const runId of ids) {
    const pending = ledger.pending(runId)!;
    const sent = emptyCounts();
    let result: Omit<RunSyncResult, "skippedForGood"> & { skippedForGood?: string[] };
    const status = store.runs.getRun(runId)?.status;
    if (isSynced(pending)) {
      result = { runId, outcome: "up-to-date", pending, sent };
    } else if (status === "running") {
      result = {
        runId,
        outcome: "skipped",
        pending,
        sent,
        reason: "still running; its own uploader replicates it (sync it after it ends)",
      };
    } else if (!rep) {
      result = { runId, outcome: "pending", pending, sent };
    } else if (stopped) {
      result = { runId, outcome: "skipped", pending, sent, reason: STOPPED_ANSWERING };
    } else {
      try {
        // A run started for an entity (initRun's `entity`) goes there, not to the default one.
        const entity = store.runs.runEntity(runId) ?? rep.entity;
        await replayRun(store, { ...rep, entity }, runId, { retry: options.retry ?? SYNC_RETRY }, sent);
        result = { runId, outcome: "synced", pending, sent };
      } catch (e) {
        result = {
          runId,
          outcome: "failed",
          pending,
          sent,
          reason: rep.client.redact((e as Error).message ?? String(e)),
        };
        report.failed++;
        if (e instanceof WandbError && e.transient && (e.kind === "timeout" || e.kind === "network")) {
          stopped = true;
        }
      }
    }
    result.skippedForGood = ledger.skipped(runId);
    addCounts(report.sent, sent);
    report.runs.push(result as RunSyncResult);
    options.onRun?.(result as RunSyncResult);
  }
  return report;
}
