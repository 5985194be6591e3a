import { type Label, LABELS } from "../models/types.ts";
import { type FileRecord, type PassInfo, readRecords } from "./_records.ts";
import {
  checkReadable,
  DATASET_REF,
  datasetFile,
  formatOf,
  isFile,
  LABEL_FIELDS,
  pickField,
  storedDatasetHint,
  TEXT_FIELDS,
  unknownLabel,
} from "./_dataset_source.ts";
import { LABEL_MAP_PRESETS, type LabelMap, normalizeLabel } from "../sentiment/normalize_label.ts";
import type { Shard } from "./resolve_shard.ts";

/** A file format the dataset readers read. */
export type DatasetFormat = "jsonl" | "csv" | "tsv";

/** Options for {@linkcode streamDataset}. */
export interface StreamDatasetOptions {
  /** Text column or key (default: the first of `text`, `sentence`, `tweet`, `review`, `content`). */
  textField?: string;
  /** Label column or key (default: the first of `label`, `sentiment`, `polarity`, `gold`, `class`). */
  labelField?: string;
  /** Declared label mapping, for numeric or custom labels (see {@linkcode normalizeLabel}). */
  labelMap?: LabelMap;
  /** File format (default: from the extension: `.jsonl`/`.ndjson`, `.csv`, `.tsv`/`.tab`). */
  format?: DatasetFormat;
  /**
   * Store that a dataset reference (`NAME:vN`, `NAME:ALIAS`) is resolved in (default: SENTILAB_DIR, else
   * `.sentilab`).
   */
  storeDir?: string;
}

/** Some consecutive samples of a dataset. */
export interface DatasetBatch {
  /** Index (0-based, in file order) of the first sample. */
  start: number;
  /** Index of each sample (consecutive unless a shard was asked for). */
  indices: number[];
  /** The texts. */
  texts: string[];
  /** The normalised gold labels, one per text. */
  labels: Label[];
  /** Line (1-based) on which each sample starts. */
  lines: number[];
}

/** A checked dataset file whose samples are read in batches (see {@linkcode streamDataset}). */
export interface DatasetStream {
  /** The file read (for a stored dataset reference: its copy in the store's cache folder). */
  path: string;
  /** Its format. */
  format: DatasetFormat;
  /** Number of samples. */
  count: number;
  /** Samples per label. */
  labelDistribution: Record<Label, number>;
  /** The text column or key used. */
  textField: string;
  /** The label column or key used. */
  labelField: string;
  /** The label map applied (given, or `-1/0/1` found), if any. */
  labelMap: LabelMap | undefined;
  /** The stored version (`name:vN`) the data was read from, when the path was an artifact reference. */
  ref: string | null;
  /** sha256 (hex) of the file's bytes, computed while it was read. */
  sha256: string;
  /** The file's size in bytes. */
  bytes: number;
  /**
   * Reads the samples `from` (default 0) up to `to` (default `count`) in batches of `size` (default
   * 10,000), in file order; memory stays that of one batch. With `shard`, only the samples whose index
   * `i` has `i % shard.count === shard.index` (see `resolveShard`).
   * @throws {Error} When the file changed since it was checked.
   */
  batches(
    options?: { size?: number; from?: number; to?: number; shard?: Shard },
  ): AsyncGenerator<DatasetBatch>;
}

/**
 * Checks a labelled dataset file (JSONL, CSV or TSV, or a stored dataset reference `NAME:vN`) in one pass
 * that holds no samples: every row is parsed and checked (text and label present, labels known), the
 * fields are chosen and the labels counted, and the bytes are hashed (sha256) as they are read. The
 * samples are then read in batches, as often as needed, in constant memory: a file of any size is fine.
 * The rules and error messages are those of `readDataset`, which is built on this.
 *
 * @param path The file, or a stored dataset reference.
 * @param options Fields, label mapping, format, store.
 * @returns The checked stream.
 * @throws {Error} `file:line: ...` for a broken row, a missing field, an unknown label or invalid UTF-8;
 *   `file: ...` for a missing file, an unknown format or no samples.
 *
 * @example
 * ```ts
 * import { streamDataset } from "./mod.ts";
 * const file = await Deno.makeTempFile({ suffix: ".jsonl" });
 * await Deno.writeTextFile(file, '{"text": "Loved it", "label": "pos"}\n{"text": "Meh", "label": "neu"}\n');
 * const data = await streamDataset(file);
 * for await (const batch of data.batches({ size: 1 })) console.log(batch.start, batch.labels);
 * console.log(data.count, data.sha256.length); // 2 64
 * ```
 */
