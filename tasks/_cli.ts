/**
 * The one task skeleton of the `deno task` scripts (tasks/*.ts): a task declares its flags ONCE in a table
 * ({@linkcode Flag}); {@linkcode parseTask} parses the command line with it, and `--help` is generated from
 * the same table, so the parser and the help cannot disagree. Errors print `error: <what and what to do>`
 * on stderr and exit 1; `--help` prints on stdout and exits 0. Tracked tasks spread
 * {@linkcode TRACKING_FLAGS} into their table and turn them into initRun options with
 * {@linkcode trackingOptions}, and end with {@linkcode closingLines}. Not part of the public API.
 *
 * Why node:util parseArgs underneath and not a CLI library: it is built in (no dependency, no install
 * scripts, fast cold start for `predict`), and its token mode gives everything a table-driven parser needs;
 * what it lacks (help text, readable errors instead of Node's `'-- "--bogus"` advice, value checks) is the
 * small part written here. jsr:@std/cli cannot be installed here; the npm CLI frameworks (commander, yargs,
 * cac) would each bring their own help layout and error wording, which is what we want to keep uniform.
 * @module
 */
import { parseArgs } from "node:util";
import { nameProblem, type Run, TRACKER_KINDS, type TrackerKind } from "../lib/tracking/mod.ts";

/** The values `--tracker` accepts. */
export const TRACKERS: readonly string[] = TRACKER_KINDS;

/** One flag of a task: how it parses and how `--help` describes it. */
export interface Flag {
  /** `"string"` takes a value; `"boolean"` is a switch (default false). */
  readonly type: "string" | "boolean";
  /** What the value is, shown in `--help` (e.g. `FILE`, `N`); string flags only. */
  readonly arg?: string;
  /** What the flag does, for `--help` (one sentence or two; wrapped to the terminal width). */
  readonly help: string;
  /** The value when the flag is not given (string flags; shown in `--help`). */
  readonly default?: string;
  /** The flag may repeat; its value is every occurrence, in order. */
  readonly multiple?: boolean;
  /** A one-letter alias (`-h`). */
  readonly short?: string;
}

/** A task's flag table: flag name (without `--`) to {@linkcode Flag}. */
export type Flags = Readonly<Record<string, Flag>>;

type ValueOf<F extends Flag> = F["type"] extends "boolean" ? boolean
  : F["multiple"] extends true ? string[]
  : F["default"] extends string ? string
  : string | undefined;

/** The parsed values of a flag table. */
export type Values<F extends Flags> = { -readonly [K in keyof F]: ValueOf<F[K]> };

/** A task: its name, usage lines, what it does, its flags and positional arguments. */
export interface Task<F extends Flags> {
  /** `deno task NAME`. */
  readonly name: string;
  /** Usage forms, each what follows `deno task NAME` (e.g. `[options] FILE`). */
  readonly usage: readonly string[];
  /** What the task does, a sentence or two. */
  readonly about: string;
  /** The flags (`--help` is added to every task). */
  readonly flags: F;
  /** How many positional arguments it takes (default none). */
  readonly positionals?: { readonly min: number; readonly max: number; readonly arg: string };
  /** More text for the end of `--help` (examples, environment). */
  readonly more?: string;
}

/**
 * The tracking flags, the same for every tracked task (evaluate, train, video): the same names, the same
 * defaults (`--tracker auto`), the same descriptions.
 */
export const TRACKING_FLAGS = {
  wandb: { type: "boolean", help: "replicate the run to Weights & Biases (same as --tracker wandb)" },
  tracker: {
    type: "string",
    arg: "KIND",
    default: "auto",
    help: `where the run goes: ${TRACKER_KINDS.join(", ")}. auto is the local store, also W&B when ` +
      "credentials exist (WANDB_MODE=disabled or offline is respected)",
  },
  project: { type: "string", arg: "P", help: "project name (default: WANDB_PROJECT, else sentilab)" },
  name: { type: "string", arg: "N", help: "run name (default: generated)" },
  group: { type: "string", arg: "G", help: "group of runs this run belongs to" },
  tags: {
    type: "string",
    arg: "A,B",
    multiple: true,
    help: "tags of the run (comma-separated; the flag can repeat)",
  },
  notes: { type: "string", arg: "TEXT", help: "free notes on the run" },
} as const satisfies Flags;

