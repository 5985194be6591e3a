/**
 * What W&B holds of a run to resume (W&B's `RunResumeStatus`), read the way the SDK reads it before it
 * continues a run (wandb/wandb core/api/graphql/query_run_resume_status.graphql,
 * core/internal/runbranch/resume.go and processresponse.go).
 * @module
 */
import type { WandbClient, WandbRequestOptions } from "./client.ts";
import { checkName } from "./_names.ts";

/** A run on W&B as the SDK's resume sees it. */
export interface WandbResumeStatus {
  /** Lines of wandb-history.jsonl: new history lines go at this offset. */
  historyLineCount: number;
  /** Lines of output.log: new console lines go at this offset. */
  logLineCount: number;
  /** Lines of wandb-events.jsonl. */
  eventsLineCount: number;
  /** The step to go on from: the last history line's `_step` + 1 (0 without history), as processResponse. */
  startingStep: number;
  /**
   * The run's runtime in whole seconds, which a resumed run's clock goes on from: the largest `_runtime` of
   * the events and history tails and of the summary's `_wandb.runtime` (else its `_runtime`), as resume.go.
   */
  runtime: number;
  /** The summary W&B shows (keys starting with `_` removed). */
  summary: Record<string, unknown>;
  /** The config, unwrapped from `{value, desc}` (without `_wandb`). */
  config: Record<string, unknown>;
  /** Tags. */
  tags: string[];
  /** Notes, or null. */
  notes: string | null;
}

/** The SDK's query, as it sends it (query_run_resume_status.graphql). */
const RUN_RESUME_STATUS = `query RunResumeStatus($project: String, $entity: String, $name: String!) {
  model(name: $project, entityName: $entity) {
    id
    name
    entity {
      id
      name
    }
    bucket(name: $name, missingOk: true) {
      id
      name
      summaryMetrics
      displayName
      logLineCount
      historyLineCount
      eventsLineCount
      historyTail
      eventsTail
      config
      tags
      notes
      wandbConfig(keys: ["t"])
    }
  }
}`;

interface Bucket {
  summaryMetrics: string | null;
  eventsTail: string | null;
  logLineCount: number | null;
  historyLineCount: number | null;
  eventsLineCount: number | null;
  historyTail: string | null;
  config: string | null;
  tags: string[] | null;
  notes: string | null;
  wandbConfig: string | null;
}

function parse(text: string | null): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

function record(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? v as Record<string, unknown> : {};
}

/**
 * Reads what W&B holds of the run `name` in `entity/project` for a resume. As the SDK (resume.go
 * `runExists`), a run counts as existing only when its `wandbConfig` has the telemetry key `t`, which the
 * SDK (and this client: the run config's `_wandb.t`) writes on the first upsert.
 *
 * @param client The client.
 * @param run Entity, project and run id.
 * @param options Retry overrides and an abort signal.
 * @returns The run's resume status, or null when W&B has no such run.
 * @throws {WandbError} the client's errors.
 * @example
 * ```ts
 * import { connectWandb, getWandbResumeStatus } from "./mod.ts";
 * const { client, entity } = await connectWandb();
 * const status = await getWandbResumeStatus(client, { entity, project: "demo", id: "abc123" });
 * console.log(status?.historyLineCount ?? "no such run");
 * ```
 */
export async function getWandbResumeStatus(
  client: WandbClient,
  run: { entity: string; project: string; id: string },
  options: WandbRequestOptions = {},
): Promise<WandbResumeStatus | null> {
  checkName("run id", run.id);
  checkName("project", run.project);
  const data = await client.graphql<{ model: { bucket: Bucket | null } | null }>(
    "RunResumeStatus",
    RUN_RESUME_STATUS,
    { project: run.project, entity: run.entity, name: run.id },
    options,
  );
  const b = data.model?.bucket;
  if (!b || !("t" in record(parse(b.wandbConfig)))) return null;
  // processHistory: the tail is a JSON list of JSON lines; the last one's _step, + 1 when there is history.
  const tail = parse(b.historyTail);
  const lastLine = Array.isArray(tail) && tail.length ? record(parse(String(tail[tail.length - 1]))) : {};
  const historyLineCount = Number(b.historyLineCount ?? 0);
  const rawSummary = record(parse(b.summaryMetrics));
  // processResponse: the step of the summary's _step, else of the history tail's; + 1 with any history.
  let step = typeof rawSummary._step === "number" ? rawSummary._step : 0;
  if (typeof lastLine._step === "number") step = lastLine._step;
  if (historyLineCount > 0) step += 1;
  // resume.go: the largest runtime of the events tail's last line, the summary's _wandb.runtime (else
  // _runtime) and the history tail's last line, truncated to whole seconds (int32).
  const events = parse(b.eventsTail);
  const lastEvent = Array.isArray(events) && events.length
    ? record(parse(String(events[events.length - 1])))
    : {};
  const wandbKey = rawSummary._wandb;
  const summaryRuntime = wandbKey !== null && typeof wandbKey === "object" && !Array.isArray(wandbKey)
    ? record(wandbKey).runtime
    : rawSummary._runtime;
  let runtime = 0;
  for (const v of [lastEvent._runtime, summaryRuntime, lastLine._runtime]) {
    if (typeof v === "number" && Number.isFinite(v)) runtime = Math.max(runtime, v);
  }
  const summary: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rawSummary)) if (!k.startsWith("_")) summary[k] = v;
  // processConfig: each key's `value`.
  const config: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record(parse(b.config)))) {
    if (k !== "_wandb" && "value" in record(v)) config[k] = record(v).value;
  }
  return {
    historyLineCount,
    logLineCount: Number(b.logLineCount ?? 0),
    eventsLineCount: Number(b.eventsLineCount ?? 0),
    startingStep: step,
    runtime: Math.trunc(runtime),
    summary,
    config,
    tags: b.tags ?? [],
    notes: b.notes ?? null,
  };
}
