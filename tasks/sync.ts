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
import { parseArgs } from "node:util";
import { type RunPending, type RunSyncResult, syncRuns, TrackingError } from "../lib/tracking/mod.ts";
import { runMain } from "./_cli.ts";

const USAGE = "usage: deno task sync [RUN_ID | --all] [--dry-run] [--json] [--dir DIR]";

function describe(p: RunPending): string {
  const parts: string[] = [];
  if (p.run) parts.push("run metadata");
  if (p.files) parts.push("run files");
  if (p.historyRows) parts.push(`${p.historyRows} history row${p.historyRows === 1 ? "" : "s"}`);
  if (p.tables.length) parts.push(`table ${p.tables.join(", ")}`);
  if (p.outputs.length) parts.push(`logged ${p.outputs.join(", ")}`);
  if (p.inputs.length) parts.push(`used ${p.inputs.join(", ")}`);
  if (p.outputLines) parts.push(`${p.outputLines} output line${p.outputLines === 1 ? "" : "s"}`);
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

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: {
      all: { type: "boolean", default: false },
      "dry-run": { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      dir: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length > 1) {
    throw new TrackingError(`expected at most one run id, got ${positionals.join(" ")}`);
  }
  if (positionals.length === 1 && values.all) {
    throw new TrackingError(`pass a run id or --all, not both (${USAGE})`);
  }
  const dryRun = values["dry-run"];
  const report = await syncRuns({
    dir: values.dir,
    runId: positionals[0],
    dryRun,
    onRun: values.json ? undefined : (r) => console.log(line(r, dryRun)),
  });
  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    const s = report.sent;
    console.log(
      dryRun
        ? `dry run against ${report.target}: ${
          report.runs.filter((r) => r.outcome === "pending").length
        } run(s) to sync, nothing sent`
        : `synced to ${report.target} as ${report.entity}: ${s.runs} run upsert(s), ${s.historyRows} history ` +
          `row(s), ${s.outputLines} output line(s), ${s.tables} table(s), ${s.artifacts} artifact save(s), ${s.uses} use(s), ${s.finished} ` +
          `completion(s)${report.failed ? `; ${report.failed} run(s) FAILED` : ""}`,
    );
  }
  return report.failed ? 1 : 0;
}

await runMain("sync", main);
