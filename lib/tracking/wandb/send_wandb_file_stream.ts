/**
 * History, summary, console output and completion through W&B's file_stream endpoint.
 * @module
 */
import type { WandbClient, WandbRequestOptions } from "./client.ts";
import { WandbError } from "./errors.ts";
import type { WandbRun } from "./types.ts";
import { wandbJsonLine as lineOf } from "./_json_line.ts";

/** What to send. Offsets make a resend idempotent: a line sent again at its offset replaces itself. */
export interface WandbFileStreamChunk {
  /**
   * History rows starting at line `offset` (0-based). Rows carry `_step`, `_runtime`, `_timestamp`.
   * NaN and ±Infinity are sent as W&B's `NaN` / `Infinity` tokens, not dropped to null.
   */
  history?: { offset: number; rows: Record<string, unknown>[] };
  /** The whole summary (replaces the previous one). */
  summary?: Record<string, unknown>;
  /** Console output lines starting at line `offset`. */
  output?: { offset: number; lines: string[] };
  /**
   * Run files that finished uploading: `{"uploaded": [...]}`, as the SDK tells the server after it uploaded
   * run files (wandb/wandb core/internal/filestream/filestreamrequest.go `Uploaded`).
   */
  uploaded?: string[];
  /**
   * Post an empty request even when there is nothing else to send: the SDK's heartbeat, which keeps a quiet
   * live run from being shown as crashed (wandb/wandb core/internal/filestream/filestream.go
   * `defaultHeartbeatInterval`, transmitloop.go).
   */
  heartbeat?: boolean;
  /** Marks the run finished with this exit code (sent last, after the data). */
  exitCode?: number;
}

/**
 * The longest file_stream line W&B's back end takes: 10 MiB - 100 KiB (wandb/wandb
 * core/internal/filestream/filestream.go `defaultMaxFileLineBytes`). The SDK skips a longer history line
 * with a warning (updatehistory.go) instead of sending it: the server would refuse it every time.
 */
export const WANDB_MAX_LINE_BYTES = (10 << 20) - (100 << 10);

/** A line {@linkcode sendWandbFileStream} did not send because it is over W&B's line cap. */
export interface DroppedLine {
  /** `history` or `summary`. */
  what: "history" | "summary";
  /** The history row's index in `chunk.history.rows`, or null for the summary. */
  index: number | null;
  /** Its largest key (the likely culprit). */
  key: string;
  /** The line's size in bytes. */
  bytes: number;
}

/** Options for {@linkcode sendWandbFileStream}. */
export interface SendWandbFileStreamOptions extends WandbRequestOptions {
  /** Most history rows or output lines per request (default 1000). */
  maxLinesPerRequest?: number;
  /** Most bytes of content per request (default 4 MiB). */
  maxBytesPerRequest?: number;
  /** Longest line sent (default {@linkcode WANDB_MAX_LINE_BYTES}); longer ones are dropped and reported. */
  maxLineBytes?: number;
}

/** What {@linkcode sendWandbFileStream} sent. */
export interface WandbFileStreamResult {
  /** Requests posted. */
  requests: number;
  /** The next history offset (offset + rows sent), or null when no history was sent. */
  historyEnd: number | null;
  /** The next output offset, or null. */
  outputEnd: number | null;
  /** Lines not sent because they are over the line cap (never sent, they do not hold up later lines). */
  dropped: DroppedLine[];
}

const enc = new TextEncoder();

/** The key of an object whose value is the longest in JSON. */
function largestKey(value: unknown): string {
  let best = "", size = -1;
  if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      const n = JSON.stringify(v)?.length ?? 0;
      if (n > size) [best, size] = [k, n];
    }
  }
  return best;
}

