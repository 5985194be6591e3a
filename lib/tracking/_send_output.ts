// Sender of console output: output.log lines at their own offsets, in the SDK's line format
// (wandb/wandb core/internal/runconsolelogs/filestreamwriter.go).
import { type ReplayContext, throwIfAborted } from "./_replay_context.ts";
import { outputLogLine } from "./_wandb_record.ts";
import { sendWandbFileStream } from "./wandb/send_wandb_file_stream.ts";

/** Sends the console lines not sent yet. */
export async function sendOutput(ctx: ReplayContext): Promise<void> {
  const { ledger, store } = ctx;
  const runId = ctx.run.id;
  const maxLines = ctx.options.maxLinesPerRequest ?? 1000;
  let offset = ledger.cursor(runId, "output_lines") ?? 0;
  let last = ledger.cursor(runId, "output") ?? 0;
  for (;;) {
    throwIfAborted(ctx.options.signal);
    const rows = store.output.outputAfter(runId, last, maxLines);
    if (rows.length === 0) return;
    const res = await sendWandbFileStream(ctx.client, ctx.wandb, {
      output: { offset, lines: rows.map(outputLogLine) },
    }, { ...ctx.req, maxLinesPerRequest: maxLines });
    offset = res.outputEnd ?? offset + rows.length;
    last = rows[rows.length - 1].id;
    ledger.doneAll(runId, { output_lines: offset, output: last });
    ctx.counts.outputLines += rows.length;
  }
}
