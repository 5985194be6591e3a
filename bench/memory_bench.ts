/**
 * `deno task bench:memory [--sizes 100000,1000000[,10000000]]`: peak RSS of `deno task evaluate` on
 * generated corpora of growing size, against the in-memory evaluation it replaced (readDataset +
 * predictBatch + logPredictions + evaluate, as tasks/evaluate.ts did before streaming), in one run. Each
 * evaluation is a child process (default model, worker threads on every core, local store in a temp
 * folder); its peak RSS is the kernel's high-water mark (VmHWM in /proc/PID/status, which counts the
 * worker threads too), read until the process ends. Target: <= 600 MB at every size.
 * The in-memory baseline runs up to `--baseline-max` texts (default 1,000,000; beyond, it only grows).
 *
 * A second table: peak RSS of `deno task sync` of a finished local run holding a `--sync-rows`-row
 * prediction table (default 1,000,000; 0 skips it) to the W&B emulator (tests/wandb_emulator.ts, on
 * loopback, in this process), against the table upload as it was before streaming (every row read into
 * one array, the `.table.json` built as one string and one buffer, then the same artifact save and run
 * file upload), in one run. Target: <= 600 MB.
 * @module
 */
import { parseArgs } from "node:util";
import { startEmulator } from "../tests/wandb_emulator.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const { values } = parseArgs({
  args: Deno.args,
  options: {
    sizes: { type: "string", default: "100000,1000000" },
    "baseline-max": { type: "string", default: "1000000" },
    "sync-rows": { type: "string", default: "1000000" },
  },
});
const sizes = values.sizes!.split(",").filter(Boolean).map(Number);
const syncRows = Number(values["sync-rows"]);
const baselineMax = Number(values["baseline-max"]);
const TARGET_MB = 600;
const DENO_DIR: string = Deno.env.get("DENO_DIR") ??
  JSON.parse(
    new TextDecoder().decode(
      new Deno.Command(Deno.execPath(), { args: ["info", "--json"] }).outputSync().stdout,
    ),
  ).denoDir;
// Exactly what `deno task evaluate` runs (deno.json), without the `deno task` parent process.
const SYNC: string[] = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)).tasks.sync.split(" ").slice(1);
const EVALUATE: string[] = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)).tasks.evaluate.split(" ")
  .slice(1);

/** Writes a generated 3-class JSONL corpus of `n` lines (deterministic) and returns its path. */
async function corpus(dir: string, n: number): Promise<string> {
  const sample = (await Deno.readTextFile(`${ROOT}data/sample.jsonl`)).trim().split("\n").map((l) =>
    JSON.parse(l)
  );
  const path = `${dir}/corpus-${n}.jsonl`;
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const enc = new TextEncoder();
  let seed = 7;
  const rnd = (k: number) => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % k;
  let buf: string[] = [];
  for (let i = 0; i < n; i++) {
    const s = sample[rnd(sample.length)];
    buf.push(JSON.stringify({ text: `${s.text} #${rnd(100_000)}`, label: s.label }));
    if (buf.length === 10_000) {
      await file.write(enc.encode(buf.join("\n") + "\n"));
      buf = [];
    }
  }
  if (buf.length) await file.write(enc.encode(buf.join("\n") + "\n"));
  file.close();
  return path;
}

