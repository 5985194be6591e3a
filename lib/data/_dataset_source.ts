/**
 * What readDataset and streamDataset share: where a dataset's file is (a path or a stored dataset
 * reference), its format, which fields hold the text and the label, and the wording of a bad label.
 * @module
 */
import { join } from "node:path";
import { downloadArtifact, listArtifacts } from "../tracking/mod.ts";
import { LABEL_MAP_PRESETS, type LabelMap } from "../sentiment/normalize_label.ts";
import type { DatasetFormat } from "./stream_dataset.ts";

/** Text fields tried in order when none is named. */
export const TEXT_FIELDS = ["text", "sentence", "tweet", "review", "content"];
/** Label fields tried in order when none is named. */
export const LABEL_FIELDS = ["label", "sentiment", "polarity", "gold", "class"];

/** `NAME:SELECTOR` with no path separator: an artifact reference rather than a file. */
export const DATASET_REF = /^[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+$/;
const DATA_FILE = /\.(jsonl|ndjson|csv|tsv|tab)$/i;

export async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/** The data file of the dataset artifact `reference`, copied into the store's cache folder. */
export async function datasetFile(
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

export function formatOf(path: string): DatasetFormat {
  const lower = path.toLowerCase();
  if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) return "jsonl";
  if (lower.endsWith(".csv")) return "csv";
  if (lower.endsWith(".tsv") || lower.endsWith(".tab")) return "tsv";
  throw new Error(
    `${path}: cannot tell the format from the extension; use a .jsonl, .csv or .tsv file ` +
      `(or readDataset's format option)`,
  );
}

export function pickField(
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

export function unknownLabel(raw: unknown, labelMap: LabelMap | undefined): string {
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

/** Throws `file: ...` when `path` cannot be read as a data file (missing, a folder). */
export async function checkReadable(path: string): Promise<void> {
  let st: Deno.FileInfo;
  try {
    st = await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`${path}: the file does not exist; check the path`);
    }
    throw new Error(`${path}: cannot read: ${(e as Error).message}`);
  }
  if (st.isDirectory) throw new Error(`${path}: is a directory, expected a data file`);
}

/**
 * `error` for a missing file, with a hint when a stored dataset artifact has that name: a bare `NAME` is
 * a path for data (a file of that name may exist), so the version is asked for as `NAME:latest`.
 */
export function storedDatasetHint(path: string, storeDir: string | undefined, error: Error): Error {
  if (!/^[A-Za-z0-9_.-]+$/.test(path)) return error;
  let stored = false;
  try {
    stored = listArtifacts({ dir: storeDir, type: "dataset", readOnly: true }).some((a) => a.name === path);
  } catch { /* no store: no hint */ }
  return stored
    ? new Error(`${error.message}; a stored dataset has that name: use ${path}:latest (or ${path}:vN)`)
    : error;
}