/** The scoring flags of the tasks that run a model over many texts (evaluate, predict): the same names,
 * defaults and descriptions. */
export const SCORING_FLAGS = {
  "batch-size": { type: "string", arg: "N", default: "256", help: "texts per model call" },
  workers: {
    type: "string",
    arg: "N",
    help: "worker threads that score in parallel, each with its own model session (default: one per core " +
      "for 50,000 texts or more, and for predict's stdin past its first 8,192 lines; else 1 = the main thread)",
  },
} as const satisfies Flags;

const HELP: Flag = { type: "boolean", short: "h", help: "show this help and exit" };
const WIDTH = 110;

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
 * The `--help` text of a task, generated from its flag table.
 *
 * @param task The task.
 * @returns Usage lines, what it does, every option with its description and default, exit status.
 * @example
 * ```ts
 * console.log(helpText({ name: "demo", usage: ["[options]"], about: "Demo.", flags: {} }));
 * ```
 */
export function helpText<F extends Flags>(task: Task<F>): string {
  const lines = task.usage.map((u, i) => `${i === 0 ? "usage:" : "      "} deno task ${task.name} ${u}`);
  lines.push(...wrap(task.about, WIDTH, ""));
  const isShared = ([k, f]: [string, Flag]) => (TRACKING_FLAGS as Flags)[k] === f;
  const own = Object.entries(task.flags).filter((e) => !isShared(e));
  const shared = Object.entries(task.flags).filter(isShared);
  const all: [string, Flag][] = [...own, ...shared, ["help", HELP]];
  const left = (k: string, f: Flag) => `${f.short ? `-${f.short}, ` : ""}--${k}${f.arg ? ` ${f.arg}` : ""}`;
  const col = Math.min(26, Math.max(...all.map(([k, f]) => left(k, f).length)) + 4);
  const describe = (k: string, f: Flag) => {
    const text = f.help + (f.default !== undefined ? ` (default: ${f.default || '""'})` : "");
    const head = `  ${left(k, f)}`;
    const body = wrap(text, WIDTH - col, " ".repeat(col));
    if (head.length + 2 <= col) return [head.padEnd(col) + body[0].trimStart(), ...body.slice(1)];
    return [head, ...body];
  };
  lines.push("", "options:");
  for (const [k, f] of [...own, ["help", HELP] as [string, Flag]]) lines.push(...describe(k, f));
  if (shared.length) {
    lines.push("", "tracking options (the same for every tracked task):");
    for (const [k, f] of shared) lines.push(...describe(k, f));
  }
  if (task.more) lines.push("", task.more);
  lines.push("", "exit status: 0 when done, 1 on an error (the message says what to fix).");
  return lines.join("\n");
}

