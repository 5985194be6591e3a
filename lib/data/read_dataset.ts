import type { Label } from "../models/types.ts";
import type { Run, UsedArtifact } from "../tracking/mod.ts";
import { logDataset } from "./log_dataset.ts";
import type { LabelMap } from "../sentiment/normalize_label.ts";
import { type DatasetFormat, streamDataset } from "./stream_dataset.ts";

export type { DatasetFormat };

/** Options for {@linkcode readDataset}. */
export interface ReadDatasetOptions {
  /** Run to log the file to, as a `dataset` artifact used by the run (an input). */
  run?: Run;
  /** Artifact name (default: `datasetArtifactName(path)`, `<folder>-<file name>`). */
  artifactName?: string;
  /** Text column or key (default: the first of `text`, `sentence`, `tweet`, `review`, `content`). */
  textField?: string;
  /** Label column or key (default: the first of `label`, `sentiment`, `polarity`, `gold`, `class`). */
  labelField?: string;
  /** Declared label mapping, for numeric or custom labels (see {@linkcode normalizeLabel}). */
  labelMap?: LabelMap;
  /** File format (default: from the extension: `.jsonl`/`.ndjson`, `.csv`, `.tsv`/`.tab`). */
  format?: DatasetFormat;
  /**
   * Store that a dataset reference (`NAME:vN`, `NAME:ALIAS`) is resolved in (default: the run's store,
   * else SENTILAB_DIR, else `.sentilab`).
   */
  storeDir?: string;
}

/** A labelled dataset, read and normalised. */
export interface Dataset {
  /** The file, as given. */
  path: string;
  /** Its format. */
  format: DatasetFormat;
  /** Number of samples. */
  count: number;
  /** The texts, in file order. */
  texts: string[];
  /** The normalised gold labels, one per text. */
  labels: Label[];
  /** Line (1-based) on which each sample starts. */
  lines: number[];
  /** Samples per label. */
  labelDistribution: Record<Label, number>;
  /** The text column or key used. */
  textField: string;
  /** The label column or key used. */
  labelField: string;
  /** The dataset artifact the run used, when a run was given and it is tracked. */
  artifact: UsedArtifact | null;
  /** The stored version (`name:vN`) the data was read from, when `path` was an artifact reference. */
  ref: string | null;
}

/**
 * Reads a labelled sentiment dataset from JSONL (one JSON object per line), CSV or TSV (header row,
 * RFC 4180 quoting: fields with delimiters, newlines or `""` in double quotes). A UTF-8 BOM and CRLF line
 * endings are accepted; blank lines are skipped. Labels are normalised to `negative`/`neutral`/`positive`
 * (names such as `Pos` or `NEUTRAL` directly; numeric labels through `labelMap`, or as -1/0/1 when the file
 * contains `-1`). With a run, the file is logged as a `dataset` artifact used by the run, with metadata
 * `{ samples, label_distribution, format, text_field, label_field }`.
 *
 * `path` may also be a reference to a `dataset` artifact in the local store, `NAME:vN` or `NAME:ALIAS`
 * (when no file of that name exists): the version's data file (its one `.jsonl`/`.csv`/`.tsv` file) is
 * read from the store's cache folder, and with a run that exact version is recorded as the input.
 *
 * @param path The file.
 * @param options Run, fields, label mapping, format.
 * @returns The texts, labels and what was found.
 * @throws {Error} `file:line: ...` for a broken JSON line, an unterminated quote, a missing field, an
 *   unknown label or invalid UTF-8; `file: ...` for a missing file, an unknown format or no samples.
 *
 * @example
 * ```ts
 * import { readDataset } from "./mod.ts";
 * const file = await Deno.makeTempFile({ suffix: ".csv" });
 * await Deno.writeTextFile(file, 'text,label\n"Great, really great",Positive\nIt rained,neu\n');
 * const data = await readDataset(file);
 * console.log(data.labels); // ["positive", "neutral"]
 * ```
 */
export async function readDataset(path: string, options: ReadDatasetOptions = {}): Promise<Dataset> {
  const stream = await streamDataset(path, {
    ...options,
    storeDir: options.run?.storeDir ?? options.storeDir,
  });
  const texts: string[] = [];
  const labels: Label[] = [];
  const lines: number[] = [];
  for await (const b of stream.batches({ size: 50_000 })) {
    for (let i = 0; i < b.texts.length; i++) {
      texts.push(b.texts[i]);
      labels.push(b.labels[i]);
      lines.push(b.lines[i]);
    }
  }
  const dataset: Dataset = {
    path: stream.path,
    format: stream.format,
    count: texts.length,
    texts,
    labels,
    lines,
    labelDistribution: stream.labelDistribution,
    textField: stream.textField,
    labelField: stream.labelField,
    artifact: null,
    ref: stream.ref,
  };
  if (options.run) {
    dataset.artifact = await logDataset(options.run, dataset, { name: options.artifactName });
  }
  return dataset;
}
