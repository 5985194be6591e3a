/**
 * The partial result a shard of an evaluation writes (`shard-I-of-N.json`), and the digest that says two
 * shards ran the same model. Written by evaluateModel, read by mergeShards.
 * @module
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { writeAtomic } from "../_fs/write_atomic.ts";
import type { Model } from "../models/types.ts";
import type { EvaluationCounts } from "./count_predictions.ts";
import type { Shard } from "../data/resolve_shard.ts";

export type { Shard };

/** The summary key under which a tracked shard run keeps its partial result (read by mergeShardGroup). */
export const SHARD_SUMMARY_KEY = "evaluation_shard";

/** Format tag of a partial result file. */
export const PARTIAL_FORMAT: PartialResult["format"] = "sentilab-evaluation-shard-v1";

/** What one shard of an evaluation writes (`shard-I-of-N.json`). */
export interface PartialResult {
  /** Format tag: "sentilab-evaluation-shard-v1". */
  format: "sentilab-evaluation-shard-v1";
  /** Which shard. */
  shard: Shard;
  /** The run's group (all shards of one evaluation share it), or null. */
  group: string | null;
  /** The shard's run, when it was tracked. */
  run: { id: string; name: string; project: string } | null;
  /** Rows scored by this shard. */
  rows: number;
  /** The counts the metrics come from. */
  counts: EvaluationCounts;
  /** Seconds spent predicting. */
  seconds: number;
  /** The input: the same for every shard of one evaluation. */
  input: PartialInput;
  /** The model: the same for every shard of one evaluation. */
  model: PartialModel;
}

/** The input of a shard's evaluation. */
export interface PartialInput {
  /** The data file. */
  path: string;
  /** sha256 (hex) of its bytes. */
  sha256: string;
  /** Its size in bytes. */
  bytes: number;
  /** Samples the whole evaluation covers (the file's, or the limit). */
  samples: number;
  /** Gold labels per label in the whole file (decides binary scoring, as an unsharded run does). */
  labelDistribution: Record<string, number>;
}

/** The model of a shard's evaluation. */
export interface PartialModel {
  /** Its name. */
  name: string;
  /** Its type. */
  type: string;
  /** sha256 of what it scores with (its files). */
  sha256: string;
}

/** The file name of a shard's partial result. */
export function partialName(shard: Shard): string {
  return `shard-${shard.index}-of-${shard.count}.json`;
}

/**
 * sha256 of what a model scores with: its files when it keeps them (sorted by name), else its type, name,
 * labels and card.
 */
export function modelDigest(model: Model): string {
  const h = createHash("sha256");
  if (model.files && model.files.size > 0) {
    for (const name of [...model.files.keys()].sort()) {
      h.update(`${name}\u0000${model.files.get(name)!.length}\u0000`);
      h.update(model.files.get(name)!);
    }
  } else {
    h.update(JSON.stringify({ type: model.type, name: model.name, labels: model.labels, card: model.card }));
  }
  return h.digest("hex");
}

/** Writes a partial result into `dir` (atomically) and returns its path. */
export async function writePartial(dir: string, partial: PartialResult): Promise<string> {
  const path = join(dir, partialName(partial.shard));
  await writeAtomic(path, JSON.stringify(partial, null, 1) + "\n", { mkdir: true });
  return path;
}
