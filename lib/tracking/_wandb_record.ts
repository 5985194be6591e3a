// How a stored record looks on W&B: the UpsertBucket payload of a run, its metadata files, the summary
// W&B should show, an artifact version's files, a console line of output.log. The sync ledger hashes them
// to tell what changed; the senders (_send_*.ts) send them.
import { createHash } from "node:crypto";
import type { Store } from "./_store.ts";
import type { StoredOutputLine } from "./_store_output.ts";
import type { ArtifactVersion, RunRecord } from "./types.ts";
import { verifiedBlob } from "./_blob.ts";
import type { WandbRunInfo } from "./wandb/upsert_wandb_run.ts";
import { wandbRunMetadataFiles } from "./wandb/wandb_run_metadata_files.ts";
import type { WandbRun } from "./wandb/types.ts";
import type { StoredMetric } from "./_metrics.ts";
import type { SyncLedger } from "./_sync_ledger.ts";
import { forgetLiveSummary, liveMetricSummary } from "./_live_summary.ts";
import { runtimeAt } from "./_runtime.ts";

/** A 48-bit hash of a text (fits a SQLite integer cursor). */
export function hash48(text: string): number {
  return parseInt(createHash("sha256").update(text).digest("hex").slice(0, 12), 16);
}

/**
 * The metric definitions as the W&B SDK sends them: the run config's `_wandb.m`, a list of MetricRecord
 * protos encoded by field number (wandb/wandb core/internal/runmetric/runconfigmetrics.go
 * ToRunConfigData, definedmetric.go ToRecord, corelib/protolib.go ProtoEncodeToDict; field numbers from
 * wandb/proto/wandb_internal.proto): "1" name, "2" glob name (globs are sent as globs, the server expands
 * them), "5" the one-based index of the step metric's entry (which is added when missing), "6" the set
 * options (3 = defined explicitly, 2 = hidden), "7" the set summary flags (1 min, 2 max, 3 mean, 5 last,
 * 6 none, 8 first), "8" the goal (1 minimize, 2 maximize) when set.
 */
