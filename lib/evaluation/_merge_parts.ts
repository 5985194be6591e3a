/**
 * Combines the partial results of an evaluation's shards, wherever they were read from (a folder of
 * `shard-I-of-N.json` files, or the shard runs of a group in the local store): the checks, the sums and
 * the record in the merged run (private; used by mergeShards and mergeShardGroup).
 * @module
 */
import { logTable, type Run, setSummary } from "../tracking/mod.ts";
import type { BatchStatistics } from "../inference/batch_statistics.ts";
import type { EvaluationCounts } from "./count_predictions.ts";
import { mergeEvaluationCounts } from "./merge_evaluation_counts.ts";
import { evaluationFromCounts } from "./evaluation_from_counts.ts";
import type { EvaluationResult } from "./evaluate.ts";
import { logEvaluation } from "./log_evaluation.ts";
import type { PartialInput, PartialModel, PartialResult } from "./_shard.ts";

/** The merged evaluation. */
export interface MergedEvaluation {
  /** The metrics, from the summed counts: those of one unsharded evaluation. */
  result: EvaluationResult;
  /** The batch statistics. */
  statistics: BatchStatistics;
  /** The summed counts. */
  counts: EvaluationCounts;
  /** Number of shards. */
  shards: number;
  /** Where each shard's result was read from, in shard order (a file, or `run ID`). */
  files: string[];
  /** The shards' runs, in shard order (null for an untracked shard). */
  runs: ({ id: string; name: string; project: string } | null)[];
  /** The shards' run group, when they all have the same one. */
  group: string | null;
  /** The input (the same for every shard). */
  input: PartialInput;
  /** The model (the same for every shard). */
  model: PartialModel;
  /** Sum of the shards' prediction seconds (CPU-side work, not wall time). */
  seconds: number;
}

/** One shard's partial result and where it came from (`file`: a path, or `run ID`). */
export interface ShardPart {
  file: string;
  p: PartialResult;
}

/** How to name the source of the shards in errors. */
export interface CombineContext {
  /** The folder, or `group G`. */
  where: string;
  /** The command that produces shard I of N there. */
  rerun: (index: number, count: number) => string;
  /** How a missing shard is named. */
  missingName: (index: number, count: number) => string;
  /** Run to record the merged evaluation in. */
  run?: Run;
}

/**
 * Checks that `parts` are the N shards of one evaluation (one split, none missing or twice, same input,
 * model and threshold, rows adding up to the samples), sums their counts and records the result in
 * `ctx.run`. Errors name the odd shards.
 */
export async function combineShards(parts: ShardPart[], ctx: CombineContext): Promise<MergedEvaluation> {
  const { where } = ctx;
  const counts = new Set(parts.map((x) => x.p.shard.count));
  if (counts.size > 1) {
    throw new Error(
      `${where}: shards of different splits: ${
        [...counts].map((n) =>
          `${parts.filter((x) => x.p.shard.count === n).map((x) => x.file).join(", ")} (of ${n})`
        )
          .join("; ")
      }; merge the shards of one evaluation only`,
    );
  }
  const n = parts[0].p.shard.count;
  const byIndex = new Map<number, string[]>();
  for (const x of parts) byIndex.set(x.p.shard.index, [...(byIndex.get(x.p.shard.index) ?? []), x.file]);
  const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length) {
    throw new Error(
      `${where}: ${missing.length} of ${n} shards missing: ${
        missing.map((i) => ctx.missingName(i, n)).join(", ")
      }; ` +
        `run them (${ctx.rerun(missing[0], n)}) and merge again`,
    );
  }
  const dup = [...byIndex.entries()].filter(([, f]) => f.length > 1);
  if (dup.length) throw new Error(`${where}: shard ${dup[0][0]} given twice: ${dup[0][1].join(", ")}`);
  parts.sort((a, b) => a.p.shard.index - b.p.shard.index);
  const ref = parts[0];
  for (const x of parts.slice(1)) {
    const differs = (what: string, a: unknown, b: unknown) => {
      if (JSON.stringify(a) !== JSON.stringify(b)) {
        throw new Error(
          `${x.file}: ${what} differs from ${ref.file} (${JSON.stringify(b)} vs ${JSON.stringify(a)}); ` +
            "every shard must evaluate the same model on the same input: rerun the odd one",
        );
      }
    };
    differs("the input file's digest", ref.p.input.sha256, x.p.input.sha256);
    differs("the number of samples", ref.p.input.samples, x.p.input.samples);
    differs("the model's digest", ref.p.model.sha256, x.p.model.sha256);
    differs("the confidence threshold", ref.p.counts.threshold, x.p.counts.threshold);
  }
  const rows = parts.reduce((s, x) => s + x.p.rows, 0);
  if (rows !== ref.p.input.samples) {
    throw new Error(
      `${where}: the shards scored ${rows} rows but the input has ${ref.p.input.samples} samples ` +
        `(${parts.map((x) => `${x.p.shard.index}: ${x.p.rows}`).join(", ")}); rerun the shards of one split`,
    );
  }
  const summed = mergeEvaluationCounts(parts.map((x) => x.p.counts));
  const { result, statistics } = evaluationFromCounts(summed, {
    binary: ref.p.input.labelDistribution.neutral === 0,
  });
  const seconds = parts.reduce((s, x) => s + x.p.seconds, 0);
  if (ctx.run) {
    await logEvaluation(ctx.run, result, { statistics });
    await logTable(ctx.run, "shards", {
      columns: ["shard", "rows", "run", "seconds"],
      rows: parts.map((x) => [x.p.shard.index, x.p.rows, x.p.run?.id ?? null, x.p.seconds]),
    });
    const bins = summed.confidenceHistogram.length;
    await logTable(ctx.run, "confidence_histogram", {
      columns: ["from", "to", "predictions"],
      rows: summed.confidenceHistogram.map((c, i) => [i / bins, (i + 1) / bins, c]),
    });
    await setSummary(ctx.run, {
      shards: n,
      input_sha256: ref.p.input.sha256,
      model_sha256: ref.p.model.sha256,
    });
  }
  return {
    result,
    statistics,
    counts: summed,
    shards: n,
    files: parts.map((x) => x.file),
    runs: parts.map((x) => x.p.run),
    group: new Set(parts.map((x) => x.p.group)).size === 1 ? ref.p.group : null,
    input: ref.p.input,
    model: ref.p.model,
    seconds,
  };
}
