// The live uploader of a W&B run: on an unref'd timer it replays what the local store has and W&B has
// not (see _replica.ts), one pass at a time, backing off after failures. The user's logging calls never
// wait for it. At finish: one last pass bounded in time, then whatever is left waits for `deno task sync`.
import { Store } from "./_store.ts";
import { isSynced, replayRun, type Replica, type RunPending, SyncLedger } from "./_replica.ts";
import { warnOnce } from "./_state.ts";
import { wandbRun } from "./_wandb_record.ts";
import { sendWandbFileStream } from "./wandb/send_wandb_file_stream.ts";
import type { RetryOptions } from "./wandb/client.ts";
import type { WandbSettings } from "./wandb/settings.ts";

/** Retry policy of the live uploader's requests: short, since the next pass retries anyway. */
export const LIVE_RETRY: RetryOptions = {
  timeoutMs: 10_000,
  maxAttempts: 3,
  baseDelayMs: 250,
  maxDelayMs: 2_000,
  deadlineMs: 15_000,
};

function unref(timer: unknown): void {
  try {
    if (typeof timer === "number") Deno.unrefTimer(timer);
    else (timer as { unref?: () => void }).unref?.();
  } catch { /* not a timer that can be unref'd */ }
}

/** Words for what is pending, e.g. "12 history rows, 1 table". */
export function describePending(p: RunPending): string {
  const parts: string[] = [];
  if (p.run) parts.push("run metadata");
  if (p.files) parts.push("run files");
  if (p.historyRows) parts.push(`${p.historyRows} history row${p.historyRows === 1 ? "" : "s"}`);
  if (p.tables.length) parts.push(`table${p.tables.length === 1 ? "" : "s"} ${p.tables.join(", ")}`);
  if (p.outputs.length) parts.push(`artifact${p.outputs.length === 1 ? "" : "s"} ${p.outputs.join(", ")}`);
  if (p.inputs.length) parts.push(`use of ${p.inputs.join(", ")}`);
  if (p.outputLines) parts.push(`${p.outputLines} output line${p.outputLines === 1 ? "" : "s"}`);
  if (p.summary) parts.push("summary");
  if (p.exit) parts.push("exit code");
  return parts.join(", ");
}

/** Replicates one live run to W&B in the background. */
export class Uploader {
  #dir: string;
  #rep: Replica;
  #runId: string;
  #timer: ReturnType<typeof setInterval> | null = null;
  #pass: Promise<boolean> | null = null;
  #controller: AbortController | null = null;
  #failures = 0;
  #notBefore = 0;
  #lastError: string | null = null;
  #heartbeatMs: number;
  /** When the last file_stream request of this run went out (sent data or a heartbeat). */
  #lastStream = Date.now();

  /** Starts the timer (every `intervalMs`); a quiet run gets a heartbeat every `heartbeatMs`. */
  constructor(dir: string, rep: Replica, runId: string, intervalMs: number, heartbeatMs = 25_000) {
    this.#dir = dir;
    this.#rep = rep;
    this.#runId = runId;
    this.#heartbeatMs = heartbeatMs;
    this.#timer = setInterval(() => this.#tick(), Math.max(10, intervalMs));
    unref(this.#timer);
  }

  #tick(): void {
    if (this.#pass || Date.now() < this.#notBefore) return;
    this.#pass = this.#run().finally(() => (this.#pass = null));
  }

  /** One pass; true when everything pending got through. */
  async #run(signalFrom?: AbortController): Promise<boolean> {
    const controller = signalFrom ?? new AbortController();
    this.#controller = controller;
    try {
      const store = Store.connect(this.#dir);
      const sent = await replayRun(store, this.#rep, this.#runId, {
        signal: controller.signal,
        retry: LIVE_RETRY,
        onSkip: (reason) =>
          warnOnce(
            `wandb-skip:${this.#runId}:${reason}`,
            `W&B cannot take part of run ${this.#runId}: ${reason}; it stays in the local store only`,
          ),
      });
      if (sent.files || sent.historyRows || sent.outputLines || sent.summaries || sent.finished) {
        this.#lastStream = Date.now();
      } else if (!signalFrom && Date.now() - this.#lastStream >= this.#heartbeatMs) {
        // A live run with nothing new: W&B's SDK posts an empty file_stream request at least every 30 s
        // so the run is not shown as crashed (wandb/wandb core/internal/filestream/filestream.go
        // `defaultHeartbeatInterval`, transmitloop.go).
        const run = store.runs.getRun(this.#runId);
        if (run?.status === "running") {
          await sendWandbFileStream(this.#rep.client, wandbRun(this.#rep.entity, run), { heartbeat: true }, {
            signal: controller.signal,
            retry: LIVE_RETRY,
          });
          this.#lastStream = Date.now();
        }
      }
      this.#failures = 0;
      this.#notBefore = 0;
      this.#lastError = null;
      return true;
    } catch (e) {
      if (controller.signal.aborted) return false;
      this.#failures++;
      this.#notBefore = Date.now() + Math.min(30_000, 500 * 2 ** Math.min(this.#failures, 6));
      const message = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, " ");
      this.#lastError = this.#rep.client.redact(message);
      warnOnce(
        `wandb-behind:${this.#runId}`,
        `W&B upload of run ${this.#runId} is behind (${this.#lastError}); the run goes on locally and ` +
          `the uploader keeps retrying; \`deno task sync ${this.#runId}\` sends whatever is left`,
      );
      return false;
    } finally {
      if (this.#controller === controller) this.#controller = null;
    }
  }

  /** Stops the timer without a last pass (the process is exiting; see _exit_sync_main.ts). */
  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** The W&B entity the uploader sends to. */
  get entity(): string {
    return this.#rep.entity;
  }

  /** Where the uploader sends to and with which key (the key is not enumerable). */
  get settings(): WandbSettings {
    return this.#rep.client.settings;
  }

  /**
   * Stops the timer and runs a last pass within `timeoutMs` (a pass in flight is waited for within the
   * same budget). Returns what is still pending (empty when everything got through).
   */
  async finish(timeoutMs: number): Promise<string> {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    const deadline = Date.now() + Math.max(0, timeoutMs);
    const controller = new AbortController();
    const stop = setTimeout(() => {
      controller.abort(new Error("the flush at finish ran out of time"));
      this.#controller?.abort(new Error("the flush at finish ran out of time"));
    }, Math.max(0, timeoutMs));
    try {
      if (this.#pass) await this.#pass;
      // Passes until everything got through or the budget is spent, with a short backoff in between.
      for (let attempt = 0; !controller.signal.aborted && Date.now() < deadline; attempt++) {
        if (await this.#run(controller)) break;
        const wait = Math.min(deadline - Date.now(), 100 * 2 ** Math.min(attempt, 4));
        if (wait <= 0 || controller.signal.aborted) break;
        await new Promise<void>((resolve) => {
          // Not unref'd: finishRun is awaited, and the budget bounds this wait.
          const t = setTimeout(resolve, wait);
          controller.signal.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
        });
      }
    } finally {
      clearTimeout(stop);
    }
    const store = Store.connect(this.#dir);
    const pending = new SyncLedger(store, this.#rep.target).pending(this.#runId);
    if (!pending || isSynced(pending)) return "";
    return describePending(pending);
  }

  /** The last error of a pass, or null. */
  get lastError(): string | null {
    return this.#lastError;
  }
}
