import type { Run } from "../tracking/mod.ts";
import { PARTIAL_FORMAT, partialName, type PartialResult } from "./_shard.ts";
import { combineShards, type MergedEvaluation, type ShardPart } from "./_merge_parts.ts";

export type { PartialInput, PartialModel, PartialResult } from "./_shard.ts";
export type { MergedEvaluation } from "./_merge_parts.ts";

/** Options for {@linkcode mergeShards}. */
export interface MergeShardsOptions {
  /** Run to record the merged evaluation in (metrics, statistics, confusion matrix, histogram). */
  run?: Run;
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
  const parts: ShardPart[] = [];
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
  return await combineShards(parts, {
    where: dir,
    rerun: (i, n) => `deno task evaluate --shard ${i}/${n} --out ${dir}`,
    missingName: (i, n) => partialName({ index: i, count: n }),
    run: options.run,
  });
}
