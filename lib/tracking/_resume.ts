// Resuming a run as wandb.init(id=, resume=) does: in the local store (resumable) and on W&B
// (resumeFromWandb, the SDK's resume flow).
import { TrackingError } from "./_errors.ts";
import { warnOnce } from "./_state.ts";
import type { Store } from "./_store.ts";
import { LIVE_RETRY } from "./_uploader.ts";
import { SyncLedger } from "./_sync_ledger.ts";
import type { RunEnvironment } from "./_env.ts";
import { getWandbResumeStatus } from "./wandb/get_wandb_resume_status.ts";
import type { WandbClient } from "./wandb/client.ts";
import type { InitRunOptions, RunRecord } from "./types.ts";

/** The descriptive fields of a run. */
export interface Described {
  group: string | null;
  jobType: string | null;
  tags: string[];
  notes: string | null;
}

/**
 * Whether `prior` (the stored run with the asked id, or null) is to be continued, by `resume` as W&B: a
 * run that exists is continued with "allow" or "must"; otherwise (no resume, "never") that is an error,
 * as is "must" for a run that does not exist, and a run still running in another process. Errors throw
 * with `strict`, else warn once (the run starts anew: a new id when the asked one is taken).
 */
export function resumable(
  prior: RunRecord | null,
  opts: InitRunOptions,
  strict: boolean,
  remoteDecides: boolean,
): boolean {
  const problem = (message: string, instead: string) => {
    if (strict) throw new TrackingError(`Cannot start run: ${message}`);
    warnOnce(`initRun-resume:${message}`, `initRun: ${message}; ${instead}`);
    return false;
  };
  if (prior === null) {
    // With W&B asked for, W&B may hold the run: its resume status decides (resumeFromWandb).
    if (opts.resume !== "must" || remoteDecides) return false;
    return problem(
      `resume "must" but there is no run '${opts.id}' in the store to resume`,
      `starting run '${opts.id}' anew`,
    );
  }
  if (opts.resume !== "allow" && opts.resume !== "must") {
    return problem(
      `run '${prior.id}' exists already (${prior.status}); pass resume: "allow" (or WANDB_RESUME=allow) ` +
        `to continue it`,
      "starting a new run with a new id",
    );
  }
  if (prior.status === "running") {
    return problem(
      `run '${prior.id}' is still running (process ${prior.pid} on ${prior.host}); it can be resumed once ` +
        `it has ended`,
      "starting a new run with a new id",
    );
  }
  return true;
}

/** A resume problem: an error with `strict`, else one warning. */
export function resumeProblem(
  strict: boolean,
  message: string,
  instead = "the run is logged to the local store only",
): void {
  if (strict) throw new TrackingError(`Cannot start run: ${message}`);
  warnOnce(`initRun-resume:${message}`, `initRun: ${message}; ${instead}`);
}

/**
 * The W&B SDK's resume flow (wandb/wandb core/internal/runbranch/resume.go): asks W&B what it holds of the
 * run (RunResumeStatus). When W&B has it and `resume` allows, the run goes on from there: new history and
 * console lines after the lines W&B holds (the sync ledger's offsets), steps after its last one, the
 * config's keys not given now and the summary's keys not set locally taken from W&B, its tags and notes
 * when none were given, and this session's clock from W&B's runtime (or the store's, if larger). When W&B has it and `resume` is
 * "never" (or not given), nothing is sent to it (the SDK refuses to start); when W&B lacks it and `resume`
 * is "must", that is the SDK's error too.
 */
export async function resumeFromWandb(
  c: {
    client: WandbClient;
    entity: string;
    store: Store;
    id: string;
    project: string;
    resumed: boolean;
    opts: InitRunOptions;
    strict: boolean;
    environment: RunEnvironment;
  },
  now: { name: string; described: Described; config: Record<string, unknown> },
): Promise<
  {
    send: boolean;
    resumed: boolean;
    described: Described;
    config: Record<string, unknown>;
    startingStep: number;
  }
> {
  const same = { send: true, resumed: false, described: now.described, config: now.config, startingStep: 0 };
  const remote = await getWandbResumeStatus(c.client, { entity: c.entity, project: c.project, id: c.id }, {
    retry: LIVE_RETRY,
  });
  const allow = c.opts.resume === "allow" || c.opts.resume === "must";
  if (!remote) {
    if (c.opts.resume === "must" && !c.resumed) {
      endRefused(
        c.store,
        c.id,
        `resume "must" but there is no run '${c.id}' in the store or on W&B to resume`,
      );
      resumeProblem(c.strict, `resume "must" but there is no run '${c.id}' in the store or on W&B to resume`);
    }
    return same;
  }
  if (!allow) {
    const message =
      `run '${c.id}' exists on W&B (${c.entity}/${c.project}); pass resume: "allow" to continue it`;
    endRefused(c.store, c.id, message);
    resumeProblem(c.strict, message, "nothing of this run is sent to W&B");
    return { ...same, send: false };
  }
  const described: Described = { ...now.described };
  if (!c.resumed) {
    if (c.opts.tags === undefined) described.tags = remote.tags;
    if (c.opts.notes === undefined) described.notes = remote.notes;
  }
  // MergeResumedConfig (runconfig.go): the old config's top-level keys not set now.
  const config = { ...remote.config, ...now.config };
  c.store.runs.resumeRun(c.id, {
    name: now.name,
    ...described,
    configJson: JSON.stringify(config),
    env: c.environment,
  });
  const local = c.store.runs.getRun(c.id)?.summary ?? {};
  const summary = Object.fromEntries(Object.entries(remote.summary).filter(([k]) => !(k in local)));
  if (Object.keys(summary).length) c.store.runs.mergeSummary(c.id, summary);
  // This session's clock goes on from the runtime W&B holds, as the SDK's (handler.go handleRequestRunStart),
  // or from the one this store counted when W&B lacks earlier sessions (sent later, with their runtime).
  c.store.runs.carryRuntime(c.id, remote.runtime);
  new SyncLedger(c.store, c.client.baseUrl).continueAt(c.id, remote.historyLineCount, remote.logLineCount);
  return { send: true, resumed: true, described, config, startingStep: remote.startingStep };
}

/** With `strict`, the run just inserted is ended as failed before the error is thrown (not left running). */
function endRefused(store: Store, id: string, message: string): void {
  try {
    store.runs.finishRun(id, {
      exitCode: 1,
      status: "failed",
      lastValues: {},
      explicit: [],
      error: { message, stack: message },
    });
  } catch { /* the error that follows says what matters */ }
}
