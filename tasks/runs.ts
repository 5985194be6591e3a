/**
 * `deno task runs`: list the runs of the local store, or show one.
 *
 *   deno task runs [--dir DIR] [--project P] [--group G] [--tags T] [--status S] [--filter EXPR]
 *                  [--sort [-]KEY] [--limit N] [--json]
 *   deno task runs <run-id> [--dir DIR] [--last N] [--json]
 *   deno task runs compare A B [C...] [--dir DIR] [--json]
 *
 * @module
 */
import {
  compareRuns,
  getHistory,
  getOutput,
  getRun,
  getSyncStatus,
  listRuns,
  RUN_STATUSES,
  type RunStatus,
  type SyncStatus,
  TrackingError,
} from "../lib/tracking/mod.ts";
import { brief, fail, integerFlag, parseTask, plural, runMain, size, table } from "./_cli.ts";

function duration(start: string, end: string | null): string {
  if (!end) return "-";
  const s = (Date.parse(end) - Date.parse(start)) / 1000;
  return s < 60 ? `${s.toFixed(1)}s` : s < 3600 ? `${(s / 60).toFixed(1)}m` : `${(s / 3600).toFixed(1)}h`;
}

/**
 * What of the run is on W&B: "synced", "local only", what is pending, or, for a run that only went to
 * other W&B base URLs, "synced to URL" / "pending at URL".
 */
function syncText(s: SyncStatus | null, long = false): string {
  if (!s) return "-";
  const skipped = long && s.pending.skipped.length
    ? `; never sent (W&B cannot take it): ${s.pending.skipped.join("; ")}`
    : "";
  if (s.synced) return `synced${skipped}`;
  if (s.never) {
    // Sync state is per W&B base URL: a run synced to another one is not "local only".
    if (s.elsewhere.length === 0) return "local only";
    return s.elsewhere.map((e) => `${e.synced ? "synced to" : "pending at"} ${e.target}`).join(", ");
  }
  const p = s.pending;
  const parts: string[] = [];
  if (p.historyRows) parts.push(plural(p.historyRows, "row"));
  if (p.outputLines) parts.push(plural(p.outputLines, "output line"));
  if (p.tables.length) parts.push(long ? `tables ${p.tables.join(", ")}` : plural(p.tables.length, "table"));
  const arts = p.outputs.length + p.inputs.length;
  if (arts) {
    parts.push(long ? `artifacts ${[...p.outputs, ...p.inputs].join(", ")}` : plural(arts, "artifact"));
  }
  if (p.run || p.files) parts.push("metadata");
  if (p.summary) parts.push("summary");
  if (p.exit) parts.push("exit");
  return `pending: ${parts.join(", ")}${skipped}`;
}

const indent = (text: string) => text.split("\n").map((l) => "  " + l).join("\n");

/** Columns the terminal has: its width when stdout is a terminal, else 120. */
function terminalWidth(): number {
  try {
    if (Deno.stdout.isTerminal()) return Deno.consoleSize().columns;
  } catch { /* not a terminal */ }
  return 120;
}

/** Most metric columns shown side by side; past that (or past the terminal width) rows turn into columns. */
const WIDE_KEYS = 6;
/** Steps shown when the history is transposed. */
const TRANSPOSED_STEPS = 5;

/**
 * The last history rows: one line per step (STEP | key ...) when that fits, else transposed, one line per
 * key (KEY | step a | step b ...) over the last {@linkcode TRANSPOSED_STEPS} steps, so a run that logs
 * many metrics at once (an evaluation) still reads in a terminal.
 */
function historyTable(
  history: { step: number; values: Record<string, unknown> }[],
): { text: string; shown: number } {
  const keys = [...new Set(history.flatMap((h) => Object.keys(h.values)))];
  const cell = (h: { values: Record<string, unknown> }, k: string) => k in h.values ? brief(h.values[k]) : "";
  const wide = table(["STEP", ...keys], history.map((h) => [String(h.step), ...keys.map((k) => cell(h, k))]));
  const longest = Math.max(...wide.split("\n").map((l) => l.length)) + 2;
  if (keys.length <= WIDE_KEYS && longest <= terminalWidth()) return { text: wide, shown: history.length };
  const steps = history.slice(-TRANSPOSED_STEPS);
  const text = table(
    ["KEY", ...steps.map((h) => `step ${h.step}`)],
    keys.map((k) => [k, ...steps.map((h) => cell(h, k))]),
  );
  return { text, shown: steps.length };
}

