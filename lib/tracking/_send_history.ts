// Sender of history and tables, in the order they were logged, on one line offset of
// wandb-history.jsonl (wandb/wandb wandb/sdk/internal/sender.py `send_history`; a table is a run_table
// artifact, a media/table run file and a `table-file` value in the history line of its step,
// wandb/sdk/data_types/utils.py `_log_table_artifact`).
import { type ReplayContext, throwIfAborted } from "./_replay_context.ts";
import { item } from "./_replay_context.ts";
import type { ReplayHistoryRow } from "./_store_history.ts";
import {
  type DroppedLine,
  sendWandbFileStream,
  WANDB_MAX_LINE_BYTES,
} from "./wandb/send_wandb_file_stream.ts";
import { logWandbTable, type TableFileValue } from "./wandb/log_wandb_table.ts";
import { runtimeAt } from "./_runtime.ts";

/**
 * Records lines W&B would refuse (over its line cap) as skipped for good, one entry and one warning per
 * key: they are never sent and do not hold up the lines after them (as the SDK skips them,
 * wandb/wandb core/internal/filestream/updatehistory.go).
 */
export function reportDropped(ctx: ReplayContext, dropped: DroppedLine[], rows: ReplayHistoryRow[]): void {
  for (const d of dropped) {
    const where = d.index === null ? "the summary" : `the history row of step ${rows[d.index]?.step}`;
    const reason = `${where} is ${d.bytes} bytes, over W&B's ${WANDB_MAX_LINE_BYTES}-byte line cap ` +
      `(largest key '${d.key}'): not sent; log a smaller value under '${d.key}'`;
    const kind = `oversize:${d.what}:${d.key}`;
    if (ctx.ledger.value(`skipped:${ctx.run.id}:${kind}`) === null) ctx.options.onSkip?.(reason);
    ctx.ledger.setValue(`skipped:${ctx.run.id}:${kind}`, reason);
  }
}

/** Sends the history rows and tables not sent yet. */
export async function sendHistoryAndTables(ctx: ReplayContext): Promise<void> {
  const { ledger, store, client } = ctx;
  const runId = ctx.run.id;
  const run = ctx.wandb;
  let lines = ledger.cursor(runId, "lines") ?? 0;
  let lastId = ledger.cursor(runId, "history") ?? 0;
  const maxLines = ctx.options.maxLinesPerRequest ?? 1000;
  const pendingTables = store.tables.replayTables(runId).filter((t) =>
    ledger.cursor(runId, `table:${t.id}`) === null
  );
  const sessions = store.runs.sessions(runId); // a line's _runtime: the run's clock at its time
  const line = (h: ReplayHistoryRow, extra: Record<string, unknown> = {}) => ({
    ...h.values,
    ...extra,
    _step: h.step,
    _runtime: runtimeAt(sessions, h.ts),
    _timestamp: h.ts / 1000,
  });
  // Each line posted, even one dropped over the line cap, becomes the summary's last line (lineSent): the
  // SDK's handler puts a line into the summary when it flushes it (core/internal/stream/handler.go
  // `flushPartialHistory` -> `updateSummary`), before file_stream skips it (filestream/updatehistory.go).
  /** Posts rows as history lines at the current offset; returns the next offset. */
  const post = async (rows: ReplayHistoryRow[], lineRows: Record<string, unknown>[]) => {
    const res = await sendWandbFileStream(client, run, { history: { offset: lines, rows: lineRows } }, {
      ...ctx.req,
      maxLinesPerRequest: maxLines,
    });
    reportDropped(ctx, res.dropped, rows);
    return res.historyEnd ?? lines;
  };
  /** Sends the unsent rows logged up to `untilMs`, stopping before the row `beforeId`. */
  const sendRows = async (untilMs: number, beforeId = Number.MAX_SAFE_INTEGER) => {
    for (;;) {
      throwIfAborted(ctx.options.signal);
      const rows = store.history.historyAfter(runId, lastId, { beforeId, untilMs, limit: maxLines });
      if (rows.length === 0) return;
      lines = await post(rows, rows.map((h) => line(h)));
      lastId = rows[rows.length - 1].id;
      ledger.historySent(runId, lines, lastId, () => ledger.lineSent(runId, rows[rows.length - 1]));
      ctx.counts.historyRows += rows.length;
    }
  };
  const tableSent = (tableId: number) => {
    ledger.done(runId, `table:${tableId}`, 1);
    ctx.counts.tables++;
    ctx.counts.artifacts++;
  };
  // A table logged at the step of a metrics row not sent yet goes into that row's line (one line per
  // step, as W&B shows it); its values wait in `held` while later tables of the same step join them.
  type Held = { row: ReplayHistoryRow; values: Record<string, unknown>; tables: number[] };
  let held = null as Held | null;
  const sendHeld = async () => {
    if (!held) return;
    const h = held;
    held = null;
    lines = await post([h.row], [line(h.row, h.values)]);
    lastId = h.row.id;
    ledger.historySent(runId, lines, lastId, () => {
      h.tables.forEach(tableSent);
      ledger.lineSent(runId, h.row);
    });
    ctx.counts.historyRows++;
  };
  for (const t of pendingTables) {
    const at = Date.parse(t.createdAt);
    if (held) {
      const between = store.history.countHistoryAfter(runId, held.row.id, at);
      if (t.step !== held.row.step || between > 0 || t.key in held.values) await sendHeld();
    }
    let into: ReplayHistoryRow | null | undefined = held?.row;
    if (!held) {
      into = store.history.lastHistoryAtStep(runId, lastId, at, t.step);
      if (into && t.key in into.values) into = null; // a metric of the same name
      await sendRows(at, into ? into.id : Number.MAX_SAFE_INTEGER);
    }
    let tv: TableFileValue | null = null;
    await item(ctx, `table:${t.id}`, async () => {
      const logged = await logWandbTable(client, run, t.key, {
        columns: t.columns,
        rows: store.tables.tableRowsById(t.id),
      }, { step: t.step, ...ctx.req });
      tv = logged.value;
      // the table's run file is uploaded: tell file_stream, as the SDK does for every run file
      await sendWandbFileStream(client, run, { uploaded: [logged.value.path] }, ctx.req);
    });
    if (tv === null) continue;
    ledger.setValue(`table:${t.id}`, JSON.stringify(tv));
    if (into) {
      held ??= { row: into, values: {}, tables: [] };
      held.values[t.key] = tv;
      held.tables.push(t.id);
      continue;
    }
    const own = { id: 0, step: t.step, ts: at, values: {} };
    lines = await post([own], [line(own, { [t.key]: tv })]);
    ledger.doneAll(runId, { lines }, () => {
      tableSent(t.id);
      ledger.lineSent(runId, own);
    });
  }
  await sendHeld();
  await sendRows(Number.MAX_SAFE_INTEGER);
}
