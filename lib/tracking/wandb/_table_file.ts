/**
 * The `.table.json` file of a W&B table, written in one streaming pass (private).
 * @module
 */
import { createHash } from "node:crypto";
import { WandbError } from "./errors.ts";

/** What {@linkcode writeTableFile} wrote. */
export interface TableFile {
  /** hex SHA-256 of the file. */
  sha256: string;
  /** base64 MD5 of the file (the artifact entry's digest). */
  md5: string;
  /** Bytes. */
  size: number;
  /** Rows written. */
  nrows: number;
}

function wbType(v: unknown): string {
  if (v === null || v === undefined) return "none";
  if (typeof v === "number" || typeof v === "bigint") return "number";
  if (typeof v === "string") return "string";
  if (typeof v === "boolean") return "boolean";
  return "any";
}

function columnTypes(columns: string[], kinds: Set<string>[]) {
  const typeMap: Record<string, unknown> = {};
  columns.forEach((c, j) => {
    const k = [...kinds[j]].sort();
    typeMap[c] = k.length === 1
      ? { wb_type: k[0] }
      : k.length === 0
      ? { wb_type: "any" }
      : { wb_type: "union", params: { allowed_types: k.map((x) => ({ wb_type: x })) } };
  });
  return { wb_type: "typedDict", params: { type_map: typeMap } };
}

const bigintAsNumber = (_k: string, v: unknown) => (typeof v === "bigint" ? Number(v) : v);
const FLUSH_CHARS = 1 << 20;

/**
 * Writes `{"_type":"table","columns":…,"data":[…],"ncols":…,"nrows":…,"column_types":…,"log_mode":"IMMUTABLE"}`
 * to `path`, byte for byte what `JSON.stringify` of that object gives (the SDK's `Table.to_json`, wandb/wandb
 * wandb/sdk/data_types/table.py), one row at a time: rows are never all in memory, and the SHA-256, MD5 and
 * size are taken while writing. Row lengths are checked as rows arrive; on an error the file is removed.
 */
export async function writeTableFile(
  path: string,
  key: string,
  columns: string[],
  rows: Iterable<unknown[]>,
): Promise<TableFile> {
  const enc = new TextEncoder();
  const sha = createHash("sha256");
  const md5 = createHash("md5");
  let size = 0;
  const kinds = columns.map(() => new Set<string>());
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  let parts: string[] = [];
  let pending = 0;
  const flush = async () => {
    if (!parts.length) return;
    const bytes = enc.encode(parts.join(""));
    parts = [];
    pending = 0;
    sha.update(bytes);
    md5.update(bytes);
    size += bytes.length;
    let off = 0;
    while (off < bytes.length) off += await file.write(bytes.subarray(off));
  };
  const put = async (s: string) => {
    parts.push(s);
    pending += s.length;
    if (pending >= FLUSH_CHARS) await flush();
  };
  let nrows = 0;
  try {
    await put(`{"_type":"table","columns":${JSON.stringify(columns)},"data":[`);
    for (const r of rows) {
      if (!Array.isArray(r) || r.length !== columns.length) {
        throw new WandbError(
          "config",
          `Table '${key}' row ${nrows} has ${
            Array.isArray(r) ? r.length : "no"
          } cells for ${columns.length} columns`,
        );
      }
      for (let j = 0; j < r.length; j++) kinds[j].add(wbType(r[j]));
      await put((nrows ? "," : "") + JSON.stringify(r, bigintAsNumber));
      nrows++;
    }
    await put(
      `],"ncols":${columns.length},"nrows":${nrows},"column_types":${
        JSON.stringify(columnTypes(columns, kinds))
      },"log_mode":"IMMUTABLE"}`,
    );
    await flush();
  } catch (e) {
    file.close();
    await Deno.remove(path).catch(() => {});
    throw e;
  }
  file.close();
  return { sha256: sha.digest("hex"), md5: md5.digest("base64"), size, nrows };
}
