// initRun with invalid options keeps every valid one; values JSON cannot store are refused, by name.
import assert from "node:assert/strict";
import { finishRun, getRun, initRun, logArtifact, setSummary, TrackingError } from "../lib/tracking/mod.ts";
import { captureWarnings as warnings } from "./_warnings.ts";

async function withStore(fn: (store: string, root: string) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "sentilab_opts_" });
  try {
    await fn(`${root}/store`, root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("initRun: one invalid option is dropped alone; name, tags, config and the rest are kept", async () => {
  await withStore(async (dir) => {
    const { result: run, warn } = await warnings(() =>
      initRun({
        dir,
        project: "team/x",
        name: "lr-sweep-1",
        group: "sweep",
        jobType: "train",
        tags: ["a"],
        notes: "first try",
        config: { lr: 0.1, layers: 3 },
      })
    );
    assert.equal(run.backend, "local", "the store dir is kept");
    assert.equal(run.project, "sentilab", "the invalid project falls back to the default");
    assert.equal(run.name, "lr-sweep-1");
    assert.equal(run.group, "sweep");
    assert.equal(run.jobType, "train");
    assert.deepEqual(run.tags, ["a"]);
    assert.equal(run.notes, "first try");
    assert.deepEqual(run.config, { lr: 0.1, layers: 3 });
    await finishRun(run);
    const stored = getRun(run.id, { dir })!;
    assert.equal(stored.name, "lr-sweep-1");
    assert.deepEqual(stored.tags, ["a"]);
    assert.deepEqual(stored.config, { lr: 0.1, layers: 3 });
    // One warning, naming exactly what was dropped and nothing else.
    assert.equal(warn.length, 1, warn.join("\n"));
    assert.match(
      warn[0],
      /initRun: dropped an invalid option \(the run keeps the others\): option 'project' \('team\/x'\): values cannot contain '\/' \(the default is used\)\n/,
    );
    for (const kept of ["'name'", "'tags'", "'config'", "'group'", "'notes'"]) {
      assert.ok(!warn[0].includes(kept), `${kept} is not named as dropped`);
    }
  });
});

Deno.test("initRun: several invalid options are each named in a single warning", async () => {
  await withStore(async (dir) => {
    const { result: run, warn } = await warnings(() =>
      initRun({
        dir,
        name: "ok-name",
        group: "g:1",
        tags: ["x", ""],
        config: { lr: NaN, layers: 3, act: () => 1 },
      })
    );
    assert.equal(run.name, "ok-name");
    assert.equal(run.group, null);
    assert.deepEqual(run.tags, []);
    assert.deepEqual(run.config, { layers: 3 });
    await finishRun(run);
    assert.deepEqual(getRun(run.id, { dir })!.config, { layers: 3 });
    assert.equal(warn.length, 1, warn.join("\n"));
    assert.match(warn[0], /dropped 4 invalid options/);
    assert.match(warn[0], /option 'group' \('g:1'\): values cannot contain ':'/);
    assert.match(warn[0], /option 'tags' must be an array of non-empty strings/);
    assert.match(warn[0], /config\.lr is NaN, which JSON cannot store \(it would be stored as null\)/);
    assert.match(warn[0], /config\.act is a function, which JSON cannot store \(it would be lost\)/);
    assert.doesNotMatch(warn[0], /config\.layers|'name'/);
  });
});

Deno.test("initRun strict: the first invalid option or config value is an error naming it", async () => {
  await withStore(async (dir) => {
    await assert.rejects(
      () => initRun({ dir, strict: true, project: "team/x", name: "n" }),
      (e) =>
        e instanceof TrackingError && /^Cannot start run: option 'project' \('team\/x'\)/.test(e.message),
    );
    const cases: [unknown, RegExp][] = [
      [
        NaN,
        /^TrackingError: Cannot start run: config\.lr is NaN, which JSON cannot store .*use a finite number/,
      ],
      [Infinity, /config\.lr is Infinity/],
      [-Infinity, /config\.lr is -Infinity/],
      [() => 0.1, /config\.lr is a function, which JSON cannot store \(it would be lost\); pass plain data/],
      [{ warmup: { steps: NaN } }, /config\.lr\.warmup\.steps is NaN/],
      [[0.1, undefined], /config\.lr\[1\] is undefined, which JSON stores as null; use null/],
      [new Map([["a", 1]]), /config\.lr is a Map/],
      [new Set([1]), /config\.lr is a Set/],
      [Symbol("s"), /config\.lr is a symbol/],
      [10n, /config\.lr is not JSON-serialisable/],
    ];
    for (const [lr, re] of cases) {
      await assert.rejects(() => initRun({ dir, strict: true, config: { lr } }), re, String(re));
    }
    // Plain data, Dates (they serialise themselves) and absent (undefined) entries are fine.
    const run = await initRun({
      dir,
      strict: true,
      config: { lr: 0.1, at: new Date(0), opt: { beta: [0.9, 0.99], eps: null }, unset: undefined },
    });
    assert.deepEqual(run.config, {
      lr: 0.1,
      at: "1970-01-01T00:00:00.000Z",
      opt: { beta: [0.9, 0.99], eps: null },
    });
    await finishRun(run);
  });
});

Deno.test("summary and artifact metadata refuse values JSON cannot store, like config", async () => {
  await withStore(async (dir, root) => {
    const run = await initRun({ dir, strict: true });
    assert.throws(
      () => setSummary(run, { best: 0.9, f1: NaN }),
      /^TrackingError: Cannot set summary: summary\.f1 is NaN, which JSON cannot store/,
    );
    await Deno.writeTextFile(`${root}/f.txt`, "x");
    await assert.rejects(
      () =>
        logArtifact(run, {
          name: "m",
          type: "model",
          files: [`${root}/f.txt`],
          metadata: { score: Infinity },
        }),
      /^TrackingError: Cannot log artifact 'm': metadata\.score is Infinity/,
    );
    setSummary(run, { best: 0.9 });
    await finishRun(run);
    assert.deepEqual(getRun(run.id, { dir })!.summary, { best: 0.9 });
  });
});
