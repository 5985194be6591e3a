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
