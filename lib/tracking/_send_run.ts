// Sender of the run record: UpsertBucket when the run's metadata changed, then its run files
// (config.yaml, wandb-metadata.json) and the `uploaded` notice on file_stream, as the SDK's sender does
// for a RunRecord and its files (wandb/wandb wandb/sdk/internal/sender.py `send_run`, `send_files`).
import type { ReplayContext } from "./_replay_context.ts";
import type { RunRecord } from "./types.ts";
import { filesHash, metadataFiles, runInfo, runInfoHash, wandbRun } from "./_wandb_record.ts";
import { sendWandbFileStream } from "./wandb/send_wandb_file_stream.ts";
import { uploadWandbRunFiles } from "./wandb/upload_wandb_run_files.ts";
import { upsertWandbRun } from "./wandb/upsert_wandb_run.ts";
import type { WandbRun } from "./wandb/types.ts";

/** Upserts a run (the replayed one, or one that created an artifact it used) when its metadata changed. */
export async function ensureRun(ctx: ReplayContext, r: RunRecord): Promise<WandbRun> {
  const metrics = ctx.store.runs.metricDefinitions(r.id);
  const h = runInfoHash(r, metrics);
  if (!ctx.upserted.has(r.id) && ctx.ledger.cursor(r.id, "run") !== h) {
    await upsertWandbRun(ctx.client, { ...runInfo(r, metrics), entity: ctx.entity }, ctx.req);
    ctx.ledger.done(r.id, "run", h);
    ctx.counts.runs++;
  }
  ctx.upserted.add(r.id);
  return wandbRun(ctx.entity, r);
}

/** The run and its run files. */
export async function sendRun(ctx: ReplayContext): Promise<void> {
  await ensureRun(ctx, ctx.run);
  const fh = filesHash(ctx.run);
  if (ctx.ledger.cursor(ctx.run.id, "files") !== fh) {
    const names = await uploadWandbRunFiles(ctx.client, ctx.wandb, metadataFiles(ctx.run), ctx.req);
    await sendWandbFileStream(ctx.client, ctx.wandb, { uploaded: names }, ctx.req);
    ctx.ledger.done(ctx.run.id, "files", fh);
    ctx.counts.files += names.length;
  }
}
