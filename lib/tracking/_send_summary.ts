// Sender of the summary and the exit: the summary when it changed, then, once every history row and console
// line got through, the final summary as the run file wandb-summary.json and the completion with the exit
// code (wandb/wandb core/internal/stream/sender.go `sendSummary`, `finishRunSync`, `uploadSummaryFile`;
// core/internal/filestream/updateexit.go).
import { type ReplayContext, throwIfAborted } from "./_replay_context.ts";
import { hash48, summaryOf } from "./_wandb_record.ts";
import { sendWandbFileStream } from "./wandb/send_wandb_file_stream.ts";
import { WandbError } from "./wandb/errors.ts";
import { reportDropped } from "./_send_history.ts";
import { uploadWandbRunFiles } from "./wandb/upload_wandb_run_files.ts";
import { wandbJsonLine } from "./wandb/_json_line.ts";

/** Sends the summary if it changed, reports the problems of the other senders, then the exit. */
export async function sendSummaryAndExit(ctx: ReplayContext): Promise<void> {
  const { ledger, store } = ctx;
  const runId = ctx.run.id;
  // A fresh read: the run may have finished meanwhile.
  const r = store.runs.getRun(runId)!;
  const summary = summaryOf(store, ledger, r);
  const sh = hash48(JSON.stringify(summary));
  if (Object.keys(summary).length > 0 && ledger.cursor(runId, "summary") !== sh) {
    throwIfAborted(ctx.options.signal);
    const res = await sendWandbFileStream(ctx.client, ctx.wandb, { summary }, ctx.req);
    reportDropped(ctx, res.dropped, []);
    ledger.done(runId, "summary", sh);
    ctx.counts.summaries++;
  }
  if (ctx.problems.length) {
    const first = ctx.problems[0] instanceof Error ? ctx.problems[0].message : String(ctx.problems[0]);
    throw new WandbError(
      "protocol",
      ctx.problems.length === 1 ? first : `${first} (and ${ctx.problems.length - 1} more)`,
      { cause: ctx.problems[0] },
    );
  }
  if (r.status === "running" || ledger.cursor(runId, "exit") !== null) return;
  // Caught up: no row or line after the cursors (an existence check each, not a count of what is left).
  if (store.history.hasHistoryAfter(runId, ledger.cursor(runId, "history") ?? 0)) return;
  if (store.output.hasOutputAfter(runId, ledger.cursor(runId, "output") ?? 0)) return;
  throwIfAborted(ctx.options.signal);
  // Before it completes a run the SDK uploads the final summary as the run file wandb-summary.json (the
  // run's Files tab shows it) and announces it on file_stream (sender.go `finishRunSync`,
  // core/internal/runfiles/saved_file.go).
  const file = { name: "wandb-summary.json", data: wandbJsonLine("the summary", summary) };
  const names = await uploadWandbRunFiles(ctx.client, ctx.wandb, [file], ctx.req);
  await sendWandbFileStream(ctx.client, ctx.wandb, { uploaded: names }, ctx.req);
  ctx.counts.files += names.length;
  throwIfAborted(ctx.options.signal);
  // A crashed run (its process died without finishRun) is completed as failed, exit code 1.
  const exitCode = r.exitCode === null ? 1 : r.exitCode;
  await sendWandbFileStream(ctx.client, ctx.wandb, { exitCode }, ctx.req);
  ledger.done(runId, "exit", exitCode);
  ctx.counts.finished++;
}
