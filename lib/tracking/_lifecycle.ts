// How a run still open ends when the program ends without finishRun, as the W&B SDK does it:
//
//   normal end (event loop empty)      finished, exit code 0 (or Deno.exitCode when the program set it;
//                                      "beforeunload": async work may still run, so
//                                      the W&B uploader gets its flush)
//   Deno.exit(n)                       exit code n: finished when 0, else failed ("unload": synchronous)
//   uncaught exception / unhandled     failed, exit code 1, the error's message and stack kept in the run
//   rejection                          (printed as Deno prints it, so it is in the output; summary `_error`)
//   SIGINT                             killed, exit code 255: the W&B SDK's ExitHooks.exc_handler records
//                                      255 for a KeyboardInterrupt (wandb/sdk/lib/exit_hooks.py); the
//                                      process then exits 130 (128 + SIGINT), as a shell expects
//   SIGTERM                            killed, exit code 143 (128 + SIGTERM; the Python SDK installs no
//                                      SIGTERM handler, so its run would only show as crashed later)
//
// What no handler sees (SIGKILL, power loss) stays "running" until the next open of the store marks it
// crashed (Store.detectCrashes). The handlers are installed with the first open run and removed with the
// last one, so a program without an open run keeps Deno's default behaviour. In the Deno Jupyter kernel
// only the end of the kernel ends a run (a failing cell or an interrupt must not end the kernel).
import type { Run } from "./types.ts";

/** How a run ended when the program did it for the run. */
export interface RunEnd {
  /** The exit code recorded. */
  exitCode: number;
  /** "killed" for a signal; otherwise derived from the exit code (0 finished, else failed). */
  status?: "killed";
  /** The uncaught error, kept in the run. */
  error?: { message: string; stack: string };
  /**
   * The process is exiting synchronously (`Deno.exit(n)`): what W&B has not got is sent by a child
   * process the exit waits for (_exit_sync_main.ts) instead of the uploader's asynchronous flush.
   */
  exiting?: boolean;
}

/** Ends one run: the returned promise covers the W&B flush (nobody waits for it inside "unload"). */
export type Ender = (end: RunEnd) => Promise<void>;

/** Exit codes recorded for the signals (see the table at the top). */
export const SIGNAL_EXIT: Readonly<Record<"SIGINT" | "SIGTERM", { recorded: number; process: number }>> = {
  SIGINT: { recorded: 255, process: 130 },
  SIGTERM: { recorded: 143, process: 143 },
};

const open = new Map<Run, Ender>();
let installed = false;

function endAll(end: RunEnd): Promise<void> {
  const enders = [...open.values()];
  open.clear();
  // The handlers stay while the runs end (a second signal during W&B's flush exits at once: onSignal).
  return Promise.all(enders.map((e) => e(end).catch(() => {}))).then(() => listen(false));
}

/** The error of an "error" or "unhandledrejection" event, as text kept in the run. */
function describeError(reason: unknown): { message: string; stack: string } {
  if (reason instanceof Error) {
    return { message: `${reason.name}: ${reason.message}`, stack: reason.stack ?? String(reason) };
  }
  let text: string;
  try {
    text = Deno.inspect(reason);
  } catch {
    text = String(reason);
  }
  return { message: text, stack: text };
}

let exiting = false;

function onFatal(event: Event, reason: unknown, inPromise: boolean): void {
  if (event.defaultPrevented || open.size === 0 || exiting) return;
  // Keep the process alive until the runs are recorded (and W&B got the exit code), then exit 1 as Deno
  // would have. The error is printed as Deno prints it, so it is also in the run's output.
  event.preventDefault();
  exiting = true;
  const error = describeError(reason);
  let shown: string;
  try {
    shown = Deno.inspect(reason);
  } catch {
    shown = error.stack;
  }
  console.error(`error: Uncaught ${inPromise ? "(in promise) " : ""}${shown}`);
  endAll({ exitCode: 1, error }).finally(() => Deno.exit(1));
}

const onError = (e: Event) => onFatal(e, (e as ErrorEvent).error, false);
const onRejection = (e: Event) => onFatal(e, (e as PromiseRejectionEvent).reason, true);
const onBeforeUnload = () => {
  // The normal end: 0, or what the program set in Deno.exitCode.
  if (open.size > 0) void endAll({ exitCode: Deno.exitCode });
};
const onUnload = () => {
  // Deno.exit(n) (or the end after beforeunload): what is still open records the process's exit code.
  if (open.size > 0) void endAll({ exitCode: Deno.exitCode, exiting: true });
};
const signalHandlers = {
  SIGINT: () => onSignal("SIGINT"),
  SIGTERM: () => onSignal("SIGTERM"),
};

function onSignal(signal: "SIGINT" | "SIGTERM"): void {
  const codes = SIGNAL_EXIT[signal];
  if (exiting) {
    // A second signal while W&B is being flushed: exit now, as the SDK does on a second Ctrl-C
    // ("Control-C detected -- Run data was not synced", wandb_run.py _atexit_cleanup). The runs are
    // already recorded in the store; `deno task sync` sends what W&B has not got.
    console.error(`${signal} again: exiting without waiting for W&B (\`deno task sync\` sends the rest)`);
    Deno.exit(codes.process);
  }
  exiting = true;
  endAll({ exitCode: codes.recorded, status: "killed" }).finally(() => Deno.exit(codes.process));
}

/** The program-end events and their handlers. */
const EVENTS: [string, (e: Event) => void][] = [
  ["error", onError],
  ["unhandledrejection", onRejection],
  ["beforeunload", onBeforeUnload],
  ["unload", onUnload],
];

/**
 * Whether this is the Deno Jupyter kernel: there an error in a cell, a stray rejection or SIGINT
 * (interrupt the kernel) must not end the process, so only the end of the kernel ends its runs.
 * (`Deno.jupyter` throws when read outside `deno jupyter`; lib/display reads it the same way.)
 */
function inKernel(): boolean {
  try {
    return typeof Deno.jupyter?.display === "function";
  } catch {
    return false;
  }
}

/** Adds (`on`) or removes every handler; the first open run adds them, the last one's end removes them. */
function listen(on: boolean): void {
  if (installed === on || (!on && open.size > 0)) return;
  installed = on;
  const kernel = inKernel();
  for (const [event, handler] of EVENTS) {
    if (kernel && (event === "error" || event === "unhandledrejection")) continue;
    if (on) globalThis.addEventListener(event, handler as EventListener);
    else globalThis.removeEventListener(event, handler as EventListener);
  }
  for (const [signal, handler] of Object.entries(signalHandlers)) {
    if (kernel) break;
    try {
      if (on) Deno.addSignalListener(signal as Deno.Signal, handler);
      else Deno.removeSignalListener(signal as Deno.Signal, handler);
    } catch { /* signals not supported here (Windows has no SIGTERM listener) */ }
  }
}

/** Watches an open run: the program's end ends it (see the table at the top). */
export function watchRun(run: Run, end: Ender): void {
  open.set(run, end);
  listen(true);
}

/** Stops watching a run (finishRun was called). */
export function unwatchRun(run: Run): void {
  if (open.delete(run)) listen(false);
}
