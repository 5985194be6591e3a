// A 1,000,000-row table is stored and read back in pages.
import assert from "node:assert/strict";
import { finishRun, getRun, getTableRows, initRun, logTable } from "../lib/tracking/mod.ts";

Deno.test("a 1,000,000-row table is stored completely and paged", async () => {
  const root = await Deno.makeTempDir({ prefix: "sentilab_big_" });
  try {
    const labels = ["negative", "neutral", "positive"];
    const n = 1_000_000;
    const rows: unknown[][] = new Array(n);
    for (let i = 0; i < n; i++) rows[i] = [i, labels[i % 3], (i % 1000) / 1000];
    const run = await initRun({ dir: `${root}/store`, strict: true });
    await logTable(run, "predictions", { columns: ["id", "label", "score"], rows });
    await finishRun(run);

    const first = getTableRows(run.id, "predictions", { dir: `${root}/store`, limit: 3 })!;
    assert.equal(first.rowCount, n);
    assert.deepEqual(first.rows, [[0, "negative", 0], [1, "neutral", 0.001], [2, "positive", 0.002]]);
    const last = getTableRows(run.id, "predictions", { dir: `${root}/store`, offset: n - 2, limit: 10 })!;
    assert.deepEqual(last.rows, [[999_998, "positive", 0.998], [999_999, "negative", 0.999]]);
    const middle = getTableRows(run.id, "predictions", {
      dir: `${root}/store`,
      offset: 500_000,
      limit: 1000,
    })!;
    assert.equal(middle.rows.length, 1000);
    assert.ok(middle.rows.every((r, k) => r[0] === 500_000 + k), "rows come back in order without gaps");
    assert.equal(getTableRows(run.id, "predictions", { dir: `${root}/store`, offset: n })!.rows.length, 0);
    assert.equal(getRun(run.id, { dir: `${root}/store` })!.tables[0].rowCount, n);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a key logged several times: each table keeps its version, readable by getTableRows({ version })", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const run = await initRun({ dir, tracker: "local", captureConsole: false });
    await logTable(run, "preds", { columns: ["text"], rows: [["first"]] }, { step: 1 });
    await logTable(run, "other", { columns: ["n"], rows: [[1]] }, { step: 1 });
    await logTable(run, "preds", { columns: ["text"], rows: [["second"], ["second b"]] }, { step: 2 });
    await logTable(run, "preds", { columns: ["text"], rows: [["third"]] }, { step: 3 });
    await finishRun(run);
    const tables = getRun(run.id, { dir })!.tables;
    assert.deepEqual(tables.map((t) => [t.key, t.version, t.step, t.rowCount]), [
      ["preds", 0, 1, 1],
      ["other", 0, 1, 1],
      ["preds", 1, 2, 2],
      ["preds", 2, 3, 1],
    ]);
    assert.deepEqual(getTableRows(run.id, "preds", { dir })?.rows, [["third"]]); // the latest by default
    assert.equal(getTableRows(run.id, "preds", { dir })?.version, 2);
    const v1 = getTableRows(run.id, "preds", { dir, version: 1, offset: 1 });
    assert.deepEqual([v1?.version, v1?.step, v1?.rowCount, v1?.rows], [1, 2, 2, [["second b"]]]);
    assert.deepEqual(getTableRows(run.id, "preds", { dir, version: 0 })?.rows, [["first"]]);
    assert.equal(getTableRows(run.id, "preds", { dir, version: 3 }), null);
    assert.equal(getTableRows(run.id, "other", { dir, version: 0 })?.version, 0);
    assert.throws(
      () => getTableRows(run.id, "preds", { dir, version: -1 }),
      /version must be a non-negative integer/,
    );
    assert.throws(
      () => getTableRows(run.id, "preds", { dir, version: 0.5 }),
      /version must be a non-negative integer/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
