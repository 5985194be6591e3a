// The main module of the child process that sends a run's end to W&B after `Deno.exit(n)`: the exiting
// process cannot wait for a request ("unload" listeners are synchronous), so it waits for this child
// instead, as the W&B SDK's atexit hook waits for its flush (wandb/sdk/wandb_run.py `_atexit_cleanup`).
// Arguments: STORE_DIR RUN_ID BUDGET_MS. Exit status 0 when everything reached W&B, else 1.
import { syncRuns } from "./sync_runs.ts";

const [dir, runId, ms] = Deno.args;
const budget = Math.max(100, Number(ms) || 5000);
const stop = setTimeout(() => Deno.exit(1), budget);
try {
  const report = await syncRuns({
    dir,
    runId,
    checkTimeoutMs: budget,
    retry: { timeoutMs: budget, maxAttempts: 2, baseDelayMs: 100, maxDelayMs: 500, deadlineMs: budget },
  });
  clearTimeout(stop);
  Deno.exit(report.failed || report.runs.some((r) => r.outcome === "skipped") ? 1 : 0);
} catch {
  Deno.exit(1);
}