/** Runs a child to completion, sampling its peak RSS; returns MB and seconds. */
async function peak(args: string[], env: Record<string, string>): Promise<{ mb: number; seconds: number }> {
  const t0 = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env,
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let hwm = 0;
  const timer = setInterval(async () => {
    try {
      const status = await Deno.readTextFile(`/proc/${child.pid}/status`);
      const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
      if (kb > hwm) hwm = kb;
    } catch { /* ended */ }
  }, 50);
  const out = await child.output();
  clearInterval(timer);
  if (out.code !== 0) throw new Error(`${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  return { mb: hwm / 1024, seconds: (performance.now() - t0) / 1000 };
}

const dir = await Deno.makeTempDir({ prefix: "sentilab-bench-memory-" });
const baseline = `${dir}/in_memory_evaluate.ts`;
// The evaluation before streaming, with the public APIs it used (all texts, predictions and rows in memory).
await Deno.writeTextFile(
  baseline,
  `import { readDataset, logDataset } from "${ROOT}lib/data/mod.ts";
import { loadModel, logModel } from "${ROOT}lib/models/mod.ts";
import { batchStatistics, logPredictions, predictBatch } from "${ROOT}lib/inference/mod.ts";
import { evaluate, logEvaluation } from "${ROOT}lib/evaluation/mod.ts";
import { finishRun, initRun } from "${ROOT}lib/tracking/mod.ts";
const data = await readDataset(Deno.args[0]);
const model = await loadModel("default");
const run = await initRun({ tracker: "local" });
await logDataset(run, data);
await logModel(run, model);
const predictions = await predictBatch(model, data.texts);
const result = evaluate(predictions, data.labels);
await logPredictions(run, predictions, { gold: data.labels });
await logEvaluation(run, result, { statistics: batchStatistics(predictions) });
await finishRun(run);
await model.close();
`,
);
const rows: string[][] = [];
let syncRow: string[] | null = null;
try {
  for (const n of sizes) {
    const data = await corpus(dir, n);
    const env = {
      NO_COLOR: "1",
      SENTILAB_DIR: `${dir}/store-${n}`,
      HOME: dir,
      PATH: Deno.env.get("PATH") ?? "",
      DENO_DIR, // the compiled code and npm packages already cached, as for a user
    };
    const streaming = await peak(
      [...EVALUATE, "--data", data, "--tracker", "local"],
      env,
    );
    console.error(
      `  ${n}: streaming evaluate ${streaming.mb.toFixed(0)} MB in ${streaming.seconds.toFixed(0)} s`,
    );
    let before: { mb: number; seconds: number } | null = null;
    if (n <= baselineMax) {
      before = await peak(["run", "-A", baseline, data], { ...env, SENTILAB_DIR: `${dir}/base-${n}` });
      console.error(
        `  ${n}: in-memory evaluate ${before.mb.toFixed(0)} MB in ${before.seconds.toFixed(0)} s`,
      );
    }
    rows.push([
      n.toLocaleString("en-US"),
      `${streaming.mb.toFixed(0)} MB`,
      `${(n / streaming.seconds).toFixed(0)}`,
      before ? `${before.mb.toFixed(0)} MB` : "(not run)",
      before ? `${(n / before.seconds).toFixed(0)}` : "",
      streaming.mb <= TARGET_MB ? "met" : "MISSED",
    ]);
    await Deno.remove(data);
    await Deno.remove(`${dir}/store-${n}`, { recursive: true }).catch(() => {});
    await Deno.remove(`${dir}/base-${n}`, { recursive: true }).catch(() => {});
  }
  if (syncRows > 0) syncRow = await syncBench(syncRows);
} finally {
  await Deno.remove(dir, { recursive: true });
}

/** Peak RSS of `deno task sync` of a run with an n-row table, and of the table upload as before. */
async function syncBench(n: number): Promise<string[]> {
  const KEY = "b".repeat(40);
  const store = `${dir}/sync-store`;
  const setup = `${dir}/sync_setup.ts`;
  // A finished local run with an n-row prediction table, written in chunks (as evaluate logs it).
  await Deno.writeTextFile(
    setup,
    `import { finishRun, initRun, openTable } from "${ROOT}lib/tracking/mod.ts";
const run = await initRun({ dir: Deno.args[0], tracker: "local", project: "bench", captureConsole: false });
const t = openTable(run, "predictions", ["text", "label", "confidence", "gold"]);
const labels = ["negative", "neutral", "positive"];
for (let i = 0; i < ${n}; i += 10000) {
  const rows = [];
  for (let j = i; j < Math.min(${n}, i + 10000); j++) {
    rows.push([\`generated text number \${j} with a few more words #\${j % 977}\`, labels[j % 3], (j % 1000) / 1000, labels[(j * 7) % 3]]);
  }
  await t.append(rows);
}
await t.close();
await finishRun(run);
console.log(run.id);
`,
  );
  const made = new Deno.Command(Deno.execPath(), { args: ["run", "-A", setup, store], cwd: ROOT })
    .outputSync();
  if (made.code !== 0) throw new Error(new TextDecoder().decode(made.stderr));
  const runId = new TextDecoder().decode(made.stdout).trim().split("\n").pop()!;
  // The table upload before streaming (lib/tracking/wandb/log_wandb_table.ts as it was): all rows in one
  // array, the file as one string and one buffer, uploaded from memory.
  const before = `${dir}/sync_before.ts`;
  await Deno.writeTextFile(
    before,
    `import { createHash } from "node:crypto";
import { getTableRows } from "${ROOT}lib/tracking/mod.ts";
import { connectWandb, saveWandbArtifact, upsertWandbRun, uploadWandbRunFiles } from "${ROOT}lib/tracking/wandb/mod.ts";
const [dir, runId] = Deno.args;
const rows = [];
for (let offset = 0;; offset += 10000) {
  const page = getTableRows(runId, "predictions", { dir, offset, limit: 10000 });
  if (!page || page.rows.length === 0) break;
  for (const r of page.rows) rows.push(r);
}
const columns = ["text", "label", "confidence", "gold"];
const bytes = new TextEncoder().encode(JSON.stringify({ _type: "table", columns, data: rows, ncols: 4, nrows: rows.length, column_types: { wb_type: "typedDict", params: { type_map: Object.fromEntries(columns.map((c, j) => [c, { wb_type: [...new Set(rows.map((r) => typeof r[j]))].sort()[0] }])) } }, log_mode: "IMMUTABLE" }));
const sha = createHash("sha256").update(bytes).digest("hex");
const { client, entity } = await connectWandb();
const run = await upsertWandbRun(client, { id: runId + "b", entity, project: "bench-before" });
await saveWandbArtifact(client, run, { name: "run-" + run.id + "-predictions", type: "run_table", files: [{ name: "predictions.table.json", data: bytes }] });
await uploadWandbRunFiles(client, run, [{ name: "media/table/predictions_0_" + sha.slice(0, 20) + ".table.json", data: bytes }]);
`,
  );
  const emu = await startEmulator({ apiKey: KEY, loud: false });
  try {
    const env = {
      NO_COLOR: "1",
      HOME: dir,
      PATH: Deno.env.get("PATH") ?? "",
      DENO_DIR,
      WANDB_BASE_URL: emu.url,
      WANDB_API_KEY: KEY,
    };
    const streaming = await peak([...SYNC, runId, "--dir", store], env);
    console.error(`  sync of ${n} rows: ${streaming.mb.toFixed(0)} MB in ${streaming.seconds.toFixed(0)} s`);
    const table = Object.values(emu.state().runs).flatMap((r) => Object.keys(r.files)).filter((f) =>
      f.startsWith("media/table/")
    );
    if (table.length !== 1) throw new Error(`sync uploaded ${table.length} table files, expected 1`);
    const old = await peak(["run", "-A", before, store, runId], env);
    console.error(`  table upload as before: ${old.mb.toFixed(0)} MB in ${old.seconds.toFixed(0)} s`);
    return [
      n.toLocaleString("en-US"),
      `${streaming.mb.toFixed(0)} MB`,
      `${streaming.seconds.toFixed(1)} s`,
      `${old.mb.toFixed(0)} MB`,
      `${old.seconds.toFixed(1)} s`,
      streaming.mb <= TARGET_MB ? "met" : "MISSED",
    ];
  } finally {
    await emu.close();
  }
}

const header = [
  "texts",
  "deno task evaluate (streaming): peak RSS",
  "texts/s (whole task)",
  "in-memory evaluate (before): peak RSS",
  "texts/s",
  `<= ${TARGET_MB} MB`,
];
console.log(
  `\n## Memory of deno task evaluate on generated corpora, ${new Date().toISOString().slice(0, 10)}\n`,
);
console.log(`| ${header.join(" | ")} |`);
console.log(`|${header.map(() => "---").join("|")}|`);
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
const load = (await Deno.readTextFile("/proc/loadavg").catch(() => "? ? ?")).split(" ").slice(0, 3).join(" ");
console.log(
  `\nMachine: ${navigator.hardwareConcurrency} cores; load average ${load} (shared: times are noisy).`,
);
if (syncRow) {
  const h = [
    "table rows",
    "deno task sync (streaming): peak RSS",
    "time",
    "table upload as before (in memory): peak RSS",
    "time",
    `<= ${TARGET_MB} MB`,
  ];
  console.log(`\n## Memory of deno task sync of a run with a prediction table (W&B emulator on loopback)\n`);
  console.log(`| ${h.join(" | ")} |`);
  console.log(`|${h.map(() => "---").join("|")}|`);
  console.log(`| ${syncRow.join(" | ")} |`);
}