const TASK = {
  name: "runs",
  usage: ["[options]", "ID [--last N] [--json] [--dir DIR]", "compare A B [C...] [--json] [--dir DIR]"],
  about: "Lists the runs of the local store (newest first, or --sort), filtered by --filter EXPR (e.g. " +
    `'summary.accuracy > 0.9 and config.model = "default" or tags contains "x"'); shows one run: config, ` +
    "summary, the last history rows, tables, artifacts, output and W&B sync state; or compares runs: " +
    "config differences, summaries side by side, the artifacts each used and produced.",
  positionals: { min: 0, max: 64, arg: "run ID, or compare and two or more run IDs" },
  flags: {
    dir: { type: "string", arg: "DIR", help: "the store (default: SENTILAB_DIR, else .sentilab)" },
    project: { type: "string", arg: "P", help: "list only the runs of project P" },
    group: { type: "string", arg: "G", help: "list only the runs of group G" },
    tags: {
      type: "string",
      arg: "T,...",
      multiple: true,
      help: "list only the runs carrying every one of these tags (comma-separated, may repeat)",
    },
    filter: {
      type: "string",
      arg: "EXPR",
      help:
        "list only the runs matching EXPR: summary.KEY, config.KEY or a run field (name, status, group, " +
        'jobType, exitCode, startedAt ...) compared (= != > >= < <=) with a number, "text", true, false or ' +
        'null; tags contains "x"; joined with and, or, not, ( )',
    },
    sort: {
      type: "string",
      arg: "[-]KEY",
      help: "sort by KEY (summary.KEY, config.KEY, startedAt, name, status, exitCode ...), '-' for " +
        "descending; runs without the value come last (default: newest first)",
    },
    status: {
      type: "string",
      arg: "S",
      help: `list only runs with status S: ${RUN_STATUSES.join(", ")}`,
    },
    limit: { type: "string", arg: "N", default: "50", help: "list at most N runs" },
    last: {
      type: "string",
      arg: "N",
      default: "10",
      help: "with an ID: show the last N history rows and output lines",
    },
    json: { type: "boolean", help: "print JSON instead of tables" },
  },
} as const;

/** `runs compare A B [C...]`: the config keys that differ, the summaries, the artifacts of each run. */
function compare(ids: string[], dir: string | undefined, json: boolean): number {
  const c = compareRuns(ids, { dir });
  if (json) {
    console.log(JSON.stringify(c, null, 2));
    return 0;
  }
  const header = ["", ...c.runs.map((r) => `${r.id} (${r.name})`)];
  const rows = (keys: typeof c.config) =>
    keys.map((k) => [k.key, ...k.values.map((v) => v === null ? "-" : brief(v, 24))]);
  const out: string[] = [];
  out.push(table(["RUN", ...header.slice(1)], [
    ["status", ...c.runs.map((r) => `${r.status}${r.exitCode === null ? "" : ` (${r.exitCode})`}`)],
    ["started", ...c.runs.map((r) => r.startedAt.replace("T", " ").slice(0, 19))],
  ]));
  const differing = c.config.filter((k) => !k.same);
  const same = c.config.length - differing.length;
  out.push("", `Config: ${plural(differing.length, "difference")}${same ? ` (${same} the same)` : ""}`);
  if (differing.length) out.push(indent(table(["KEY", ...header.slice(1)], rows(differing))));
  out.push("", "Summary");
  out.push(c.summary.length ? indent(table(["KEY", ...header.slice(1)], rows(c.summary))) : "  (none)");
  out.push("", "Artifacts");
  out.push(indent(table(["", ...header.slice(1)], [
    ["used", ...c.artifacts.map((a) => a.used.join(", ") || "-")],
    ["produced", ...c.artifacts.map((a) => a.produced.join(", ") || "-")],
  ])));
  console.log(out.join("\n"));
  return 0;
}

