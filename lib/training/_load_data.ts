/**
 * Reads the labelled files of a training recipe (cached per file), applies slices and label modes, and
 * finds training sources that share rows with an evaluation source.
 * @module
 */
import { resolve } from "node:path";
import { LABELS } from "../models/types.ts";
import { type LabelledRows, readLabelledJsonl } from "./_jsonl.ts";
import { textFraction } from "./_prng.ts";
import type { DataRecord, LabelMode, TrainSource } from "./types.ts";

/** One source read: its record and rows (label ids 0..2). */
export interface Loaded {
  rec: DataRecord;
  texts: string[];
  labels: number[];
}

const fileCache = new Map<string, Promise<LabelledRows>>();

function resolveMode(mode: LabelMode | undefined, labels: number[], where: string): "full" | "binary" {
  const has = [0, 0, 0];
  for (const l of labels) has[l]++;
  if (mode === "binary") {
    if (has[1] > 0) {
      throw new Error(`${where}: mode "binary" but the file has ${has[1]} neutral rows; use mode "full"`);
    }
    return "binary";
  }
  if (mode === "full") return "full";
  return has[1] === 0 && has[0] > 0 && has[2] > 0 ? "binary" : "full";
}

/** Reads one source (the file is read once per process), slices it and resolves its label mode. */
export async function loadSource(
  src: { name: string; path: string; slice?: [number, number]; mode?: LabelMode; weight?: number },
): Promise<Loaded> {
  const key = resolve(src.path);
  if (!fileCache.has(key)) fileCache.set(key, readLabelledJsonl(src.path));
  let rows: LabelledRows;
  try {
    rows = await fileCache.get(key)!;
  } catch (e) {
    fileCache.delete(key);
    throw e;
  }
  const texts: string[] = [];
  const labels: number[] = [];
  const sl = src.slice;
  if (sl && !(sl.length === 2 && sl[0] >= 0 && sl[1] <= 1 && sl[0] < sl[1])) {
    throw new Error(`Data source '${src.name}': slice must be [from, to] with 0 <= from < to <= 1`);
  }
  for (let i = 0; i < rows.texts.length; i++) {
    if (sl) {
      const f = textFraction(rows.texts[i]);
      if (f < sl[0] || f >= sl[1]) continue;
    }
    texts.push(rows.texts[i]);
    labels.push(rows.labels[i]);
  }
  if (texts.length === 0) throw new Error(`Data source '${src.name}' (${src.path}): no rows after slicing`);
  const counts: Record<string, number> = {};
  for (const l of labels) counts[LABELS[l]] = (counts[LABELS[l]] ?? 0) + 1;
  return {
    rec: {
      name: src.name,
      path: src.path,
      sha256: rows.sha256,
      fileRows: rows.texts.length,
      rows: texts.length,
      slice: sl ?? null,
      mode: resolveMode(src.mode, labels, `Data source '${src.name}' (${src.path})`),
      labelCounts: counts,
      ...(src.weight !== undefined ? { weight: src.weight } : {}),
    },
    texts,
    labels,
  };
}

/** Training sources that read rows of the same file as `src` in an overlapping hash slice. */
export function overlappingTrain(
  src: { path: string; slice?: [number, number] },
  train: TrainSource[],
): string[] {
  const [a0, a1] = src.slice ?? [0, 1];
  return train.filter((t) => {
    if (resolve(t.path) !== resolve(src.path)) return false;
    const [b0, b1] = t.slice ?? [0, 1];
    return a0 < b1 && b0 < a1;
  }).map((t) => t.name);
}