export async function streamDataset(
  path: string,
  options: StreamDatasetOptions = {},
): Promise<DatasetStream> {
  let ref: string | null = null;
  if (DATASET_REF.test(path) && !(await isFile(path))) {
    ({ path, ref } = await datasetFile(path, options.storeDir));
  }
  if (options.format !== undefined && !["jsonl", "csv", "tsv"].includes(options.format)) {
    throw new Error(`${path}: unknown format ${JSON.stringify(options.format)}; use "jsonl", "csv" or "tsv"`);
  }
  await checkReadable(path).catch((e) => {
    throw ref === null ? storedDatasetHint(path, options.storeDir, e) : e;
  });
  const format = options.format ?? formatOf(path);
  // One pass: the fields, and per distinct raw label its count and first line; texts checked once the
  // fields are known (the text field of a JSONL file may only be decided by a later line's keys).
  const info: PassInfo = { sha256: "", bytes: 0, fields: [], headerLine: 1 };
  const raws = new Map<string, { raw: unknown; count: number; line: number }>();
  let count = 0;
  let textField: string | null = options.textField ?? null;
  let labelField: string | null = options.labelField ?? null;
  let firstProblem: { line: number; message: string } | null = null;
  const pending: FileRecord[] = []; // the first 64 rows, rechecked when the fields change early
  const check = (r: FileRecord) => {
    const t = r.values[textField!];
    if (firstProblem) return;
    if (t === undefined || t === null) {
      firstProblem = {
        line: r.line,
        message: `no ${JSON.stringify(textField)} field; every row needs a text`,
      };
    } else if (typeof t !== "string") {
      firstProblem = {
        line: r.line,
        message: `field ${JSON.stringify(textField)} is a ${typeof t}, expected a string`,
      };
    }
    const raw = r.values[labelField!];
    if (raw === undefined || raw === null) {
      firstProblem ??= {
        line: r.line,
        message: `no ${JSON.stringify(labelField)} field; every row needs a label`,
      };
      return;
    }
    const key = typeof raw === "string" ? raw : `\u0000${JSON.stringify(raw)}`;
    const seen = raws.get(key);
    if (seen) seen.count++;
    else raws.set(key, { raw, count: 1, line: r.line });
  };
  let fieldsChosenFrom = -1;
  let changedLate = false;
  for await (const records of readRecords(path, format, info)) {
    for (const r of records) {
      count++;
      if (fieldsChosenFrom !== info.fields.length) {
        // (Re)choose the fields while the set of keys grows (JSONL); recheck what was seen if they change.
        fieldsChosenFrom = info.fields.length;
        const t = options.textField ?? TEXT_FIELDS.find((c) => info.fields.includes(c)) ??
          info.fields.find((f) => TEXT_FIELDS.includes(f.toLowerCase())) ?? null;
        const l = options.labelField ?? LABEL_FIELDS.find((c) => info.fields.includes(c)) ??
          info.fields.find((f) => LABEL_FIELDS.includes(f.toLowerCase())) ?? null;
        if (t !== textField || l !== labelField) {
          textField = t;
          labelField = l;
          raws.clear();
          firstProblem = null;
          if (count - 1 > pending.length) changedLate = true;
          else if (textField !== null && labelField !== null) { for (const p of pending) check(p); }
        }
      }
      if (count <= 64) pending.push(r);
      if (textField !== null && labelField !== null) check(r);
    }
  }
  pending.length = 0;
  if (count === 0) {
    throw new Error(
      `${path}: no samples found; the file needs ${format === "jsonl" ? "JSON lines" : "a header and rows"}`,
    );
  }
  const tf = pickField(info.fields, options.textField, TEXT_FIELDS, "text", path, info.headerLine);
  const lf = pickField(info.fields, options.labelField, LABEL_FIELDS, "label", path, info.headerLine);
  if (tf !== textField || lf !== labelField || changedLate) {
    // The fields were settled late (keys first seen after the 64th row): check every row again.
    textField = tf;
    labelField = lf;
    raws.clear();
    firstProblem = null;
    for await (const records of readRecords(path, format)) for (const r of records) check(r);
  }
  let labelMap = options.labelMap;
  if (labelMap === undefined && [...raws.values()].some((r) => String(r.raw ?? "").trim() === "-1")) {
    labelMap = "-1/0/1";
  }
  if (typeof labelMap === "string" && !(labelMap in LABEL_MAP_PRESETS)) {
    throw new Error(
      `${path}: unknown label map ${JSON.stringify(labelMap)}; use one of ${
        Object.keys(LABEL_MAP_PRESETS).join(", ")
      }`,
    );
  }
  // The first problem in file order: a row's text or label field, or a label that does not normalise.
  const labelOf = new Map<string, Label>();
  const labelDistribution = Object.fromEntries(LABELS.map((l) => [l, 0])) as Record<Label, number>;
  let badLabel: { line: number; message: string } | null = null;
  for (const [key, r] of raws) {
    const label = normalizeLabel(r.raw, { labelMap });
    if (label === null) {
      if (!badLabel || r.line < badLabel.line) {
        badLabel = { line: r.line, message: unknownLabel(r.raw, labelMap) };
      }
      continue;
    }
    labelOf.set(key, label);
    labelDistribution[label] += r.count;
  }
  const problem = [firstProblem as { line: number; message: string } | null, badLabel]
    .filter((p) => p !== null).sort((a, b) => a!.line - b!.line)[0];
  if (problem) throw new Error(`${path}:${problem.line}: ${problem.message}`);

  const fileSha = info.sha256;
  const finalText = textField, finalLabel = labelField;
  return {
    path,
    format,
    count,
    labelDistribution,
    textField: finalText,
    labelField: finalLabel,
    labelMap,
    ref,
    sha256: fileSha,
    bytes: info.bytes,
    async *batches(opts = {}) {
      const size = opts.size ?? 10_000;
      const from = opts.from ?? 0, to = Math.min(opts.to ?? count, count);
      const shard = opts.shard;
      if (!Number.isInteger(size) || size < 1) {
        throw new Error(`batch size must be a positive integer, got ${size}`);
      }
      let index = 0;
      let batch: DatasetBatch = { start: from, indices: [], texts: [], labels: [], lines: [] };
      const changed = () =>
        new Error(`${path}: the file changed while it was being read; run again on a file that stays put`);
      for await (const records of readRecords(path, format)) {
        for (const r of records) {
          const i = index++;
          if (i < from) continue;
          if (i >= to) break;
          if (shard && i % shard.count !== shard.index) continue;
          const t = r.values[finalText];
          const raw = r.values[finalLabel];
          const label = raw === undefined || raw === null
            ? undefined
            : labelOf.get(typeof raw === "string" ? raw : `\u0000${JSON.stringify(raw)}`);
          if (typeof t !== "string" || label === undefined) throw changed();
          if (batch.texts.length === 0) batch.start = i;
          batch.indices.push(i);
          batch.texts.push(t);
          batch.labels.push(label);
          batch.lines.push(r.line);
          if (batch.texts.length === size) {
            yield batch;
            batch = { start: i + 1, indices: [], texts: [], labels: [], lines: [] };
          }
        }
        if (index >= to) break;
      }
      if (batch.texts.length) yield batch;
      if (index < to) throw changed();
    },
  };
}
