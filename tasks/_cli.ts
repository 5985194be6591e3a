/**
 * Private helpers shared by the tasks (tasks/*.ts): the error exit, flag checks, tracker resolution, the
 * plain-text table and the `main()` wrapper. Not part of the public API.
 * @module
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { nameProblem, TRACKER_KINDS, type TrackerKind } from "../lib/tracking/mod.ts";

/** The values `--tracker` accepts. */
export const TRACKERS: readonly string[] = TRACKER_KINDS;

/**
 * Prints `error: <message>` on stderr and exits 1.
 *
 * @param message What went wrong and what to do.
 * @returns Never: the process exits.
 * @example
 * ```ts
 * if (!file) fail("give a FILE");
 * ```
 */
export function fail(message: string): never {
  console.error(`error: ${message}`);
  Deno.exit(1);
}

/**
 * Parses the flags with node:util parseArgs. A parse error (unknown flag, missing value) prints
 * `error: <cause>` and the usage on stderr and exits 1; `--help` prints the usage on stdout and exits 0.
 *
 * @param config The parseArgs configuration (with `args: Deno.args` and a boolean `help` option).
 * @param usage The task's usage text.
 * @returns What parseArgs returns.
 * @example
 * ```ts
 * const { values } = parseFlags({ args: Deno.args, options: { help: { type: "boolean" } } }, "usage: ...");
 * ```
 */
export function parseFlags<T extends ParseArgsConfig>(
  config: T,
  usage: string,
): ReturnType<typeof parseArgs<T>> {
  let parsed;
  try {
    parsed = parseArgs(config);
  } catch (e) {
    fail(`${(e as Error).message}\n${usage}`);
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(usage);
    Deno.exit(0);
  }
  return parsed;
}

/**
 * Reads a positive number flag; a bad value exits 1 (via {@linkcode fail}).
 *
 * @param flag Flag name without `--`, used in the error.
 * @param v The flag's text, or undefined when not given.
 * @param integer Whether the value must be a whole number.
 * @returns The number, or undefined when the flag was not given.
 * @example
 * ```ts
 * const limit = positiveNumber("limit", "10", true); // 10
 * ```
 */
export function positiveNumber(flag: string, v: string | undefined, integer: boolean): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    fail(`--${flag} must be a positive ${integer ? "integer" : "number"}, got ${JSON.stringify(v)}`);
  }
  return n;
}

/**
 * Checks `--tracker` against {@linkcode TRACKERS} and against `--wandb` (exits 1 on a bad value or a
 * conflict) and resolves the tracker the flags ask for.
 *
 * @param wandb Whether `--wandb` was given.
 * @param tracker The `--tracker` value, or undefined.
 * @returns "wandb" for `--wandb`, else the `--tracker` value (undefined when neither was given).
 * @example
 * ```ts
 * const tracker = trackerFlag(false, "local") ?? "auto";
 * ```
 */
export function trackerFlag(
  wandb: boolean | undefined,
  tracker: string | undefined,
): TrackerKind | undefined {
  if (tracker !== undefined && !TRACKERS.includes(tracker)) {
    fail(`--tracker must be one of ${TRACKERS.join(", ")}, got ${JSON.stringify(tracker)}`);
  }
  if (wandb && tracker !== undefined && tracker !== "wandb") {
    fail(`--wandb conflicts with --tracker ${tracker}; pass one of them`);
  }
  return (wandb ? "wandb" : tracker) as TrackerKind | undefined;
}

/**
 * Checks name-like flags (`--project`, `--name`, `--group`) against the tracking store's naming rule
 * ({@linkcode nameProblem}), so a bad flag exits 1 before a run exists instead of being dropped by initRun.
 *
 * @param values The parsed flags.
 * @param flags Which of them to check.
 * @example
 * ```ts
 * checkNameFlags({ project: "demo" }, ["project", "name"]);
 * ```
 */
export function checkNameFlags<K extends string>(
  values: { [k in K]?: string },
  flags: readonly K[],
): void {
  for (const flag of flags) {
    const v = values[flag];
    const problem = v === undefined ? null : nameProblem(v, "name");
    if (problem) {
      fail(
        `--${flag} ${
          JSON.stringify(v)
        }: use 1 to 128 characters without '/', ':', '..', control characters ` +
          `or surrounding spaces (${problem})`,
      );
    }
  }
}

/**
 * A plain-text table: the header, a dashed rule and the rows, columns padded to their widest cell.
 *
 * @param header Column titles.
 * @param rows Cells, one array per row, as many as the header.
 * @returns The table, lines joined by "\n" (no trailing spaces).
 * @example
 * ```ts
 * console.log(table(["ID", "NAME"], [["1", "a"]]));
 * ```
 */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/**
 * A byte count for people: "512 B", "1.5 KiB", "2.0 MiB".
 *
 * @param bytes The size in bytes.
 * @returns The size with a binary unit, one decimal past bytes.
 * @example
 * ```ts
 * size(1536); // "1.5 KiB"
 * ```
 */
export function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const u = ["KiB", "MiB", "GiB", "TiB"];
  let v = bytes / 1024, i = 0;
  while (v >= 1024 && i < u.length - 1) (v /= 1024, i++);
  return `${v.toFixed(1)} ${u[i]}`;
}

/**
 * Runs a task's `main()` and exits with its code; a thrown error prints `<name>: <message>` on stderr and
 * exits 1.
 *
 * @param name The task name that prefixes errors.
 * @param main The task; returns the exit code.
 * @returns Never returns normally: the process exits.
 * @example
 * ```ts
 * await runMain("runs", () => 0);
 * ```
 */
export async function runMain(name: string, main: () => number | Promise<number>): Promise<never> {
  try {
    Deno.exit(await main());
  } catch (e) {
    console.error(`${name}: ${e instanceof Error ? e.message : String(e)}`);
    Deno.exit(1);
  }
}
