// Compact, readable lines for the console backend. They go to stderr, like the warnings, so that a
// program's stdout (for example `--json` output) stays its own.
import type { Run } from "./types.ts";

function fmt(v: unknown): string {
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(5)));
  if (typeof v === "string") return v.length > 60 ? JSON.stringify(v.slice(0, 57) + "...") : v;
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? s.slice(0, 57) + "..." : s;
}

/** `k=v k=v` for a record. */
export function pairs(values: Record<string, unknown>): string {
  return Object.entries(values).map(([k, v]) => `${k}=${fmt(v)}`).join(" ");
}

/** Prints one line for a run, on stderr. */
export function say(run: Run, message: string): void {
  console.error(`[sentilab ${run.name}] ${message}`);
}

/** Human size. */
export function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = bytes / 1024, i = 0;
  while (v >= 1024 && i < units.length - 1) (v /= 1024, i++);
  return `${v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}