function wrap(text: string, width: number, indent: string): string[] {
  const out: string[] = [];
  for (const para of text.split("\n")) {
    let line = "";
    for (const word of para.split(" ")) {
      if (line && line.length + 1 + word.length > width) {
        out.push(indent + line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    out.push(indent + line);
  }
  return out;
}

/** Edit distance, to suggest the flag a typo meant. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

/**
 * Parses the command line with the task's flag table. `--help`/`-h` prints {@linkcode helpText} and exits
 * 0; an unknown flag (with the nearest known one suggested), a string flag without its value, a value given
 * to a switch or the wrong number of positional arguments prints `error: ...` and exits 1.
 *
 * @param task The task and its flag table.
 * @param args The arguments (default `Deno.args`).
 * @returns The values (every flag present: defaults filled in) and the positional arguments.
 * @example
 * ```ts
 * const { values } = parseTask({
 *   name: "demo",
 *   usage: ["[--n N]"],
 *   about: "Demo.",
 *   flags: { n: { type: "string", arg: "N", help: "how many" } },
 * }, ["--n", "3"]);
 * values.n; // "3"
 * ```
 */
export function parseTask<const F extends Flags>(
  task: Task<F>,
  args: string[] = Deno.args,
): { values: Values<F>; positionals: string[] } {
  const flags: Record<string, Flag> = { ...task.flags, help: HELP };
  const options = Object.fromEntries(
    Object.entries(flags).map(([k, f]) => [k, {
      type: f.type,
      ...(f.short ? { short: f.short } : {}),
      ...(f.multiple ? { multiple: true } : {}),
    }]),
  );
  const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  const values: Record<string, unknown> = {};
  for (const [k, f] of Object.entries(flags)) {
    values[k] = f.type === "boolean" ? false : f.multiple ? [] : f.default;
  }
  const positionals: string[] = [];
  const usageHint = `\`deno task ${task.name} --help\` lists the options`;
  for (const t of tokens) {
    if (t.kind === "positional") positionals.push(t.value);
    if (t.kind !== "option") continue;
    const f = flags[t.name];
    if (!f) {
      const near = Object.keys(flags).map((k) => [k, distance(k, t.name)] as const)
        .filter(([, d]) => d <= 2).sort((a, b) => a[1] - b[1])[0];
      fail(`unknown option ${t.rawName}${near ? ` (did you mean --${near[0]}?)` : ""}; ${usageHint}`);
    }
    if (f.type === "boolean") {
      if (t.inlineValue) fail(`${t.rawName} is a switch and takes no value (got "${t.value}")`);
      values[t.name] = true;
      continue;
    }
    const v = t.value;
    if (v === undefined) fail(`${t.rawName} needs a value: ${t.rawName} ${f.arg ?? "VALUE"}`);
    // A value may start with '-' when it is a number or the flag's ARG says so (`[-]KEY`: a descending sort).
    if (!t.inlineValue && v.startsWith("-") && !Number.isFinite(Number(v)) && !f.arg?.startsWith("[-]")) {
      fail(
        `${t.rawName} needs a value (${f.arg ?? "VALUE"}) but is followed by ${JSON.stringify(v)}; ` +
          `write ${t.rawName}=${v} if that is the value`,
      );
    }
    if (f.multiple) (values[t.name] as string[]).push(v);
    else values[t.name] = v;
  }
  if (values.help) {
    console.log(helpText(task));
    Deno.exit(0);
  }
  const p = task.positionals ?? { min: 0, max: 0, arg: "" };
  if (positionals.length < p.min || positionals.length > p.max) {
    const want = p.max === 0
      ? "no arguments besides options"
      : p.min === p.max
      ? `exactly ${p.min} ${p.arg}`
      : p.min === 0
      ? `at most ${p.max} ${p.arg}`
      : `${p.min} to ${p.max} ${p.arg}`;
    fail(
      `deno task ${task.name} takes ${want}, got ${positionals.length}` +
        (positionals.length ? ` (${positionals.map((a) => JSON.stringify(a)).join(" ")})` : "") +
        `; ${usageHint}`,
    );
  }
  return { values: values as Values<F>, positionals };
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
  // Plain decimals only: Number() would also take "0x10", " 5", "1e3" and "".
  const n = (integer ? /^\d+$/ : /^\d+(\.\d+)?$/).test(v) ? Number(v) : NaN;
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    fail(`--${flag} must be a positive ${integer ? "integer" : "number"}, got ${JSON.stringify(v)}`);
  }
  return n;
}

/**
 * Reads a whole-number flag that may be 0 or negative when `min` allows; a bad value exits 1.
 *
 * @param flag Flag name without `--`.
 * @param v The flag's text, or undefined.
 * @param min The smallest allowed value.
 * @returns The number, or undefined when the flag was not given.
 * @example
 * ```ts
 * integerFlag("last", "0", 0); // 0
 * ```
 */
export function integerFlag(flag: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = /^-?\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min) {
    const what = min <= Number.MIN_SAFE_INTEGER
      ? "an integer"
      : min === 0
      ? "a non-negative integer"
      : min === 1
      ? "a positive integer"
      : `an integer >= ${min}`;
    fail(`--${flag} must be ${what}, got ${JSON.stringify(v)}`);
  }
  return n;
}

/** The initRun options the tracking flags ask for. */
export interface TrackingOptions {
  /** The tracker (`--wandb` means `wandb`; default `auto`). */
  tracker: TrackerKind;
  /** `--project`. */
  project?: string;
  /** `--name`. */
  name?: string;
  /** `--group`. */
  group?: string;
  /** `--tags`, split at commas, blanks dropped. */
  tags?: string[];
  /** `--notes`. */
  notes?: string;
}

/**
 * Checks the tracking flags ({@linkcode TRACKING_FLAGS}) and turns them into initRun options: `--tracker`
 * must be a known kind, `--wandb` conflicts with any other `--tracker`, and `--project/--name/--group`
 * follow the store's naming rule ({@linkcode nameProblem}); a problem exits 1 before a run exists.
 *
 * @param values The parsed values of a table that includes TRACKING_FLAGS.
 * @param given The raw arguments, to tell an explicit `--tracker auto` from the default.
 * @returns The options to spread into initRun.
 * @example
 * ```ts
 * const t = trackingOptions({ wandb: false, tracker: "auto", tags: ["a,b"] });
 * t.tags; // ["a", "b"]
 * ```
 */
export function trackingOptions(
  values: {
    wandb?: boolean;
    tracker?: string;
    project?: string;
    name?: string;
    group?: string;
    tags?: string[];
    notes?: string;
  },
  given: string[] = Deno.args,
): TrackingOptions {
  const tracker = values.tracker ?? "auto";
  if (!TRACKERS.includes(tracker)) {
    fail(`--tracker must be one of ${TRACKERS.join(", ")}, got ${JSON.stringify(tracker)}`);
  }
  const explicit = given.some((a) => a === "--tracker" || a.startsWith("--tracker="));
  if (values.wandb && explicit && tracker !== "wandb") {
    fail(`--wandb conflicts with --tracker ${tracker}; pass one of them`);
  }
  for (const flag of ["project", "name", "group"] as const) {
    const v = values[flag];
    const problem = v === undefined ? null : nameProblem(v, "name");
    if (problem) {
      fail(
        `--${flag} ${JSON.stringify(v)}: use 1 to 128 characters without '/', ':', '..', control ` +
          `characters or surrounding spaces (${problem})`,
      );
    }
  }
  const tags = (values.tags ?? []).flatMap((t) => t.split(",")).map((t) => t.trim()).filter((t) => t);
  return {
    tracker: (values.wandb ? "wandb" : tracker) as TrackerKind,
    project: values.project,
    name: values.name,
    group: values.group,
    tags: tags.length ? tags : undefined,
    notes: values.notes,
  };
}

/**
 * The run as every tracked task's `--json` output names it: id, name, project, backend and store folder.
 *
 * @param run The task's run.
 * @returns The object to put under `run` (tasks add their own keys after it).
 * @example
 * ```ts
 * // console.log(JSON.stringify({ run: { ...runJson(run), inputs } }));
 * ```
 */
export function runJson(
  run: Run,
): Pick<Run, "id" | "name" | "project" | "backend" | "storeDir"> {
  return { id: run.id, name: run.name, project: run.project, backend: run.backend, storeDir: run.storeDir };
}

/**
 * The closing lines of every tracked task: where the run is stored and the commands that show it again
 * (`deno task runs ID`, `deno task ui`), plus any task-specific next step (train: how to use the model).
 *
 * @param run The finished run.
 * @param next More "what next" lines, e.g. `use the model: deno task evaluate --model NAME:latest`.
 * @returns The lines to print.
 * @example
 * ```ts
 * // console.log(closingLines(run).join("\n"));
 * ```
 */
export function closingLines(run: Run, next: string[] = []): string[] {
  if (!run.storeDir) {
    const why = Deno.env.get("WANDB_MODE")?.toLowerCase() === "disabled"
      ? "WANDB_MODE=disabled"
      : "--tracker disabled";
    return [
      run.backend === "disabled"
        ? `run ${run.id} (${run.name}) was not tracked (${why}): nothing was stored`
        : `run ${run.id} (${run.name}) was not stored (tracker: ${run.backend})`,
      ...next,
    ];
  }
  return [
    `run ${run.id} (${run.name}, project ${run.project}) stored in ${run.storeDir} [${run.backend}]`,
    `look at it: deno task runs ${run.id}   (or browse every run: deno task ui)`,
    ...next,
  ];
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
 * `n thing` with the right plural: "1 file", "2 files", "0 rows".
 *
 * @param n The count.
 * @param one The singular.
 * @param many The plural (default: singular + "s").
 * @returns The count and the noun.
 * @example
 * ```ts
 * plural(1, "version"); // "1 version"
 * ```
 */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * A value in at most `max` characters: numbers to 5 significant digits, strings quoted, and long JSON
 * summarised by its shape (`{labels: [3 items], matrix: [3 items]}`) instead of cut mid-token.
 *
 * @param v Any JSON value.
 * @param max Most characters (default 40).
 * @returns The short text.
 * @example
 * ```ts
 * brief({ labels: ["a", "b", "c"], matrix: [[1, 0, 0], [0, 1, 0], [0, 0, 1]] }); // "{labels: [3 items], matrix: [3 items]}"
 * brief({ negative: 0.8272425249169435, positive: 0.7753164556962026 }); // '{"negative":0.82724,"positive":0.77532}'
 * ```
 */
export function brief(v: unknown, max = 40): string {
  // Fractions to 5 significant digits, also inside objects and arrays (a model card's per-class recall).
  const s = typeof v === "number"
    ? String(short(v))
    : JSON.stringify(v, (_, x) => typeof x === "number" && !Number.isInteger(x) ? short(x) : x);
  if (s.length <= max) return s;
  const shape = (x: unknown): string =>
    Array.isArray(x)
      ? `[${plural(x.length, "item")}]`
      : x !== null && typeof x === "object"
      ? `{${plural(Object.keys(x).length, "key")}}`
      : JSON.stringify(x);
  if (Array.isArray(v)) {
    const first = v.slice(0, 3).map(shape).join(", ");
    const text = `[${plural(v.length, "item")}: ${first}${v.length > 3 ? ", ..." : ""}]`;
    if (text.length <= max) return text;
    return `[${plural(v.length, "item")}]`;
  }
  if (v !== null && typeof v === "object") {
    const text = `{${Object.entries(v).map(([k, x]) => `${k}: ${shape(x)}`).join(", ")}}`;
    if (text.length <= max) return text;
    const keys = Object.keys(v);
    const list = `{${keys.slice(0, 4).join(", ")}${keys.length > 4 ? ", ..." : ""}}`;
    return list.length <= max ? list : `{${plural(keys.length, "key")}}`;
  }
  return s.slice(0, max - 3) + "...";
}

/** A number to 5 significant digits (integers, NaN and infinities as they are). */
function short(x: number): number {
  return Number.isFinite(x) && !Number.isInteger(x) ? Number(x.toPrecision(5)) : x;
}

/**
 * Runs a task's `main()` and exits with its code; a thrown error prints `error: <message>` on stderr and
 * exits 1, like {@linkcode fail}.
 *
 * @param main The task; returns the exit code.
 * @returns Never returns normally: the process exits.
 * @example
 * ```ts
 * await runMain(() => 0);
 * ```
 */
export async function runMain(main: () => number | Promise<number>): Promise<never> {
  let code: number;
  try {
    code = await main();
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
  Deno.exit(code);
}
