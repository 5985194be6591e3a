/**
 * `deno task sync`: upload to W&B what the local store holds and W&B has not got yet.
 *
 *   deno task sync [RUN_ID | --all] [--dry-run] [--json] [--dir DIR]
 *
 * Without a run id every run of the store is synced. Idempotent: a second sync sends nothing.
 * Credentials: WANDB_API_KEY or ~/.netrc; WANDB_BASE_URL, WANDB_ENTITY as for `--wandb`.
 *
 * @module
 */
import { type RunPending, type RunSyncResult, syncRuns } from "../lib/tracking/mod.ts";
import { resolveWandbSettings } from "../lib/tracking/wandb/settings.ts";
import { fail, parseTask, plural, runMain } from "./_cli.ts";

function describe(p: RunPending): string {
  const parts: string[] = [];
  if (p.run) parts.push("run metadata");
  if (p.files) parts.push("run files");
  if (p.historyRows) parts.push(plural(p.historyRows, "history row"));
  if (p.tables.length) parts.push(`${plural(p.tables.length, "table")} (${p.tables.join(", ")})`);
  if (p.outputs.length) parts.push(`logged ${p.outputs.join(", ")}`);
  if (p.inputs.length) parts.push(`used ${p.inputs.join(", ")}`);
  if (p.outputLines) parts.push(plural(p.outputLines, "output line"));
  if (p.summary) parts.push("summary");
  if (p.exit) parts.push("exit code");
  return parts.join(", ") || "nothing";
}

function line(r: RunSyncResult, dryRun: boolean): string {
  return [
    lineOf(r, dryRun),
    ...r.skippedForGood.map((why) => `  skipped for good (W&B cannot take it): ${why}`),
  ]
    .join("\n");
}

function lineOf(r: RunSyncResult, dryRun: boolean): string {
  switch (r.outcome) {
    case "up-to-date":
      return `${r.runId}  up to date`;
    case "pending":
      return `${r.runId}  would send: ${describe(r.pending)}`;
    case "skipped":
      return `${r.runId}  skipped: ${r.reason} (pending: ${describe(r.pending)})`;
    case "failed":
      return `${r.runId}  FAILED: ${r.reason}\n  (what got through is recorded; run the sync again to send the rest)`;
    default:
      return `${r.runId}  ${dryRun ? "would send" : "sent"}: ${describe(r.pending)}`;
  }
}

const TASK = {
  name: "sync",
  usage: ["[RUN_ID | --all] [--dry-run] [--json] [--dir DIR]"],
  about: "Uploads to W&B what the local store holds and W&B has not got yet (every run without a RUN_ID). " +
    "Idempotent: a second sync sends nothing.",
  positionals: { min: 0, max: 1, arg: "RUN_ID" },
  flags: {
    all: { type: "boolean", help: "sync every run of the store (the default without RUN_ID)" },
    "dry-run": { type: "boolean", help: "say what would be sent, send nothing" },
    json: { type: "boolean", help: "print the sync report as JSON" },
    dir: { type: "string", arg: "DIR", help: "the store (default: SENTILAB_DIR, else .sentilab)" },
  },
  more: "credentials: WANDB_API_KEY or ~/.netrc; WANDB_BASE_URL and WANDB_ENTITY as for --wandb.",
} as const;

async function main(): Promise<number> {
  const { values, positionals } = parseTask(TASK);
  if (positionals.length === 1 && values.all) {
    fail("pass a RUN_ID or --all, not both");
  }
  const dryRun = values["dry-run"];
  const report = await syncRuns({
    dir: values.dir,
    runId: positionals[0],
    dryRun,
    onRun: values.json ? undefined : (r) => console.log(line(r, dryRun)),
  });
  // A dry run sends nothing, so it never needs the key; say when the real sync would stop for lack of one.
  let noKey: string | null = null;
  if (dryRun) {
    try {
      resolveWandbSettings();
    } catch (e) {
      noKey = (e as Error).message;
    }
  }
  if (values.json) {
    console.log(JSON.stringify(dryRun ? { ...report, apiKey: noKey === null } : report, null, 2));
  } else {
    for (const a of report.aliases) {
      console.log(
        `alias ${a}  ${
          dryRun || positionals[0] !== undefined
            ? "pending"
            : report.aliasesFailed
            ? `FAILED: ${report.aliasesFailed}`
            : "sent"
        }`,
      );
    }
    const s = report.sent;
    const pending = report.runs.filter((r) => r.outcome === "pending").length;
    console.log(
      dryRun
        ? `dry run against ${report.target}: ${plural(pending, "run")} to sync, nothing sent` +
          (noKey ? `\nthe real sync would fail: ${noKey}` : "")
        : `synced to ${report.target} as ${report.entity}: ${plural(s.runs, "run upsert")}, ` +
          `${plural(s.historyRows, "history row")}, ${plural(s.outputLines, "output line")}, ` +
          `${plural(s.tables, "table")}, ${plural(s.artifacts, "artifact save")}, ${
            plural(s.uses, "use")
          }, ` +
          `${plural(s.finished, "completion")}${
            report.failed ? `; ${plural(report.failed, "run")} FAILED` : ""
          }`,
    );
  }
  return report.failed ? 1 : 0;
}

await runMain(main);
