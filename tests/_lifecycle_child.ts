// A program that opens a run and ends in the way its first argument names, without finishRun; run as a
// subprocess by tests/tracking_lifecycle_test.ts. Arguments: MODE STORE_DIR [TRACKER].
//   normal   logs, prints, ends           throw    throws at the top level
//   timer    throws in a timer callback    reject   leaves a promise rejection unhandled
//   exit     Deno.exit(3)                  wait     prints "ready" and waits for a signal
//   merge-kill  logs two calls at step 7 and SIGKILLs itself
import { initRun, logMetrics } from "../lib/tracking/mod.ts";

const [mode, dir, tracker] = Deno.args;
const run = await initRun({
  dir,
  project: "lifecycle",
  tracker: (tracker ?? "local") as "local",
  wandb: {
    // The W&B settings as options (CHILD_WANDB_URL, CHILD_WANDB_KEY), else WANDB_BASE_URL, WANDB_API_KEY.
    baseUrl: Deno.env.get("CHILD_WANDB_URL"),
    apiKey: Deno.env.get("CHILD_WANDB_KEY"),
    checkTimeoutMs: 3000,
    flushTimeoutMs: Number(Deno.env.get("CHILD_FLUSH_MS") ?? 5000),
    intervalMs: 100,
  },
});
console.log(`run ${run.id}`);
logMetrics(run, { loss: 0.5 });
logMetrics(run, { loss: 0.25 });
console.log("before the end");
if (mode === "throw") throw new Error("boom at the top level");
if (mode === "timer") setTimeout(() => JSON.parse("{not json"), 10);
if (mode === "reject") Promise.reject(new RangeError("nobody caught this"));
if (mode === "exit") Deno.exit(3);
if (mode === "wait") {
  setInterval(() => {}, 1000);
  console.log("ready");
}
if (mode === "normal") console.log("the last line");
if (mode === "exitcode") Deno.exitCode = 4;
if (mode === "merge-kill") {
  // Two calls at one explicit step, the row still open, then a kill no handler sees.
  logMetrics(run, { a: 1 }, { step: 7 });
  logMetrics(run, { b: 2 }, { step: 7 });
  Deno.kill(Deno.pid, "SIGKILL");
}
