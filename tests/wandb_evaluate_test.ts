/**
 * `deno task evaluate --wandb` end to end against the loopback W&B emulator: the run with its config, job
 * type, group, tags and notes, history, summary, the prediction and confusion tables in W&B's shape, the dataset and model
 * artifacts with versions and aliases, and the lineage edges -- all compared with the local store, which
 * stays the source of truth. Then W&B down at the start of a second evaluation, and `deno task sync`.
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { getHistory, getRun, getTableRows } from "../lib/tracking/mod.ts";
import { type Emulator, startEmulator } from "./wandb_emulator.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const KEY = "e".repeat(40);
/** Group, tags and notes given to each evaluation. */
const DESCRIBED = ["--group", "g", "--tags", "a,b", "--notes", "n"];
const MODEL = (() => {
  try {
    return Deno.statSync(`${ROOT}/models/default/model.onnx`).isFile ? "default" : "lexicon";
  } catch {
    return "lexicon";
  }
})();

async function task(emu: Emulator, store: string, file: string, args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", file, ...args],
    cwd: ROOT,
    env: {
      NO_COLOR: "1",
      RUST_BACKTRACE: "0",
      SENTILAB_DIR: store,
      WANDB_BASE_URL: emu.url,
      WANDB_API_KEY: KEY,
      SENTILAB_WANDB_INTERVAL_MS: "50",
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** The emulator holds exactly what the store holds for the run. */
function assertOnWandb(emu: Emulator, store: string, id: string, project: string): void {
  const s = emu.state();
  const remote = s.runs[`emu-user/${project}/${id}`];
  assert.ok(remote, `run ${id} on W&B`);
  const local = getRun(id, { dir: store })!;
  assert.deepEqual(remote.config, local.config);
  assert.equal(remote.jobType, "evaluate");
  // The values given on the command line, through the store, to W&B (npm:@wandb/sdk drops these).
  assert.equal(local.group, "g");
  assert.deepEqual(local.tags, ["a", "b"]);
  assert.equal(local.notes, "n");
  assert.equal(remote.group, "g");
  assert.deepEqual(remote.tags, ["a", "b"]);
  assert.equal(remote.notes, "n");
  assert.equal(remote.displayName, local.name);
  assert.equal(remote.commit, local.gitCommit, "the git commit, as the SDK sends it");
  assert.equal(remote.complete, true);
  assert.equal(remote.exitcode, 0);
  // History: the metric rows, then one line per table, each once.
  const history = getHistory(id, { dir: store });
  const keys = local.tables.map((t) => t.key).sort();
  assert.deepEqual(keys, ["confidence_histogram", "confusion_matrix", "predictions"]);
  // A table replayed while the metrics row of its step was not sent yet goes into that row's line.
  const isMetricLine = (l: Record<string, unknown>) =>
    Object.keys(l).some((k) => !k.startsWith("_") && !keys.includes(k));
  const tableOnly = remote.history.filter((l) => !isMetricLine(l!));
  const inRows = remote.history.filter((l) => isMetricLine(l!)).flatMap((l) => keys.filter((k) => k in l!));
  assert.deepEqual(
    [...tableOnly.flatMap((l) => keys.filter((k) => k in l!)), ...inRows].sort(),
    keys,
    "each table once",
  );
  assert.equal(remote.history.length, history.length + tableOnly.length);
  assert.ok(remote.historyWrites.every((n) => n === 1), "no line sent twice");
  const metrics = remote.history.filter((l) => isMetricLine(l!));
  assert.deepEqual(metrics.map((l) => l!.accuracy), history.map((h) => h.values.accuracy));
  // Summary: what the store says, plus a table-file value per table not set explicitly.
  for (const [k, v] of Object.entries(local.summary)) assert.deepEqual(remote.summary[k], v, `summary.${k}`);
  const predictions = remote.summary.predictions as Record<string, unknown>;
  assert.equal(predictions._type, "table-file");
  const file = JSON.parse(remote.files[String(predictions.path)].text);
  const rows = getTableRows(id, "predictions", { dir: store, limit: 1_000_000 })!;
  assert.deepEqual(file.columns, rows.columns);
  assert.deepEqual(file.data, rows.rows);
  assert.ok(remote.files["config.yaml"] && remote.files["wandb-metadata.json"]);
  // Artifacts: the inputs used by the run (same digests as the store), tables as run_table outputs.
  const used = local.used.map((v) => {
    const versions = Object.values(s.artifacts).filter((a) =>
      a.collection === v.name && a.state === "COMMITTED"
    );
    assert.equal(versions.length, 1, `${v.name}: one version`);
    const a = versions[0];
    assert.equal(a.type, v.type);
    assert.equal(a.digest, v.digest);
    assert.equal(`${a.collection}:v${a.versionIndex}`, v.ref);
    assert.ok(a.aliases.includes("latest"));
    assert.ok(a.usedBy.includes(`emu-user/${project}/${id}`));
    return a.id;
  });
  assert.deepEqual(local.used.map((v) => v.type).sort(), ["dataset", "model"]);
  assert.deepEqual(remote.inputs.sort(), used.sort(), "lineage: dataset and model -> run");
  for (const key of keys) {
    const t = Object.values(s.artifacts).filter((a) =>
      a.collection === `run-${id}-${key}` && a.state === "COMMITTED"
    );
    assert.equal(t.length, 1);
    assert.equal(t[0].type, "run_table");
    assert.ok(remote.outputs.includes(t[0].id), "lineage: run -> table");
  }
}

Deno.test("deno task evaluate --wandb: the run, tables, artifacts and lineage on W&B; W&B down then sync", async () => {
  const emu = await startEmulator({ apiKey: KEY, loud: false });
  const dir = await Deno.makeTempDir({ prefix: "sentilab_wandb_eval_" });
  const store = `${dir}/store`;
  try {
    const first = await task(emu, store, "tasks/evaluate.ts", [
      "--wandb",
      "--model",
      MODEL,
      "--limit",
      "40",
      "--project",
      "sentiment",
      ...DESCRIBED,
      "--json",
    ]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stderr, "");
    const out = JSON.parse(first.stdout);
    assert.equal(out.run.backend, "wandb");
    assertOnWandb(emu, store, out.run.id, "sentiment");

    // W&B down for the second evaluation: one warning, everything local, then sync.
    await emu.down();
    const second = await task(emu, store, "tasks/evaluate.ts", [
      "--wandb",
      "--model",
      "lexicon",
      "--limit",
      "40",
      "--project",
      "sentiment",
      ...DESCRIBED,
      "--json",
    ]);
    assert.equal(second.code, 0, second.stderr);
    const id2 = JSON.parse(second.stdout).run.id;
    assert.equal(second.stderr.split("\n").filter((l) => /W&B/.test(l)).length, 1, second.stderr);
    await emu.up();
    const sync = await task(emu, store, "tasks/sync.ts", ["--all"]);
    assert.equal(sync.code, 0, sync.stderr + sync.stdout);
    assert.match(sync.stdout, new RegExp(`${out.run.id}  up to date`));
    assert.match(sync.stdout, new RegExp(`${id2}  sent: run metadata, run files, \\d+ history row`));
    assertOnWandb(emu, store, id2, "sentiment");
    // The shared dataset version is one version on W&B, used by both runs.
    const data = Object.values(emu.state().artifacts).filter((a) => a.type === "dataset");
    assert.equal(data.length, 1);
    assert.deepEqual(
      data[0].usedBy.sort(),
      [`emu-user/sentiment/${out.run.id}`, `emu-user/sentiment/${id2}`].sort(),
    );

    const before = emu.state().counts;
    const again = await task(emu, store, "tasks/sync.ts", ["--json"]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(JSON.parse(again.stdout).runs.map((r: { outcome: string }) => r.outcome), [
      "up-to-date",
      "up-to-date",
    ]);
    const after = emu.state().counts;
    for (const op of Object.keys(after)) {
      assert.equal(after[op] - (before[op] ?? 0), op === "Viewer" ? 1 : 0, `${op} after a second sync`);
    }
  } finally {
    await emu.close();
    await Deno.remove(dir, { recursive: true });
  }
});
