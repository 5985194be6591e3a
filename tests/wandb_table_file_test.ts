// The streamed `.table.json` writer: byte for byte what JSON.stringify of the whole table object gave
// before streaming (the W&B tests compare uploaded bytes; this one covers a table over many flushes).
import assert from "node:assert/strict";
import { writeTableFile } from "../lib/tracking/wandb/_table_file.ts";
import { createHash } from "node:crypto";

Deno.test("a streamed table file is the JSON of {columns, data} with every row, and its digests are the file's", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const columns = ["text", "label", "score", "extra"];
    const n = 60_000; // several 1 MiB flushes
    const rows = function* (): Generator<unknown[]> {
      for (let i = 0; i < n; i++) {
        yield [`text ${i} "quoted" é`, i % 3 ? "positive" : "negative", i / 7, i % 5 ? null : BigInt(i)];
      }
    };
    const path = `${dir}/t.table.json`;
    const file = await writeTableFile(path, "preds", columns, rows());
    const bytes = await Deno.readFile(path);
    const parsed = JSON.parse(new TextDecoder().decode(bytes));
    assert.deepEqual(parsed.columns, columns);
    assert.deepEqual(parsed.data.length, n);
    assert.deepEqual(parsed.data[n - 1], [`text ${n - 1} "quoted" é`, "positive", (n - 1) / 7, null]);
    assert.deepEqual(parsed.nrows, n);
    assert.deepEqual(file.nrows, n);
    assert.deepEqual(file.size, bytes.length);
    assert.deepEqual(file.sha256, createHash("sha256").update(bytes).digest("hex"));
    assert.deepEqual(file.md5, createHash("md5").update(bytes).digest("base64"));
    // the bytes the in-memory builder produced
    const all = [...rows()];
    const kinds = (j: number) =>
      [...new Set(all.map((r) => r[j] === null ? "none" : typeof r[j] === "bigint" ? "number" : typeof r[j]))]
        .sort();
    const typeMap = Object.fromEntries(columns.map((c, j) => {
      const k = kinds(j);
      return [
        c,
        k.length === 1
          ? { wb_type: k[0] }
          : { wb_type: "union", params: { allowed_types: k.map((x) => ({ wb_type: x })) } },
      ];
    }));
    const old = JSON.stringify({
      _type: "table",
      columns,
      data: all,
      ncols: columns.length,
      nrows: all.length,
      column_types: { wb_type: "typedDict", params: { type_map: typeMap } },
      log_mode: "IMMUTABLE",
    }, (_k, v) => (typeof v === "bigint" ? Number(v) : v));
    assert.deepEqual(new TextDecoder().decode(bytes), old);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a row of the wrong length is an error naming it, and no file is left", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/t.table.json`;
    await assert.rejects(
      () => writeTableFile(path, "preds", ["a", "b"], [["x", 1], ["y"]]),
      /Table 'preds' row 1 has 1 cells for 2 columns/,
    );
    assert.deepEqual([...Deno.readDirSync(dir)].length, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