export function wandbMetricRecords(defs: StoredMetric[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const index = new Map<string, number>();
  const byName = new Map(defs.map((d) => [d.name, d]));
  const flags: Record<string, number> = { min: 1, max: 2, mean: 3, last: 5, none: 6, first: 8 };
  const add = (name: string, d: StoredMetric | undefined, explicit: boolean): void => {
    if (index.has(name)) return;
    const at = out.length;
    index.set(name, at);
    out.push({});
    const rec: Record<string, unknown> = {};
    rec[name.endsWith("*") ? "2" : "1"] = name;
    if (d?.stepMetric) {
      add(d.stepMetric, byName.get(d.stepMetric), byName.has(d.stepMetric));
      rec["5"] = index.get(d.stepMetric)! + 1;
    }
    rec["6"] = [...(d?.hidden ? [2] : []), ...(explicit ? [3] : [])];
    rec["7"] = (d?.summary ?? []).map((k) => flags[k]).sort((x, y) => x - y);
    if (d?.goal) rec["8"] = d.goal === "minimize" ? 1 : 2;
    out[at] = rec;
  };
  for (const d of defs) add(d.name, d, true);
  return out;
}

/** The UpsertBucket payload of a stored run (without the entity), with its metric definitions. */
export function runInfo(r: RunRecord, metrics: StoredMetric[] = []): Omit<WandbRunInfo, "entity"> {
  const info: Omit<WandbRunInfo, "entity"> = {
    id: r.id,
    project: r.project,
    name: r.name,
    tags: r.tags,
    // W&B keeps its own run data in the config's `_wandb` (runconfig.go AddInternalData): `t` the
    // telemetry (none is collected here: an empty record), `m` the metric definitions.
    config: { ...r.config, _wandb: { t: {}, m: wandbMetricRecords(metrics) } },
    host: r.host,
  };
  if (r.group !== null) info.group = r.group;
  if (r.jobType !== null) info.jobType = r.jobType;
  if (r.notes !== null) info.notes = r.notes;
  if (r.argv[0]) info.program = r.argv[0];
  // the SDK sends the git commit with the run (core/internal/runupserter/runupserter.go `Commit`)
  if (r.gitCommit) info.commit = r.gitCommit;
  return info;
}

/** The hash the ledger keeps for what UpsertBucket sent. */
export function runInfoHash(r: RunRecord, metrics: StoredMetric[] = []): number {
  return hash48(JSON.stringify(runInfo(r, metrics)));
}

/** config.yaml and wandb-metadata.json of a stored run. */
export function metadataFiles(r: RunRecord): ReturnType<typeof wandbRunMetadataFiles> {
  return wandbRunMetadataFiles({
    config: r.config,
    program: r.argv[0] || undefined,
    args: r.argv.slice(1),
    startedAt: r.startedAt,
    host: r.host,
  });
}

/** The hash the ledger keeps for the run files uploaded. */
export function filesHash(r: RunRecord): number {
  return hash48(metadataFiles(r).map((f) => `${f.name}\n${f.data}`).join("\n"));
}

/**
 * The summary W&B should show: the stored summary, the latest table value per key sent, and the keys the
 * SDK keeps in every run's summary (wandb/wandb core/internal/stream/handler.go):
 * - while the run goes on (or after it crashed), each metric's summary over the history lines sent so far
 *   (the last value, or min/max/mean/first per defineMetric: _live_summary.ts), under setSummary's keys;
 *   once it ended, the stored summary already holds the metrics' summary finishRun computed;
 * - `_step`, `_timestamp` and `_runtime` of the last history line sent (as the sync ledger recorded it):
 *   each flush puts the line's values into the summary (`flushPartialHistory` -> `updateSummary`);
 * - `_wandb.runtime`, whole seconds (`updateRunTiming`: `int(runTimer.Elapsed().Seconds())`), set at each
 *   flush and at the exit; the W&B UI shows it as the run's Runtime. A resumed run's clock goes on from the
 *   runtime it had, without the time between sessions (_runtime.ts). At the exit (`handleExit`) `_runtime`
 *   becomes the same whole seconds. A run that did not end (running, or crashed) keeps the values of its
 *   last line, as the SDK leaves them when its process dies.
 */
export function summaryOf(
  store: Store,
  ledger: Pick<SyncLedger, "value" | "lastLine" | "cursor">,
  r: RunRecord,
): Record<string, unknown> {
  const sessions = store.runs.sessions(r.id);
  // A live run (or one that crashed) has, as the SDK keeps it, each metric's summary over the lines sent
  // so far; setSummary's keys win, as at finishRun, which stores the metrics' summary once the run ends.
  let metrics: Record<string, unknown> = {};
  if (r.endedAt === null) {
    const since = sessions.at(-1)?.startMs ?? Date.parse(r.startedAt);
    metrics = liveMetricSummary(store, r.id, ledger.cursor(r.id, "history") ?? 0, since);
  } else forgetLiveSummary(store, r.id);
  const summary: Record<string, unknown> = { ...metrics, ...r.summary };
  for (const t of store.tables.replayTables(r.id)) {
    const v = ledger.value(`table:${t.id}`);
    if (v !== null && !(t.key in r.summary)) summary[t.key] = JSON.parse(v);
  }
  const last = ledger.lastLine(r.id);
  if (last) {
    summary._step = last.step;
    summary._timestamp = last.ts / 1000;
    summary._runtime = runtimeAt(sessions, last.ts);
  }
  if (r.endedAt !== null) summary._runtime = Math.floor(runtimeAt(sessions, Date.parse(r.endedAt)));
  if (typeof summary._runtime === "number") {
    const own = r.summary._wandb;
    const wandb = own !== null && typeof own === "object" && !Array.isArray(own) ? own : {};
    summary._wandb = { ...wandb, runtime: Math.floor(summary._runtime) };
  }
  return summary;
}

/** The W&B run a stored run replicates to. */
export function wandbRun(entity: string, r: RunRecord): WandbRun {
  return { entity, project: r.project, id: r.id, name: r.name, storageId: "", url: "" };
}

/**
 * The files of a stored version, read from the store's blobs, as W&B artifact files. Each blob is checked
 * against its digest first (_blob.ts, as useArtifact and download do): a blob missing or changed on disk is
 * never sent.
 * @throws {TrackingError} naming the version and file; not a W&B refusal, so the next sync tries again
 * (after the blob is repaired by logging the right content again).
 */
export function storedFiles(store: Store, v: ArtifactVersion) {
  return Object.entries(v.manifest.contents).map(([path, e]) => ({
    name: path,
    path: verifiedBlob(store, v.ref, path, e.digest),
    digest: e.digest,
    size: e.size,
  }));
}

/**
 * A console line as the SDK writes it to output.log: `[ERROR ]YYYY-MM-DDTHH:MM:SS.ffffff text`, UTC, six
 * fractional digits, no `Z`, `ERROR ` for stderr (wandb/wandb core/internal/runconsolelogs/
 * runlogschangemodel.go `LegacyFormat`; the W&B frontend parses this prefix).
 */
export function outputLogLine(o: StoredOutputLine): string {
  const iso = new Date(o.ts).toISOString(); // 2026-01-02T03:04:05.678Z
  const micros = String(Math.floor((o.ts % 1) * 1000)).padStart(3, "0");
  return `${o.stream === "stderr" ? "ERROR " : ""}${iso.slice(0, 23)}${micros} ${o.line}`;
}
