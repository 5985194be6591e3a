/**
 * Reading the records of a JSONL, CSV or TSV file in pieces (constant memory, any file size), with the
 * line each record starts on, hashing the bytes as they are read. Errors name `file:line` as
 * readDataset's always did (they come from the same parsers).
 * @module
 */
import { createHash } from "node:crypto";
import { parseDelimited } from "./_delimited.ts";
import { firstInvalidUtf8 } from "./_utf8.ts";

/** A file format of labelled data. */
export type RecordFormat = "jsonl" | "csv" | "tsv";

/** One record: the line it starts on and its values by field name. */
export interface FileRecord {
  line: number;
  values: Record<string, unknown>;
}

/** What a pass over the file saw, filled in as it goes (complete when the pass ends). */
export interface PassInfo {
  /** sha256 (hex) of the file's bytes. */
  sha256: string;
  /** Bytes read. */
  bytes: number;
  /** Field names: the CSV/TSV header, or every key seen in a JSON line (first-seen order). */
  fields: string[];
  /** Line of the header (CSV/TSV) or of the first record (JSONL). */
  headerLine: number;
}

const CHUNK = 1 << 20;

/**
 * Reads `path` and yields its records in arrays of a few thousand, in file order.
 * @param path The file.
 * @param format Its format.
 * @param info Filled in during the pass (digest when it ends).
 * @throws {Error} `file:line: ...` for broken JSON, unterminated quotes, a wrong field count or invalid
 *   UTF-8; `file: ...` when the file is missing or a folder.
 */
export async function* readRecords(
  path: string,
  format: RecordFormat,
  info: PassInfo = { sha256: "", bytes: 0, fields: [], headerLine: 1 },
): AsyncGenerator<FileRecord[]> {
  let file: Deno.FsFile;
  try {
    if ((await Deno.stat(path)).isDirectory) throw new Error(`${path}: is a directory, expected a data file`);
    file = await Deno.open(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`${path}: the file does not exist; check the path`);
    }
    if ((e as Error).message.startsWith(`${path}: `)) throw e;
    throw new Error(`${path}: cannot read: ${(e as Error).message}`);
  }
  const hash = createHash("sha256");
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const fieldSet = new Set<string>();
  let header: string[] | null = null;
  let pending = "";
  let nextLine = 1; // line number of pending's first line
  let linesBefore = 0; // newlines in the bytes before the current chunk (for UTF-8 errors)
  let first = true;
  const delimiter = format === "tsv" ? "\t" : ",";
  const buf = new Uint8Array(CHUNK);

  /** The records of complete lines in `text` (which starts at line `nextLine`). */
  const parse = (text: string, last: boolean): FileRecord[] => {
    const out: FileRecord[] = [];
    if (format === "jsonl") {
      const lines = text.split("\n");
      for (let i = 0; i < lines.length; i++) {
        const src = lines[i].endsWith("\r") ? lines[i].slice(0, -1) : lines[i];
        const line = nextLine + i;
        if (src.trim() === "") continue;
        let value: unknown;
        try {
          value = JSON.parse(src);
        } catch (e) {
          throw new Error(
            `${path}:${line}: invalid JSON (${(e as Error).message}); each line must be one JSON object, ` +
              `e.g. {"text": "...", "label": "positive"}`,
          );
        }
        if (typeof value !== "object" || value === null || Array.isArray(value)) {
          throw new Error(
            `${path}:${line}: expected a JSON object, found ${
              Array.isArray(value) ? "an array" : typeof value
            }`,
          );
        }
        for (const k in value) {
          if (!fieldSet.has(k)) {
            if (fieldSet.size === 0) info.headerLine = line;
            fieldSet.add(k);
            info.fields.push(k);
          }
        }
        out.push({ line, values: value as Record<string, unknown> });
      }
      return out;
    }
    void last;
    for (const r of parseDelimited(text, delimiter, path, nextLine)) {
      if (header === null) {
        header = r.fields.map((f) => f.trim());
        info.fields.push(...header);
        info.headerLine = r.line;
        continue;
      }
      if (r.fields.length !== header.length) {
        const name = delimiter === "," ? "','" : "a tab";
        throw new Error(
          `${path}:${r.line}: ${r.fields.length} fields but the header (line ${info.headerLine}) has ` +
            `${header.length}; put fields that contain ${name} in double quotes`,
        );
      }
      const values: Record<string, unknown> = {};
      header.forEach((f, i) => (values[f] = r.fields[i]));
      out.push({ line: r.line, values });
    }
    return out;
  };

  /**
   * Where the complete part of `pending` ends: after the last record-ending newline, found with the quoting
   * rules of parseDelimited (a quote opens a quoted field only at the start of a field; `""` inside one is
   * a quote). `pending` always starts at a record boundary.
   */
  const cut = (): number => {
    if (format === "jsonl") return pending.lastIndexOf("\n") + 1;
    const d = delimiter.charCodeAt(0);
    let at = 0, quoted = false, fieldStart = true;
    for (let i = 0; i < pending.length; i++) {
      const c = pending.charCodeAt(i);
      if (quoted) {
        if (c !== 34) continue;
        if (i + 1 >= pending.length) return at; // `"` or `""`: the next piece decides
        if (pending.charCodeAt(i + 1) === 34) i++;
        else quoted = false;
      } else if (c === 34 && fieldStart) {
        quoted = true;
        fieldStart = false;
      } else if (c === d) fieldStart = true;
      else if (c === 10) {
        at = i + 1;
        fieldStart = true;
      } else fieldStart = false;
    }
    return at;
  };

  try {
    for (;;) {
      const n = await file.read(buf);
      const last = n === null;
      const chunk = last ? new Uint8Array(0) : buf.subarray(0, n);
      hash.update(chunk);
      info.bytes += chunk.length;
      let text: string;
      try {
        text = decoder.decode(chunk, { stream: !last });
      } catch {
        const offset = firstInvalidUtf8(chunk);
        let line = linesBefore + 1;
        for (let i = 0; i < offset && i < chunk.length; i++) if (chunk[i] === 0x0a) line++;
        const hex = chunk[offset]?.toString(16).padStart(2, "0") ?? "??";
        throw new Error(
          `${path}:${line}: invalid UTF-8 (byte 0x${hex} at offset ${info.bytes - chunk.length + offset}); ` +
            "re-encode the input as UTF-8 (e.g. iconv -f latin1 -t utf-8)",
        );
      }
      for (let i = 0; i < chunk.length; i++) if (chunk[i] === 0x0a) linesBefore++;
      if (first && text.length > 0) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        first = false;
      }
      pending += text;
      const at = last ? pending.length : cut();
      if (at > 0) {
        const complete = pending.slice(0, at);
        pending = pending.slice(at);
        const records = parse(complete, last);
        let nl = 0;
        for (let i = complete.indexOf("\n"); i !== -1; i = complete.indexOf("\n", i + 1)) nl++;
        nextLine += nl;
        if (records.length) yield records;
      }
      if (last) break;
    }
  } finally {
    file.close();
  }
  info.sha256 = hash.digest("hex");
}
