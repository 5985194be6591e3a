import { logTable, type Run, setSummary } from "../tracking/mod.ts";
import type { BatchStatistics } from "../inference/batch_statistics.ts";
import type { EvaluationCounts } from "./count_predictions.ts";
import { mergeEvaluationCounts } from "./merge_evaluation_counts.ts";
import { evaluationFromCounts } from "./evaluation_from_counts.ts";
import type { EvaluationResult } from "./evaluate.ts";
import { logEvaluation } from "./log_evaluation.ts";
import { PARTIAL_FORMAT, type PartialInput, type PartialModel, type PartialResult } from "./_shard.ts";

export type { PartialInput, PartialModel, PartialResult } from "./_shard.ts";

/** Options for {@linkcode mergeShards}. */
export interface MergeShardsOptions {
  /** Run to record the merged evaluation in (metrics, statistics, confusion matrix, histogram). */
  run?: Run;
}

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
  /** The shards' files, in shard order. */
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

/**
 * Combines the partial results that the shards of one evaluation wrote (`evaluateModel` with `shard` and
 * `partialDir`; `deno task evaluate --shard I/N --out DIR`) into one evaluation: the counts are summed, so
 * the metrics are exactly those of the same evaluation run unsharded. With a run, it is recorded there
 * like an evaluation (`logEvaluation`) plus a `shards` table (shard, rows, run).
 *
 * @param dir The folder holding `shard-I-of-N.json` files.
 * @param options The run to record the merged evaluation in.
 * @returns The merged metrics, statistics and what was merged.
 * @throws {Error} Naming the files: none found, unreadable or not a partial result, shards missing or
 *   duplicated, different shard counts, or shards of a different input (digest, samples) or model (digest),
 *   or rows that do not add up to the samples.
 * @example
 * ```ts
 * import { evaluateModel, mergeShards } from "./mod.ts";
 * const file = await Deno.makeTempFile({ suffix: ".jsonl" });
 * await Deno.writeTextFile(file, '{"text": "I love it", "label": "positive"}\n{"text": "Awful", "label": "negative"}\n');
 * const dir = await Deno.makeTempDir();
 * for (const index of [0, 1]) {
 *   await evaluateModel("lexicon", file, { workers: 1, shard: { index, count: 2 }, partialDir: dir });
 * }
 * console.log((await mergeShards(dir)).result.accuracy);
 * ```
 */
export async function mergeShards(dir: string, options: MergeShardsOptions = {}): Promise<MergedEvaluation> {
  let names: string[];
  try {
    names = [];
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile && /^shard-\d+-of-\d+\.json$/.test(e.name)) names.push(e.name);
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`${dir}: no such folder; pass the --out DIR of the shards`);
    }
    throw new Error(`${dir}: cannot read: ${(e as Error).message}`);
  }
  if (names.length === 0) {
    throw new Error(
      `${dir}: no shard results (shard-I-of-N.json); run deno task evaluate --shard I/N --out ${dir} first`,
    );
  }
  const parts: { file: string; p: PartialResult }[] = [];
  for (const name of names.sort()) {
    const file = `${dir.replace(/\/+$/, "")}/${name}`;
    let p: PartialResult;
    try {
      p = JSON.parse(await Deno.readTextFile(file));
    } catch (e) {
      throw new Error(`${file}: not a readable shard result (${(e as Error).message}); rerun that shard`);
    }
    if (
      p?.format !== PARTIAL_FORMAT || typeof p.shard?.index !== "number" ||
      typeof p.shard?.count !== "number" ||
      !p.counts || !p.input || !p.model
    ) {
      throw new Error(
        `${file}: not a sentilab shard result (format ${JSON.stringify(p?.format)}); rerun that shard`,
      );
    }
    const [, i, n] = /^shard-(\d+)-of-(\d+)\.json$/.exec(name)!.map(Number);
    if (p.shard.index !== i || p.shard.count !== n) {
      throw new Error(
        `${file}: holds shard ${p.shard.index}/${p.shard.count}, not ${i}/${n} as its name says`,
      );
    }
    parts.push({ file, p });
  }
  const counts = new Set(parts.map((x) => x.p.shard.count));
  if (counts.size > 1) {
    throw new Error(
      `${dir}: shards of different splits: ${
        [...counts].map((n) =>
          `${parts.filter((x) => x.p.shard.count === n).map((x) => x.file).join(", ")} (of ${n})`
        )
          .join("; ")
      }; keep the files of one evaluation in the folder`,
    );
  }
  const n = parts[0].p.shard.count;
  const byIndex = new Map<number, string[]>();
  for (const x of parts) byIndex.set(x.p.shard.index, [...(byIndex.get(x.p.shard.index) ?? []), x.file]);
  const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length) {
    throw new Error(
      `${dir}: ${missing.length} of ${n} shards missing: ${
        missing.map((i) => `shard-${i}-of-${n}.json`).join(", ")
      }; ` +
        `run them (deno task evaluate --shard ${missing[0]}/${n} --out ${dir}) and merge again`,
    );
  }
  const dup = [...byIndex.entries()].filter(([, f]) => f.length > 1);
  if (dup.length) throw new Error(`${dir}: shard ${dup[0][0]} given twice: ${dup[0][1].join(", ")}`);
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
      `${dir}: the shards scored ${rows} rows but the input has ${ref.p.input.samples} samples ` +
        `(${parts.map((x) => `${x.p.shard.index}: ${x.p.rows}`).join(", ")}); rerun the shards of one split`,
    );
  }
  const summed = mergeEvaluationCounts(parts.map((x) => x.p.counts));
  const { result, statistics } = evaluationFromCounts(summed, {
    binary: ref.p.input.labelDistribution.neutral === 0,
  });
  const seconds = parts.reduce((s, x) => s + x.p.seconds, 0);
  if (options.run) {
    await logEvaluation(options.run, result, { statistics });
    await logTable(options.run, "shards", {
      columns: ["shard", "rows", "run", "seconds"],
      rows: parts.map((x) => [x.p.shard.index, x.p.rows, x.p.run?.id ?? null, x.p.seconds]),
    });
    const bins = summed.confidenceHistogram.length;
    await logTable(options.run, "confidence_histogram", {
      columns: ["from", "to", "predictions"],
      rows: summed.confidenceHistogram.map((c, i) => [i / bins, (i + 1) / bins, c]),
    });
    await setSummary(options.run, {
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
