/**
 * A small labelled-JSONL reader for training (errors name file:line).
 * @module
 */
import { createHash } from "node:crypto";
import { LABELS, normalizeLabel } from "../sentiment/mod.ts";

/** Rows of a labelled file: texts and class ids (0 negative, 1 neutral, 2 positive). */
export interface LabelledRows {
  /** The file read. */
  path: string;
  /** sha256 of the file's bytes. */
  sha256: string;
  /** Texts. */
  texts: string[];
  /** Class ids. */
  labels: number[];
}

/**
 * Reads a JSONL file of `{"text": string, "label": "negative"|"neutral"|"positive"}` objects.
 * Labels follow `normalizeLabel` (lib/sentiment): case-insensitive, `neg`/`neu`/`pos` accepted. Blank lines
 * are skipped.
 * @param path The file.
 * @returns The rows and the file's digest.
 * @throws {Error} when the file is missing or a line is not a valid labelled object (names file:line).
 */
export async function readLabelledJsonl(path: string): Promise<LabelledRows> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`Training data file not found: ${path}. Pass an existing JSONL file.`);
    }
    throw new Error(`Cannot read training data file ${path}: ${(e as Error).message}`);
  }
  if (!/\.jsonl?$/i.test(path)) {
    throw new Error(
      `Cannot read ${path}: training reads JSONL files (one {"text", "label"} object a line, .jsonl)`,
    );
  }
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  let content = new TextDecoder("utf-8").decode(bytes);
  if (content.charCodeAt(0) === 0xfeff) content = content.slice(1);
  const texts: string[] = [];
  const labels: number[] = [];
  const lines = content.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, "");
    if (line.trim() === "") continue;
    const where = `${path}:${i + 1}`;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (e) {
      throw new Error(
        `${where}: not valid JSON (${(e as Error).message}); each line must be one JSON object`,
      );
    }
    if (typeof row !== "object" || row === null || Array.isArray(row)) {
      throw new Error(`${where}: expected a JSON object with "text" and "label"`);
    }
    const r = row as Record<string, unknown>;
    if (typeof r.text !== "string") {
      throw new Error(`${where}: field "text" must be a string, got ${JSON.stringify(r.text)}`);
    }
    // the label aliases of lib/sentiment, as readDataset reads them without a label map
    const label = typeof r.label === "string" ? normalizeLabel(r.label) : null;
    const id = label === null ? -1 : LABELS.indexOf(label);
    if (id < 0) {
      throw new Error(
        `${where}: unknown label ${JSON.stringify(r.label)}; use "negative", "neutral" or "positive"`,
      );
    }
    texts.push(r.text);
    labels.push(id);
  }
  if (texts.length === 0) throw new Error(`${path}: no labelled rows`);
  return { path, sha256, texts, labels };
}
