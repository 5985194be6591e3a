// Console capture: while a run on the local store is active, what the program prints through
// console.log / info / debug (stdout) and console.warn / error (stderr) is also kept as the run's output
// (W&B's output.log). Printing is unchanged: each wrapper calls the method it replaced first.
//
// The first active run installs the wrappers, the last one to stop removes them (unless something else
// wrapped the console on top of ours meanwhile: then ours stays, passing through). A line printed while a
// line is being recorded (a warning from the recording itself) is printed but not recorded, so recording
// can never loop.
import { format } from "node:util";
import type { OutputLine } from "./_store_output.ts";

/** Longest recorded line, in characters; longer lines are cut, ending in ` … (+N chars)`. */
export const MAX_OUTPUT_LINE = 10_000;

const METHODS = ["log", "info", "debug", "warn", "error"] as const;
type Method = typeof METHODS[number];
type ConsoleFn = (...args: unknown[]) => void;

/** Receives each recorded line; throwing stops the recording for that run (onError is told once). */
interface Sink {
  write: (line: OutputLine) => void;
  onError: (error: unknown) => void;
}

const sinks = new Map<object, Sink>();
const installed = new Map<Method, { original: ConsoleFn; wrapper: ConsoleFn }>();
let busy = false;

function cut(line: string): string {
  return line.length > MAX_OUTPUT_LINE
    ? `${line.slice(0, MAX_OUTPUT_LINE)} … (+${line.length - MAX_OUTPUT_LINE} chars)`
    : line;
}

function record(stream: OutputLine["stream"], args: unknown[]): void {
  if (busy || sinks.size === 0) return;
  busy = true;
  try {
    const ts = Date.now();
    // node:util format is the formatting Deno's console applies (%s/%d/%o/%c, inspect for non-strings).
    const lines = format(...args).split("\n").map(cut);
    for (const [key, sink] of [...sinks]) {
      try {
        for (const line of lines) sink.write({ ts, stream, line });
      } catch (e) {
        sinks.delete(key);
        try {
          sink.onError(e); // prints (busy: not recorded)
        } catch { /* nothing more to do */ }
      }
    }
  } catch {
    /* formatting failed: the line was printed, it is just not recorded */
  } finally {
    busy = false;
  }
}

/** Starts recording console output for `key` (a run); the first active key installs the wrappers. */
export function startCapture(key: object, sink: Sink): void {
  sinks.set(key, sink);
  const con = globalThis.console as unknown as Record<Method, ConsoleFn>;
  for (const m of METHODS) {
    if (installed.has(m)) continue;
    const original = con[m];
    if (typeof original !== "function") continue;
    const stream = m === "warn" || m === "error" ? "stderr" : "stdout";
    const wrapper: ConsoleFn = function (...args: unknown[]) {
      original.apply(globalThis.console, args);
      record(stream, args);
    };
    installed.set(m, { original, wrapper });
    con[m] = wrapper;
  }
}

/** Stops recording for `key`; when no key records any more, the console methods are restored. */
export function stopCapture(key: object): void {
  if (!sinks.delete(key) || sinks.size > 0) return;
  const con = globalThis.console as unknown as Record<Method, ConsoleFn>;
  for (const [m, { original, wrapper }] of [...installed]) {
    // Wrapped again by someone else after us: leave theirs (ours passes through while nothing records).
    if (con[m] !== wrapper) continue;
    con[m] = original;
    installed.delete(m);
  }
}
