import { downloadArtifact, type Run, type UsedArtifact } from "../tracking/mod.ts";
import { join } from "node:path";
import { type Label, LABELS } from "../models/types.ts";
import { decodeUtf8Strict } from "./_utf8.ts";
import { parseDelimited } from "./_delimited.ts";
import { logDataset } from "./log_dataset.ts";
import { LABEL_MAP_PRESETS, type LabelMap, normalizeLabel } from "../sentiment/normalize_label.ts";

/** A file format {@linkcode readDataset} reads. */
export type DatasetFormat = "jsonl" | "csv" | "tsv";

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

const TEXT_FIELDS = ["text", "sentence", "tweet", "review", "content"];
const LABEL_FIELDS = ["label", "sentiment", "polarity", "gold", "class"];

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
  let ref: string | null = null;
  if (DATASET_REF.test(path) && !(await isFile(path))) {
    ({ path, ref } = await datasetFile(path, options.run?.storeDir ?? options.storeDir));
  }
  if (options.format !== undefined && !["jsonl", "csv", "tsv"].includes(options.format)) {
    throw new Error(`${path}: unknown format ${JSON.stringify(options.format)}; use "jsonl", "csv" or "tsv"`);
  }
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`${path}: the file does not exist; check the path`);
    }
    if (e instanceof Deno.errors.IsADirectory) {
      throw new Error(`${path}: is a directory, expected a data file`);
    }
    throw new Error(`${path}: cannot read: ${(e as Error).message}`);
  }
  const format = options.format ?? formatOf(path);

  const text = decodeUtf8Strict(bytes, path).replace(/^\uFEFF/, "");
  const rows = format === "jsonl"
    ? parseJsonl(text, path)
    : parseTable(text, format === "csv" ? "," : "\t", path);
  if (rows.records.length === 0) {
    throw new Error(
      `${path}: no samples found; the file needs ${format === "jsonl" ? "JSON lines" : "a header and rows"}`,
    );
  }
  const textField = pickField(rows.fields, options.textField, TEXT_FIELDS, "text", path, rows.headerLine);
  const labelField = pickField(rows.fields, options.labelField, LABEL_FIELDS, "label", path, rows.headerLine);
  let labelMap = options.labelMap;
  if (
    labelMap === undefined && rows.records.some((r) => String(r.values[labelField] ?? "").trim() === "-1")
  ) {
    labelMap = "-1/0/1";
  }
  if (typeof labelMap === "string" && !(labelMap in LABEL_MAP_PRESETS)) {
    throw new Error(
      `${path}: unknown label map ${JSON.stringify(labelMap)}; use one of ${
        Object.keys(LABEL_MAP_PRESETS).join(", ")
      }`,
    );
  }
  const texts: string[] = [];
  const labels: Label[] = [];
  const lines: number[] = [];
  const labelDistribution = Object.fromEntries(LABELS.map((l) => [l, 0])) as Record<Label, number>;
  for (const { line, values } of rows.records) {
    const t = values[textField];
    if (t === undefined || t === null) {
      throw new Error(`${path}:${line}: no ${JSON.stringify(textField)} field; every row needs a text`);
    }
    if (typeof t !== "string") {
      throw new Error(
        `${path}:${line}: field ${JSON.stringify(textField)} is a ${typeof t}, expected a string`,
      );
    }
    const raw = values[labelField];
    if (raw === undefined || raw === null) {
      throw new Error(`${path}:${line}: no ${JSON.stringify(labelField)} field; every row needs a label`);
    }
    const label = normalizeLabel(raw, { labelMap });
    if (label === null) throw new Error(`${path}:${line}: ${unknownLabel(raw, labelMap)}`);
    texts.push(t);
    labels.push(label);
    lines.push(line);
    labelDistribution[label]++;
  }
  const dataset: Dataset = {
    path,
    format,
    count: texts.length,
    texts,
    labels,
    lines,
    labelDistribution,
    textField,
    labelField,
    artifact: null,
    ref,
  };
  if (options.run) {
    dataset.artifact = await logDataset(options.run, dataset, { name: options.artifactName });
  }
  return dataset;
}

