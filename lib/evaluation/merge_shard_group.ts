import { listRuns, type Run } from "../tracking/mod.ts";
import { PARTIAL_FORMAT, type PartialResult, SHARD_SUMMARY_KEY } from "./_shard.ts";
import { combineShards, type MergedEvaluation, type ShardPart } from "./_merge_parts.ts";

/** Options for {@linkcode mergeShardGroup}. */
export interface MergeShardGroupOptions {
  /** Store directory (default: SENTILAB_DIR, else `.sentilab` in the working directory). */
  dir?: string;
  /** Only shard runs of this project. */
  project?: string;
  /** Run to record the merged evaluation in (metrics, statistics, confusion matrix, histogram). */
  run?: Run;
}

/**
 * Combines the shard runs of a group in the local store into one evaluation: every finished run of the
 * group that evaluated a shard (`evaluateModel` with `shard` and a run; `deno task evaluate --shard I/N
 * --group G`) keeps its partial result in its summary (`evaluation_shard`); their counts are summed, so
 * the metrics are exactly those of the same evaluation run unsharded. The same checks as
 * {@linkcode mergeShards}, naming runs instead of files. Runs of the group without a shard result (e.g. an
 * earlier merge) and shard runs that did not finish are left out.
 *
 * @param group The shards' run group.
 * @param options Store directory, project, and the run to record the merged evaluation in.
 * @returns The merged metrics, statistics and what was merged (`files` holds `run ID` per shard).
 * @throws {Error} Naming the runs: no shard runs in the group, shards missing or duplicated, different
 *   shard counts, or shards of a different input (digest, samples) or model (digest).
 * @example
 * ```ts
 * import { evaluateModel, mergeShardGroup } from "./mod.ts";
 * import { finishRun, initRun } from "../tracking/mod.ts";
 * const file = await Deno.makeTempFile({ suffix: ".jsonl" });
 * await Deno.writeTextFile(file, '{"text": "I love it", "label": "positive"}\n{"text": "Awful", "label": "negative"}\n');
 * const dir = await Deno.makeTempDir();
 * for (const index of [0, 1]) {
 *   const run = await initRun({ dir, tracker: "local", group: "eval-1" });
 *   await evaluateModel("lexicon", file, { run, workers: 1, shard: { index, count: 2 } });
 *   await finishRun(run);
 * }
 * console.log((await mergeShardGroup("eval-1", { dir })).result.accuracy);
 * ```
 */
export async function mergeShardGroup(
  group: string,
  options: MergeShardGroupOptions = {},
): Promise<MergedEvaluation> {
  const where = `group '${group}'`;
  const runs = listRuns({ dir: options.dir, group, project: options.project, readOnly: true })
    .filter((r) => r.summary[SHARD_SUMMARY_KEY] !== undefined && r.id !== options.run?.id);
  const parts: ShardPart[] = [];
  const unfinished: { shard: string; text: string }[] = [];
  for (const r of runs) {
    const label = `run ${r.id} (${r.name})`;
    const p = r.summary[SHARD_SUMMARY_KEY] as PartialResult;
    if (r.status !== "finished") {
      unfinished.push({ shard: `${p?.shard?.index}/${p?.shard?.count}`, text: `${label} is ${r.status}` });
      continue;
    }
    if (
      p?.format !== PARTIAL_FORMAT || typeof p.shard?.index !== "number" ||
      typeof p.shard?.count !== "number" || !p.counts || !p.input || !p.model
    ) {
      throw new Error(`${label}: its ${SHARD_SUMMARY_KEY} is not a sentilab shard result; rerun that shard`);
    }
    parts.push({ file: label, p });
  }
  if (parts.length === 0) {
    throw new Error(
      `${where}: no finished shard runs in the store${
        unfinished.length ? ` (${unfinished.map((u) => u.text).join(", ")})` : ""
      }; ` +
        `run deno task evaluate --shard I/N --group ${group} first`,
    );
  }
  return await combineShards(parts, {
    where,
    rerun: (i, n) => `deno task evaluate --shard ${i}/${n} --group ${group}`,
    missingName: (i, n) => {
      const why = unfinished.filter((u) => u.shard === `${i}/${n}`).map((u) => u.text);
      return `shard ${i}/${n}${why.length ? ` (${why.join(", ")})` : ""}`;
    },
    run: options.run,
  });
}
