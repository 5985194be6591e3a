// Ending a run: shared by finishRun and the program's end (_lifecycle.ts).
import { fail, stateOf, warnOnce } from "./_state.ts";
import { TrackingError } from "./_errors.ts";
import { say } from "./_console.ts";
import { stopCapture } from "./_capture.ts";
import { type RunEnd, unwatchRun } from "./_lifecycle.ts";
import type { Run } from "./types.ts";
import type { Uploader } from "./_uploader.ts";

/**
 * Sends what W&B has not got of a run from a child process, waiting for it (at most about `budgetMs`
 * plus its start): the only way to make a request from a process inside `Deno.exit`. The child reaches
 * the same W&B: entity and base URL by its environment, the key too when it was an option (else the
 * child finds it where this process did: WANDB_API_KEY or ~/.netrc); never on its command line. Returns
 * why it did not get through, or "" when it did.
 */
function syncInChild(dir: string, runId: string, uploader: Uploader, budgetMs: number): string {
  // A `deno compile`d program's executable is the program itself, not deno: it cannot run the child.
  if (Deno.build.standalone) return "a compiled program cannot start the upload at exit";
  // Without run permission Deno would ask for it on a terminal, and the exit would wait for an answer.
  let allowed = false;
  try {
    allowed = Deno.permissions.querySync({ name: "run", command: Deno.execPath() }).state === "granted";
  } catch { /* no permission API: do not try */ }
  if (!allowed) return "the upload at exit needs --allow-run";
  const { baseUrl, keySource } = uploader.settings;
  const env: Record<string, string> = {
    WANDB_ENTITY: uploader.entity,
    WANDB_BASE_URL: baseUrl,
    NO_COLOR: "1",
  };
  if (keySource === "option") env.WANDB_API_KEY = uploader.settings.apiKey;
  try {
    const main = new URL("./_exit_sync_main.ts", import.meta.url).href;
    const out = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", main, dir, runId, String(budgetMs)],
      env,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).outputSync();
    return out.success ? "" : "the upload at exit did not finish in time";
  } catch (e) {
    return `no child process for the upload at exit: ${(e as Error).message}`;
  }
}

/**
 * Ends a run with an exit code, and for the program's own end (see _lifecycle.ts) a "killed" status or
 * the uncaught error. Everything up to the uploader's flush is synchronous, so it completes even inside
 * an "unload" listener.
 */
export function endRun(run: Run, end: RunEnd): Promise<void> {
  try {
    const s = stateOf(run);
    if (s.finished) return Promise.resolve();
    const exitCode = end.exitCode;
    if (!Number.isSafeInteger(exitCode)) {
      throw new TrackingError(
        `Cannot finish run '${run.name}': exitCode must be an integer, got ${exitCode}`,
      );
    }
    s.finished = true;
    unwatchRun(run);
    stopCapture(run);
    if (s.backend === "disabled") return Promise.resolve();
    if (s.journal) s.journal.close(); // commits the open row
    s.journal = null;
    const status = end.status ?? (exitCode === 0 ? "finished" : "failed");
    if (s.store) {
      s.store.runs.finishRun(run.id, {
        exitCode,
        status,
        lastValues: s.metrics.summary(),
        explicit: s.summaryKeys,
        error: end.error,
      });
    } else say(run, status === "finished" ? "finished" : `${status} (exit code ${exitCode})`);
    const uploader = s.uploader;
    s.uploader = null;
    if (uploader && end.exiting && s.store) {
      uploader.stop();
      const why = syncInChild(s.store.dir, run.id, uploader, s.flushTimeoutMs);
      if (why) {
        warnOnce(
          `wandb-left:${run.id}`,
          `W&B has not got the end of run ${run.id} (${why}); it is safe in the local store: ` +
            `\`deno task sync ${run.id}\` uploads it`,
        );
      }
      return Promise.resolve();
    }
    if (uploader) {
      return uploader.finish(s.flushTimeoutMs).then((left) => {
        if (left) {
          const why = uploader.lastError ? ` (${uploader.lastError})` : "";
          warnOnce(
            `wandb-left:${run.id}`,
            `W&B has not got all of run ${run.id} yet${why}: ${left}; it is safe in the local store: ` +
              `\`deno task sync ${run.id}\` uploads it`,
          );
        }
      }, (e) => fail(run, "finishRun", e));
    }
  } catch (e) {
    try {
      fail(run, "finishRun", e);
    } catch (strictError) {
      return Promise.reject(strictError);
    }
  }
  return Promise.resolve();
}