/** `NAME:SELECTOR` with no path separator: an artifact reference rather than a file. */
const DATASET_REF = /^[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+$/;
const DATA_FILE = /\.(jsonl|ndjson|csv|tsv|tab)$/i;

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/** The data file of the dataset artifact `reference`, copied into the store's cache folder. */
async function datasetFile(
  reference: string,
  storeDir: string | undefined,
): Promise<{ path: string; ref: string }> {
  let got;
  try {
    got = await downloadArtifact(reference, { dir: storeDir, type: "dataset" });
  } catch (e) {
    throw new Error(
      `${reference}: no such file, and not a dataset artifact in the store: ${(e as Error).message}`,
    );
  }
  const files = Object.keys(got.version.manifest.contents).sort();
  const data = files.filter((f) => DATA_FILE.test(f));
  if (data.length !== 1) {
    throw new Error(
      `${reference} (${got.version.ref}): expected one data file (.jsonl, .csv or .tsv), found ` +
        `${data.length ? data.join(", ") : `none among ${files.join(", ")}`}; ` +
        `copy the file you want out with deno task artifacts ${got.version.ref} and pass its path`,
    );
  }
  return { path: join(got.path, ...data[0].split("/")), ref: got.version.ref };
}

interface Rows {
  fields: string[];
  headerLine: number;
  records: { line: number; values: Record<string, unknown> }[];
}

function formatOf(path: string): DatasetFormat {
  const lower = path.toLowerCase();
  if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) return "jsonl";
  if (lower.endsWith(".csv")) return "csv";
  if (lower.endsWith(".tsv") || lower.endsWith(".tab")) return "tsv";
  throw new Error(
    `${path}: cannot tell the format from the extension; use a .jsonl, .csv or .tsv file ` +
      `(or readDataset's format option)`,
  );
}

function parseJsonl(text: string, path: string): Rows {
  const records: Rows["records"] = [];
  const fields = new Set<string>();
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const src = lines[i].endsWith("\r") ? lines[i].slice(0, -1) : lines[i];
    if (src.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(src);
    } catch (e) {
      throw new Error(
        `${path}:${i + 1}: invalid JSON (${(e as Error).message}); each line must be one JSON object, ` +
          `e.g. {"text": "...", "label": "positive"}`,
      );
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new Error(
        `${path}:${i + 1}: expected a JSON object, found ${Array.isArray(value) ? "an array" : typeof value}`,
      );
    }
    for (const k of Object.keys(value)) fields.add(k);
    records.push({ line: i + 1, values: value as Record<string, unknown> });
  }
  return { fields: [...fields], headerLine: records[0]?.line ?? 1, records };
}

function parseTable(text: string, delimiter: string, path: string): Rows {
  const all = parseDelimited(text, delimiter, path);
  if (all.length === 0) return { fields: [], headerLine: 1, records: [] };
  const [header, ...body] = all;
  const fields = header.fields.map((f) => f.trim());
  const records: Rows["records"] = [];
  for (const r of body) {
    if (r.fields.length !== fields.length) {
      const name = delimiter === "," ? "','" : "a tab";
      throw new Error(
        `${path}:${r.line}: ${r.fields.length} fields but the header (line ${header.line}) has ${fields.length}; ` +
          `put fields that contain ${name} in double quotes`,
      );
    }
    const values: Record<string, unknown> = {};
    fields.forEach((f, i) => (values[f] = r.fields[i]));
    records.push({ line: r.line, values });
  }
  return { fields, headerLine: header.line, records };
}

function pickField(
  fields: string[],
  wanted: string | undefined,
  candidates: string[],
  what: string,
  path: string,
  line: number,
): string {
  if (wanted !== undefined) {
    if (!fields.includes(wanted)) {
      throw new Error(
        `${path}:${line}: no ${what} field ${JSON.stringify(wanted)}; found ${
          fields.map((f) => JSON.stringify(f)).join(", ")
        }`,
      );
    }
    return wanted;
  }
  const found = candidates.find((c) => fields.includes(c)) ??
    fields.find((f) => candidates.includes(f.toLowerCase()));
  if (found === undefined) {
    throw new Error(
      `${path}:${line}: no ${what} field (looked for ${candidates.join(", ")}); found ` +
        `${fields.map((f) => JSON.stringify(f)).join(", ") || "none"}; pass ${what}Field to name it`,
    );
  }
  return found;
}

function unknownLabel(raw: unknown, labelMap: LabelMap | undefined): string {
  const shown = JSON.stringify(raw);
  if (labelMap !== undefined) {
    const keys = typeof labelMap === "string"
      ? Object.keys(LABEL_MAP_PRESETS[labelMap])
      : Object.keys(labelMap);
    return `unknown label ${shown}: the label map ${typeof labelMap === "string" ? `"${labelMap}"` : ""}` +
      ` knows ${keys.map((k) => JSON.stringify(k)).join(", ")}; add it to the map or fix the row`;
  }
  if (
    typeof raw === "number" || (typeof raw === "string" && raw.trim() !== "" && Number.isFinite(Number(raw)))
  ) {
    return `numeric label ${shown} is ambiguous; declare the mapping, e.g. labelMap "0/1/2" ` +
      `(negative/neutral/positive), "0/1" (negative/positive) or "-1/0/1" (--label-map in tasks)`;
  }
  return `unknown label ${shown}; use negative/neutral/positive (or neg/neu/pos), or declare a labelMap`;
}