function batches(lines: string[], maxLines: number, maxBytes: number): string[][] {
  const out: string[][] = [];
  let cur: string[] = [];
  let bytes = 0;
  for (const line of lines) {
    if (cur.length && (cur.length >= maxLines || bytes + line.length > maxBytes)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(line);
    bytes += line.length;
  }
  if (cur.length) out.push(cur);
  return out;
}

/**
 * Posts history rows, the summary, output lines and/or completion to the run's file_stream.
 *
 * Large chunks are split into several requests with consecutive offsets; each request is retried by the
 * client. The summary is sent with the last data request; the completion (`exitCode`) in a request of its
 * own after everything else. A history or summary line over W&B's line cap is not sent (the server would
 * refuse it every time): it is reported in `dropped` and the lines after it take its offset.
 *
 * @param client The client.
 * @param run The run (from {@linkcode upsertWandbRun}).
 * @param chunk What to send.
 * @param options Batch limits, retry overrides and an abort signal.
 * @returns Requests sent and the next offsets.
 * @throws {WandbError} `config` for an invalid offset or a value that is not JSON; the client's errors.
 * @example
 * ```ts
 * import { connectWandb, sendWandbFileStream, upsertWandbRun } from "./mod.ts";
 * const { client, entity } = await connectWandb();
 * const run = await upsertWandbRun(client, { id: "abc123", entity, project: "demo" });
 * const t = Date.now() / 1000;
 * await sendWandbFileStream(client, run, {
 *   history: { offset: 0, rows: [{ loss: 0.5, _step: 0, _runtime: 0, _timestamp: t }] },
 *   summary: { loss: 0.5 },
 * });
 * await sendWandbFileStream(client, run, { exitCode: 0 });
 * ```
 */
export async function sendWandbFileStream(
  client: WandbClient,
  run: WandbRun,
  chunk: WandbFileStreamChunk,
  options: SendWandbFileStreamOptions = {},
): Promise<WandbFileStreamResult> {
  const maxLines = Math.max(1, options.maxLinesPerRequest ?? 1000);
  const maxBytes = Math.max(1, options.maxBytesPerRequest ?? 4 * 1024 * 1024);
  for (const [what, part] of [["history", chunk.history], ["output", chunk.output]] as const) {
    if (part && (!Number.isInteger(part.offset) || part.offset < 0)) {
      throw new WandbError(
        "config",
        `Invalid ${what} offset ${part.offset} for run '${run.id}': use an integer >= 0`,
      );
    }
  }
  const url = `${client.baseUrl}/files/${encodeURIComponent(run.entity)}/${encodeURIComponent(run.project)}/${
    encodeURIComponent(run.id)
  }/file_stream`;
  const post = async (body: unknown) => {
    await client.request("file_stream", {
      method: "POST",
      url,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      auth: true,
      retry: options.retry,
      signal: options.signal,
    });
  };
  const maxLineBytes = options.maxLineBytes ?? WANDB_MAX_LINE_BYTES;
  const dropped: DroppedLine[] = [];
  const fits = (what: "history" | "summary", index: number | null, value: unknown, line: string) => {
    const bytes = enc.encode(line).length;
    if (bytes <= maxLineBytes) return true;
    dropped.push({ what, index, key: largestKey(value), bytes });
    return false;
  };
  const posts: Record<string, { offset: number; content: string[] }>[] = [];
  let historyEnd: number | null = null;
  let outputEnd: number | null = null;
  if (chunk.history) {
    const lines = chunk.history.rows.map((r, i) =>
      [r, lineOf(`history row ${chunk.history!.offset + i}`, r)] as const
    )
      .filter(([r, line], i) => fits("history", i, r, line)).map(([, line]) => line);
    let offset = chunk.history.offset;
    for (const b of batches(lines, maxLines, maxBytes)) {
      posts.push({ "wandb-history.jsonl": { offset, content: b } });
      offset += b.length;
    }
    historyEnd = offset;
  }
  if (chunk.output) {
    let offset = chunk.output.offset;
    for (const b of batches(chunk.output.lines.map(String), maxLines, maxBytes)) {
      posts.push({ "output.log": { offset, content: b } });
      offset += b.length;
    }
    outputEnd = offset;
  }
  const summaryLine = chunk.summary ? lineOf("the summary", chunk.summary) : null;
  if (summaryLine !== null && fits("summary", null, chunk.summary, summaryLine)) {
    const content = { offset: 0, content: [summaryLine] };
    if (posts.length) posts[posts.length - 1]["wandb-summary.json"] = content;
    else posts.push({ "wandb-summary.json": content });
  }
  let requests = 0;
  for (const files of posts) {
    await post({ files });
    requests++;
  }
  if (chunk.uploaded?.length) {
    await post({ uploaded: chunk.uploaded });
    requests++;
  } else if (chunk.heartbeat && requests === 0 && chunk.exitCode === undefined) {
    await post({});
    requests++;
  }
  if (chunk.exitCode !== undefined) {
    if (!Number.isInteger(chunk.exitCode)) {
      throw new WandbError(
        "config",
        `Invalid exit code ${chunk.exitCode} for run '${run.id}': use an integer`,
      );
    }
    await post({ complete: true, exitcode: chunk.exitCode });
    requests++;
  }
  return { requests, historyEnd, outputEnd, dropped };
}
