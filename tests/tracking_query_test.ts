// Finding and comparing runs: listRuns filters (the expression language), sort, limit; compareRuns;
// and the same through `deno task runs --filter/--sort/--json` and `deno task runs compare`.
import assert from "node:assert/strict";
import {
  compareRuns,
  finishRun,
  initRun,
  listRuns,
  logArtifact,
  logMetrics,
  setSummary,
  useArtifact,
} from "../lib/tracking/mod.ts";
import { runTask } from "./_task_env.ts";

/** A store with five runs of known config, summary, tags and group. */
async function withRuns(fn: (dir: string) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "sentilab_query_" });
  const dir = `${root}/store`;
  try {
    await Deno.writeTextFile(`${root}/data.txt`, "data");
    const specs = [
      { id: "a", model: "default", acc: 0.95, tags: ["x"], group: "g1" },
      { id: "b", model: "lexicon", acc: 0.7, tags: ["x", "y"], group: "g1" },
      { id: "c", model: "default", acc: 0.85, tags: [], group: "g2" },
      { id: "d", model: "default", acc: null, tags: ["y"], group: "g2" },
      { id: "e", model: "vader", acc: 0.91, tags: [], group: null },
    ];
    for (const s of specs) {
      const run = await initRun({
        dir,
        id: s.id,
        name: `run ${s.id}`,
        tags: s.tags,
        group: s.group ?? undefined,
        config: { model: s.model, opts: { lr: s.id === "a" ? 0.1 : 0.01 } },
        strict: true,
      });
      if (s.acc !== null) setSummary(run, { accuracy: s.acc });
      logMetrics(run, { val: { loss: 1 - (s.acc ?? 0) } });
      if (s.id === "a") {
        await logArtifact(run, { name: "data", type: "dataset", files: [`${root}/data.txt`] });
      }
      if (s.id === "b") await useArtifact(run, "data:latest");
      await finishRun(run, { exitCode: s.id === "e" ? 2 : 0 });
    }
    await fn(dir);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

const ids = (runs: { id: string }[]) => runs.map((r) => r.id);

Deno.test("listRuns filter expressions: summary, config, tags, run fields, and/or/not, parentheses", () =>
  withRuns((dir) => {
    const f = (filter: string, sort = "id") => ids(listRuns({ dir, filter, sort }));
    assert.deepEqual(f("summary.accuracy > 0.9"), ["a", "e"]);
    assert.deepEqual(f('config.model = "default"'), ["a", "c", "d"]);
    assert.deepEqual(f('tags contains "x"'), ["a", "b"]);
    assert.deepEqual(f('summary.accuracy > 0.8 and config.model = "default"'), ["a", "c"]);
    assert.deepEqual(f('config.model = "vader" or tags contains "y"'), ["b", "d", "e"]);
    assert.deepEqual(f('not (config.model = "default" or summary.accuracy < 0.8)'), ["e"]);
    assert.deepEqual(f("summary.accuracy = null"), ["d"]);
    assert.deepEqual(f("config.opts.lr >= 0.1"), ["a"]);
    assert.deepEqual(f("summary.val/loss <= 0.15"), ["a", "e"]);
    assert.deepEqual(f('status = "failed" and exitCode = 2'), ["e"]);
    assert.deepEqual(f('name contains "run c"'), ["c"]);
    assert.deepEqual(f('summary.accuracy>0.9 AND NOT config.model="vader"'), ["a"], "keywords in any case");
    // With the other filters.
    assert.deepEqual(ids(listRuns({ dir, group: "g2", sort: "id" })), ["c", "d"]);
    assert.deepEqual(ids(listRuns({ dir, tags: ["x", "y"] })), ["b"]);
    assert.deepEqual(ids(listRuns({ dir, status: "finished", filter: 'tags contains "y"', sort: "id" })), [
      "b",
      "d",
    ]);
    return Promise.resolve();
  }));

Deno.test("listRuns sort: [-]KEY on summary, config or run fields, missing values last; limit", () =>
  withRuns((dir) => {
    assert.deepEqual(ids(listRuns({ dir, sort: "-summary.accuracy" })), ["a", "e", "c", "b", "d"]);
    assert.deepEqual(ids(listRuns({ dir, sort: "summary.accuracy" })), ["b", "c", "e", "a", "d"]);
    assert.deepEqual(ids(listRuns({ dir, sort: "-summary.accuracy", limit: 2 })), ["a", "e"]);
    assert.deepEqual(ids(listRuns({ dir, sort: "-name" })), ["e", "d", "c", "b", "a"]);
    assert.deepEqual(ids(listRuns({ dir })), ["e", "d", "c", "b", "a"], "default: newest first");
    assert.throws(() => listRuns({ dir, sort: "colour" }), /Cannot sort by 'colour'/);
    return Promise.resolve();
  }));

Deno.test("an invalid filter is an error that shows where it failed", () =>
  withRuns((dir) => {
    const cases: [string, RegExp][] = [
      [
        "summary.accuracy >> 0.9",
        /character 19: expected a value.*got '>'\n {2}summary.accuracy >> 0.9\n {20}\^/s,
      ],
      ['config.model = "default', /character 16: the text starting here has no closing "/],
      ["colour = 1", /character 1: unknown field 'colour'/],
      ["summary.accuracy > 0.9 or", /character 26: expected a field.*got the end/],
      ['tags = "x"', /tags only supports contains/],
      ["(summary.accuracy > 0.9", /expected '\)', got the end/],
      ["summary.accuracy > 0.9 garbage", /character 24: expected 'and', 'or' or the end, got 'garbage'/],
      ["", /the filter is empty/],
    ];
    for (const [filter, want] of cases) assert.throws(() => listRuns({ dir, filter }), want, filter);
    return Promise.resolve();
  }));

Deno.test("compareRuns: config differences, summaries side by side, artifacts used and produced", () =>
  withRuns((dir) => {
    const c = compareRuns(["a", "b", "d"], { dir });
    assert.deepEqual(c.runs.map((r) => r.id), ["a", "b", "d"]);
    assert.deepEqual(c.config.map((k) => [k.key, k.same]), [["model", false], ["opts", false]]);
    assert.deepEqual(c.config[0].values, ["default", "lexicon", "default"]);
    assert.deepEqual(c.summary.find((k) => k.key === "accuracy")!.values, [0.95, 0.7, null]);
    assert.deepEqual(c.artifacts, [
      { used: [], produced: ["data:v0"] },
      { used: ["data:v0"], produced: [] },
      { used: [], produced: [] },
    ]);
    assert.throws(() => compareRuns(["a"], { dir }), /two or more run ids/);
    assert.throws(() => compareRuns(["a", "zz"], { dir }), /no run 'zz'/);
    return Promise.resolve();
  }));

Deno.test("deno task runs --filter --sort --limit --json, runs compare, and a bad filter exits 1", () =>
  withRuns(async (dir) => {
    const env = { HOME: dir };
    const listed = await runTask("tasks/runs.ts", [
      "--dir",
      dir,
      "--filter",
      'config.model = "default" and summary.accuracy > 0.5',
      "--sort",
      "-summary.accuracy",
      "--limit",
      "5",
      "--json",
    ], env);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(JSON.parse(listed.stdout).map((r: { id: string }) => r.id), ["a", "c"]);
    const text = await runTask("tasks/runs.ts", ["--dir", dir, "--tags", "x", "--sort", "name"], env);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^ID .*\n-+.*\na +run a .*\nb +run b /);
    const bad = await runTask("tasks/runs.ts", ["--dir", dir, "--filter", "summary.accuracy >> 1"], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /error: Invalid filter at character 19.*\n {2}summary\.accuracy >> 1\n {20}\^/);
    const compared = await runTask("tasks/runs.ts", ["compare", "a", "b", "--dir", dir, "--json"], env);
    assert.equal(compared.code, 0, compared.stderr);
    assert.deepEqual(JSON.parse(compared.stdout).config.map((k: { key: string }) => k.key), [
      "model",
      "opts",
    ]);
    const shown = await runTask("tasks/runs.ts", ["compare", "a", "b", "--dir", dir], env);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /Config: 2 differences/);
    assert.match(shown.stdout, /model +"default" +"lexicon"/);
    assert.match(shown.stdout, /produced +data:v0 +-/);
    const one = await runTask("tasks/runs.ts", ["compare", "a", "--dir", dir], env);
    assert.equal(one.code, 1);
    assert.match(one.stderr, /two or more run ids/);
  }));
