// logMetrics follows W&B's run.log step rules; defineMetric decides the summary, as run.define_metric.
import assert from "node:assert/strict";
import {
  defineMetric,
  finishRun,
  getHistory,
  getRun,
  initRun,
  logMetrics,
  setSummary,
} from "../lib/tracking/mod.ts";
import { warnings } from "./_warnings.ts";

async function withRun(
  fn: (run: Awaited<ReturnType<typeof initRun>>, dir: string) => Promise<void> | void,
  strict = true,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "sentilab_steps_" });
  try {
    const run = await initRun({ dir, strict, tracker: "local" });
    await fn(run, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const rows = (id: string, dir: string) => getHistory(id, { dir }).map((h) => [h.step, h.values]);

Deno.test("calls at the same explicit step merge into one history row", () =>
  withRun(async (run, dir) => {
    logMetrics(run, { "train/loss": 1 }, { step: 0 });
    logMetrics(run, { "val/loss": 2 }, { step: 0 });
    logMetrics(run, { "train/loss": 0.5 }, { step: 3 });
    logMetrics(run, { "val/loss": 1.5 }, { step: 3 });
    await finishRun(run);
    assert.deepEqual(rows(run.id, dir), [
      [0, { "train/loss": 1, "val/loss": 2 }],
      [3, { "train/loss": 0.5, "val/loss": 1.5 }],
    ]);
  }));

Deno.test("commit: false accumulates into the current step; a plain call commits it and moves on", () =>
  withRun(async (run, dir) => {
    logMetrics(run, { a: 1 }, { commit: false });
    logMetrics(run, { b: 2 }, { commit: false });
    logMetrics(run, { c: 3 });
    logMetrics(run, { a: 4 });
    logMetrics(run, { a: 5 }, { step: 9 }); // explicit step: stays open until the end of the run
    assert.deepEqual(rows(run.id, dir), [[0, { a: 1, b: 2, c: 3 }], [1, { a: 4 }]], "open rows are not read");
    await finishRun(run);
    assert.deepEqual(rows(run.id, dir), [[0, { a: 1, b: 2, c: 3 }], [1, { a: 4 }], [9, { a: 5 }]]);
    assert.deepEqual(getRun(run.id, { dir })!.summary, { a: 5, b: 2, c: 3 });
  }));

Deno.test("a step lower than the current one is dropped with one warning", () =>
  withRun(async (run, dir) => {
    const seen = await warnings(() => {
      logMetrics(run, { loss: 1 }, { step: 5 });
      logMetrics(run, { loss: 9 }, { step: 2 });
      logMetrics(run, { loss: 8 }, { step: 4 });
      logMetrics(run, { loss: 0.5 }, { step: 6 });
    });
    assert.equal(seen.length, 1, seen.join("\n"));
    assert.match(seen[0], /tried to log to step 2 that is less than the current step 5.*will be ignored/);
    await finishRun(run);
    assert.deepEqual(rows(run.id, dir), [[5, { loss: 1 }], [6, { loss: 0.5 }]]);
  }, false));

Deno.test("nested objects are flattened with '/'; a bad leaf names its full key", () =>
  withRun(async (run, dir) => {
    logMetrics(run, { val: { loss: 1, acc: { top1: 0.5, top5: 0.9 } }, lr: 0.1 });
    assert.throws(() => logMetrics(run, { val: { loss: NaN } }), /'val\/loss' is NaN/);
    assert.throws(() => logMetrics(run, { val: { tags: ["x"] } } as never), /'val\/tags'/);
    await finishRun(run);
    assert.deepEqual(rows(run.id, dir), [[0, {
      "val/loss": 1,
      "val/acc/top1": 0.5,
      "val/acc/top5": 0.9,
      lr: 0.1,
    }]]);
  }));

Deno.test("defineMetric: summary min/max/mean/last/first/none, globs, own definition over the glob", () =>
  withRun(async (run, dir) => {
    defineMetric(run, "val/*", { summary: "min", goal: "minimize" });
    defineMetric(run, "val/acc", { summary: "max,mean", goal: "maximize", stepMetric: "epoch" });
    defineMetric(run, "train/loss", { summary: "none" });
    defineMetric(run, "lr", { summary: "last" });
    defineMetric(run, "first", { summary: "first" });
    defineMetric(run, "best", { summary: "max" });
    for (const [epoch, loss, acc] of [[1, 0.9, 0.5], [2, 0.4, 0.7], [3, 0.6, 0.6]]) {
      logMetrics(run, {
        epoch,
        val: { loss, acc },
        train: { loss: loss / 2 },
        lr: 0.1 / epoch,
        first: epoch,
        best: epoch,
      });
    }
    setSummary(run, { best: "explicit wins" });
    await finishRun(run);
    assert.deepEqual(getRun(run.id, { dir })!.summary, {
      epoch: 3,
      "val/loss": { min: 0.4 },
      "val/acc": { max: 0.7, mean: 0.6 },
      lr: { last: 0.1 / 3 },
      first: { first: 1 },
      best: "explicit wins",
    });
  }));

Deno.test("defineMetric summaries count history rows: a value replaced within its row does not count", () =>
  withRun(async (run, dir) => {
    // W&B folds each flushed row into the summary (core/internal/stream/handler.go flushPartialHistory);
    // a key logged twice at one step keeps its last value in the row, and only that one counts.
    defineMetric(run, "loss", { summary: "min,max,mean,first" });
    logMetrics(run, { loss: 5 }, { step: 0 });
    logMetrics(run, { loss: 1 }, { step: 0 }); // replaces 5 in row 0
    logMetrics(run, { loss: 9 }, { commit: false });
    logMetrics(run, { loss: 3 }); // replaces 9 in row 0, commits it
    logMetrics(run, { loss: 2 }, { step: 4 });
    logMetrics(run, { loss: 4 }, { step: 4 }); // row 4 stays open until the end
    await finishRun(run);
    assert.deepEqual(getHistory(run.id, { dir }).map((h) => [h.step, h.values.loss]), [[0, 3], [4, 4]]);
    assert.deepEqual(getRun(run.id, { dir })!.summary.loss, { min: 3, max: 4, mean: 3.5, first: 3 });
  }));

Deno.test("defineMetric rejects what W&B rejects: a glob not at the end, unknown summary or goal", () =>
  withRun(async (run) => {
    assert.throws(() => defineMetric(run, "val/*/loss", { summary: "min" }), /may only end in '\*'/);
    assert.throws(
      () => defineMetric(run, "x", { summary: "median" as never }),
      /summary 'median' is not one of/,
    );
    assert.throws(
      () => defineMetric(run, "x", { goal: "up" as never }),
      /goal must be "minimize" or "maximize"/,
    );
    await finishRun(run);
  }));
