/**
 * `deno task merge DIR [options]` / `deno task merge --group G [options]`: combines the partial results
 * that the shards of one evaluation wrote (`deno task evaluate --shard I/N --out DIR`), or that the shard
 * runs of group G keep in the local store (`deno task evaluate --shard I/N --group G`), into one evaluation
 * run, with metrics from the summed counts: exactly those of the same evaluation unsharded. Missing,
 * duplicated or inconsistent shards (another input or model) are errors naming the files or runs.
 * @module
 */
import { finishRun, initRun, type Run } from "../lib/tracking/mod.ts";
import {
  formatEvaluation,
  type MergedEvaluation,
  mergeShardGroup,
  mergeShards,
} from "../lib/evaluation/mod.ts";
import { closingLines, fail, parseTask, runJson, TRACKING_FLAGS, trackingOptions } from "./_cli.ts";

const { values, positionals } = parseTask({
  name: "merge",
  usage: ["DIR [options]", "--group G [options]"],
  about: "Combines the shard results in DIR (from deno task evaluate --shard I/N --out DIR), or the shard " +
    "runs of group G in the local store (from deno task evaluate --shard I/N --group G), into one " +
    "evaluation run.",
  positionals: { min: 0, max: 1, arg: "DIR" },
  flags: {
    json: {
      type: "boolean",
      help: "print one JSON object (metrics, batch statistics, shards, run) on stdout",
    },
    ...TRACKING_FLAGS,
  },
});
const dir: string | undefined = positionals[0];
const tracking = trackingOptions(values);
if (dir === undefined && tracking.group === undefined) {
  fail("merge needs a folder of shard results (merge DIR) or a group of shard runs (merge --group G)");
}
// Without DIR, --group names the shard runs to merge (the merged run joins that group too).
const merge = (run?: Run) =>
  dir === undefined
    ? mergeShardGroup(tracking.group!, { project: tracking.project, run })
    : mergeShards(dir, { run });

// Check the shards before a run exists: bad shards -> exit 1, nothing tracked.
let merged: MergedEvaluation;
try {
  merged = await merge();
} catch (e) {
  fail((e as Error).message);
}

let run: Run | undefined;
try {
  run = await initRun({
    ...tracking,
    // the merged run joins the shards' group unless told otherwise
    group: tracking.group ?? merged.group ?? undefined,
    jobType: "evaluate",
    config: {
      merged_from: dir ?? `group ${tracking.group}`,
      shards: merged.shards,
      model: merged.model.name,
      model_type: merged.model.type,
      data: merged.input.path,
      samples: merged.input.samples,
    },
  });
  merged = await merge(run);
  const { result, statistics: stats } = merged;
  if (values.json) {
    console.log(JSON.stringify({
      run: runJson(run),
      shards: merged.shards,
      files: merged.files,
      shardRuns: merged.runs,
      input: merged.input,
      model: merged.model,
      metrics: result,
      batchStatistics: stats,
      confidenceHistogram: merged.counts.confidenceHistogram,
      seconds: merged.seconds,
    }));
  } else {
    console.log([
      `Merged ${merged.shards} shards of ${merged.model.name} (${merged.model.type}) on ${merged.input.path}: ` +
      `${result.count} texts`,
      "",
      formatEvaluation(result),
      "",
      `batch statistics: average confidence ${stats.averageConfidence.toFixed(3)}, ` +
      `${stats.belowThreshold} below ${stats.threshold}; predicted ` +
      Object.entries(stats.labelDistribution).map(([l, n]) => `${l} ${n}`).join(", "),
      "",
      ...closingLines(run),
    ].join("\n"));
  }
  await finishRun(run, { exitCode: 0 });
} catch (e) {
  if (run) await finishRun(run, { exitCode: 1 });
  fail((e as Error).message);
}