function main(): number {
  const { values, positionals } = parseTask(TASK);
  const dir = values.dir;
  if (values.status !== undefined && !(RUN_STATUSES as readonly string[]).includes(values.status)) {
    fail(`--status must be one of ${RUN_STATUSES.join(", ")}, got ${JSON.stringify(values.status)}`);
  }
  const limit = integerFlag("limit", values.limit, 0)!;
  const last = integerFlag("last", values.last, 0)!;

  if (positionals.length === 0) {
    const tags = values.tags.flatMap((t) => t.split(",")).map((t) => t.trim()).filter(Boolean);
    const runs = listRuns({
      dir,
      project: values.project,
      group: values.group,
      tags: tags.length ? tags : undefined,
      status: values.status as RunStatus,
      filter: values.filter,
      sort: values.sort,
      limit,
      sync: true, // on the same open store: one crash check for the listing, not one per run
    });
    if (values.json) {
      console.log(JSON.stringify(runs, null, 2));
      return 0;
    }
    if (runs.length === 0) {
      const filtered = values.project ?? values.group ?? values.status ?? values.filter ?? tags[0];
      console.log(
        filtered === undefined
          ? "No runs yet: track one, e.g. deno task evaluate (or train, video)."
          : "No runs match.",
      );
      return 0;
    }
    console.log(table(
      ["ID", "NAME", "PROJECT", "STATUS", "STARTED", "DURATION", "STEPS", "W&B", "SUMMARY"],
      runs.map((r) => [
        r.id,
        r.name,
        r.project,
        r.status,
        r.startedAt.replace("T", " ").slice(0, 19),
        duration(r.startedAt, r.endedAt),
        String(r.historyCount),
        syncText(r.sync ?? null),
        Object.entries(r.summary).slice(0, 3).map(([k, v]) => `${k}=${brief(v, 12)}`).join(" "),
      ]),
    ));
    return 0;
  }

  if (positionals[0] === "compare") return compare(positionals.slice(1), dir, values.json);
  if (positionals.length > 1) {
    fail(`give one run ID, or 'compare' and two or more run IDs; got ${positionals.join(" ")}`);
  }
  const id = positionals[0];
  const run = getRun(id, { dir });
  if (!run) throw new TrackingError(`No run '${id}' in the store; 'deno task runs' lists the runs`);
  const history = getHistory(id, { dir, last });
  const sync = getSyncStatus(id, { dir });
  const output = getOutput(id, { dir, last });
  if (values.json) {
    console.log(JSON.stringify({ ...run, lastHistory: history, lastOutput: output, sync }, null, 2));
    return 0;
  }
  const out: string[] = [];
  out.push(`Run ${run.id}  ${run.name}  (${run.project})  ${run.status}`);
  out.push(`  started  ${run.startedAt}   ended ${run.endedAt ?? "-"}   exit code ${run.exitCode ?? "-"}`);
  if (run.group || run.jobType) out.push(`  group    ${run.group ?? "-"}   job type ${run.jobType ?? "-"}`);
  if (run.tags.length) out.push(`  tags     ${run.tags.join(", ")}`);
  if (run.notes) out.push(`  notes    ${run.notes}`);
  out.push(
    `  git      ${run.gitCommit ? run.gitCommit.slice(0, 12) + (run.gitDirty ? " (dirty)" : "") : "-"}   ` +
      `deno ${run.denoVersion}   lock ${run.lockDigest ? run.lockDigest.slice(0, 12) : "-"}`,
  );
  out.push(`  host     ${run.host} (pid ${run.pid})   command ${run.argv.join(" ")}`);
  out.push(
    `  W&B      ${syncText(sync, true)}${sync ? ` (${sync.target}` : ""}${
      sync?.lastSyncedAt ? `, last upload ${sync.lastSyncedAt}` : ""
    }${sync ? ")" : ""}${sync && !sync.synced ? `; \`deno task sync ${id}\` uploads it` : ""}`,
  );
  const kv = (title: string, rec: Record<string, unknown>) => {
    out.push("", title);
    const entries = Object.entries(rec);
    if (entries.length === 0) out.push("  (none)");
    const w = Math.max(...entries.map(([k]) => k.length));
    for (const [k, v] of entries) out.push(`  ${k.padEnd(w)}  ${brief(v, 80)}`);
  };
  kv("Config", run.config);
  const { _error: error, ...summary } = run.summary as { _error?: { message?: string; stack?: string } };
  kv("Summary", summary);
  if (error && typeof error === "object") {
    // An uncaught error ended the run (see initRun): its message and stack.
    out.push("", "Error");
    const stack = String(error.stack ?? error.message ?? "");
    out.push(indent(stack.startsWith(String(error.message)) ? stack : `${error.message}\n${stack}`));
  }
  // The summary already shows the last value of every key: a single history row that says the same is
  // not printed again.
  const same = history.length === 1 && run.historyCount === 1 &&
    Object.entries(history[0].values).every(([k, v]) => JSON.stringify(run.summary[k]) === JSON.stringify(v));
  if (same) {
    out.push("", `History (1 row, step ${history[0].step}: the values under Summary)`);
  } else {
    const shown = history.length ? historyTable(history) : { text: "  (none)", shown: 0 };
    const lastN = run.historyCount > shown.shown ? `, last ${shown.shown}` : "";
    out.push("", `History (${plural(run.historyCount, "row")}${lastN})`);
    out.push(history.length ? indent(shown.text) : shown.text);
  }
  out.push("", "Tables");
  if (run.tables.length === 0) out.push("  (none)");
  for (const t of run.tables) {
    out.push(
      `  ${t.key}: ${plural(t.rowCount, "row")} x ${plural(t.columns.length, "column")} (${
        t.columns.join(", ")
      })`,
    );
  }
  for (const [title, list] of [["Artifacts produced", run.produced], ["Artifacts used", run.used]] as const) {
    out.push("", title);
    if (list.length === 0) out.push("  (none)");
    for (const v of list) {
      out.push(
        `  ${v.ref.padEnd(24)} ${v.type.padEnd(8)} ${plural(v.fileCount, "file", "files").padStart(10)}  ${
          size(v.size).padStart(10)
        }  ${v.aliases.join(", ")}`,
      );
    }
  }
  out.push("", `Output (last ${plural(output.length, "line")})`);
  if (output.length === 0) out.push("  (none)");
  for (const o of output) {
    const text = o.text.length > 116 ? o.text.slice(0, 113) + "..." : o.text;
    out.push(`  ${o.stream === "stderr" ? "! " : "  "}${text}`);
  }
  console.log(out.join("\n"));
  return 0;
}

await runMain(main);
