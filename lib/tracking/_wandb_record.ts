// How a stored record looks on W&B: the UpsertBucket payload of a run, its metadata files, the summary
// W&B should show, an artifact version's files, a console line of output.log. The sync ledger hashes them
// to tell what changed; the senders (_send_*.ts) send them.
import { createHash } from "node:crypto";
import type { Store, StoredOutputLine } from "./_store.ts";
import type { ArtifactVersion, RunRecord } from "./types.ts";
import { b64ToHex } from "./_hash.ts";
import type { WandbRunInfo } from "./wandb/upsert_wandb_run.ts";
import { wandbRunMetadataFiles } from "./wandb/wandb_run_metadata_files.ts";
import type { WandbRun } from "./wandb/types.ts";

/** A 48-bit hash of a text (fits a SQLite integer cursor). */
export function hash48(text: string): number {
  return parseInt(createHash("sha256").update(text).digest("hex").slice(0, 12), 16);
}

/** The UpsertBucket payload of a stored run (without the entity). */
export function runInfo(r: RunRecord): Omit<WandbRunInfo, "entity"> {
  const info: Omit<WandbRunInfo, "entity"> = {
    id: r.id,
    project: r.project,
    name: r.name,
    tags: r.tags,
    config: r.config,
    host: r.host,
  };
  if (r.group !== null) info.group = r.group;
  if (r.jobType !== null) info.jobType = r.jobType;
  if (r.notes !== null) info.notes = r.notes;
  if (r.argv[0]) info.program = r.argv[0];
  return info;
}

/** The hash the ledger keeps for what UpsertBucket sent. */
export function runInfoHash(r: RunRecord): number {
  return hash48(JSON.stringify(runInfo(r)));
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

/** The summary W&B should show: the stored summary plus the latest table value per key sent. */
export function summaryOf(
  store: Store,
  ledger: { value(key: string): string | null },
  r: RunRecord,
): Record<string, unknown> {
  const summary: Record<string, unknown> = { ...r.summary };
  for (const t of store.replayTables(r.id)) {
    const v = ledger.value(`table:${t.id}`);
    if (v !== null && !(t.key in r.summary)) summary[t.key] = JSON.parse(v);
  }
  return summary;
}

/** The W&B run a stored run replicates to. */
export function wandbRun(entity: string, r: RunRecord): WandbRun {
  return { entity, project: r.project, id: r.id, name: r.name, storageId: "", url: "" };
}

/** The files of a stored version, read from the store's blobs, as W&B artifact files. */
export function storedFiles(store: Store, v: ArtifactVersion) {
  return Object.entries(v.manifest.contents).map(([path, e]) => ({
    name: path,
    path: store.blobPath(b64ToHex(e.digest)),
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
