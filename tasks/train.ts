/**
 * `deno task train`: train sentilab's classifier and write a model folder.
 *
 *   deno task train --train FILE --val FILE --out models/NAME [--test FILE]... [--seed N] [--wandb]
 *   deno task train --recipe config/train_default.yaml --out models/default [--data-dir DIR] [--wandb]
 * @module
 */
import { readTrainRecipe } from "../lib/training/read_train_recipe.ts";
import { trainClassifier, type TrainClassifierOptions } from "../lib/training/train_classifier.ts";
import { basename, dirname } from "node:path";
import {
  finishRun,
  initRun,
  logDatasetArtifact,
  logMetrics,
  logModelArtifact,
  type Run,
  safeArtifactName,
  setSummary,
  type TrackerKind,
} from "../lib/tracking/mod.ts";
import { fail, parseFlags, TRACKERS } from "./_cli.ts";

const USAGE = `Usage:
  deno task train --train FILE --val FILE --out models/NAME [--test FILE]... [--seed N] [--wandb]
  deno task train --recipe config/train_default.yaml --out models/default [--data-dir DIR] [--wandb]

Options:
  --train FILE      labelled JSONL for training ({"text", "label"} a line); repeatable
  --val FILE        labelled JSONL for choosing hyperparameters; repeatable
  --test FILE       labelled JSONL measured in the model card; repeatable
  --recipe FILE     YAML recipe with many files, weights and slices (see config/train_default.yaml)
  --data-dir DIR    data folder of the recipe (default: the recipe's dataDir)
  --out DIR         model folder to write (replaced atomically)
  --seed N          shuffling seed (default 13, or the recipe's)
  --max-epochs N    most epochs per configuration
  --wandb           also track the run in Weights & Biases
  --tracker KIND    tracker backend (auto, local, console, disabled, wandb; default auto)
  --project NAME    tracking project
  --name NAME       run name
  --quiet           no progress bars or log lines
  --json            print the result as one JSON object`;

const flags = parseFlags({
  args: Deno.args,
  options: {
    train: { type: "string", multiple: true },
    val: { type: "string", multiple: true },
    test: { type: "string", multiple: true },
    recipe: { type: "string" },
    "data-dir": { type: "string" },
    out: { type: "string" },
    seed: { type: "string" },
    "max-epochs": { type: "string" },
    wandb: { type: "boolean", default: false },
    tracker: { type: "string" },
    project: { type: "string" },
    name: { type: "string" },
    quiet: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
}, USAGE).values;
if (!flags.out) fail(`--out is required\n${USAGE}`);
const seed = flags.seed === undefined ? undefined : Number(flags.seed);
if (seed !== undefined && !Number.isInteger(seed)) fail(`--seed must be an integer, got '${flags.seed}'`);
const maxEpochs = flags["max-epochs"] === undefined ? undefined : Number(flags["max-epochs"]);
if (maxEpochs !== undefined && !(Number.isInteger(maxEpochs) && maxEpochs > 0)) {
  fail(`--max-epochs must be a positive integer, got '${flags["max-epochs"]}'`);
}

let options: TrainClassifierOptions;
try {
  if (flags.recipe) {
    if (flags.train || flags.val) fail("use either --recipe or --train/--val, not both");
    const recipe = await readTrainRecipe(flags.recipe, { dataDir: flags["data-dir"] });
    options = { ...recipe, out: flags.out };
  } else {
    if (!flags.train?.length || !flags.val?.length) {
      fail(`--train and --val are required (or --recipe)\n${USAGE}`);
    }
    const name = (p: string) => basename(p).replace(/\.jsonl?$/i, "");
    options = {
      train: flags.train.map((p) => ({ name: `train_${name(p)}`, path: p })),
      val: flags.val.map((p) => ({ name: `val_${name(p)}`, path: p })),
      test: (flags.test ?? []).map((p) => ({ name: `test_${name(p)}`, path: p })),
      out: flags.out,
    };
  }
} catch (e) {
  fail((e as Error).message);
}
if (seed !== undefined) options.seed = seed;
if (maxEpochs !== undefined) options.search = { ...options.search, maxEpochs };
options.progress = !flags.quiet && Deno.stderr.isTerminal();
options.log = flags.quiet ? undefined : (line) => console.error(line);

for (const s of [...options.train, ...options.val, ...(options.test ?? [])]) {
  try {
    await Deno.stat(s.path);
  } catch {
    fail(`Training data file not found: ${s.path}. Pass an existing JSONL file.`);
  }
}

if (flags.tracker !== undefined && !TRACKERS.includes(flags.tracker)) {
  fail(`--tracker must be one of ${TRACKERS.join(", ")}, got '${flags.tracker}'`);
}
const tracker = (flags.wandb ? "wandb" : flags.tracker ?? "auto") as TrackerKind;
// The run starts only once trainClassifier has read and checked every data file, so bad input exits 1
// with nothing tracked.
let run: Run | undefined;
let result;
try {
  result = await trainClassifier({
    ...options,
    onDataReady: async () => {
      run = await initRun({
        jobType: "train",
        tracker,
        project: flags.project,
        name: flags.name,
        config: {
          out: options.out,
          recipe: options.recipe ?? null,
          seed: options.seed ?? 13,
          features: options.features ?? {},
          search: options.search ?? {},
          train: options.train,
          val: options.val,
          test: options.test ?? [],
        },
      });

      // every data file is an input of the run (once, even when several sources slice it)
      const roles = new Map<string, string[]>();
      for (
        const [role, list] of [["train", options.train], ["val", options.val], [
          "test",
          options.test ?? [],
        ]] as const
      ) {
        for (const s of list) roles.set(s.path, [...(roles.get(s.path) ?? []), `${role}:${s.name}`]);
      }
      for (const [path, used] of roles) {
        await logDatasetArtifact(run, path, {
          name: safeArtifactName(`${basename(dirname(path))}-${basename(path)}`, "dataset"),
          use: true,
          metadata: { path, sources: used },
        });
      }
    },
    onMetrics: async (values, step) => {
      if (run) await logMetrics(run, values, { step });
    },
  });
} catch (e) {
  if (run) await finishRun(run, { exitCode: 1 });
  fail((e as Error).message);
}
if (!run) fail("training ended before its data was checked");
const summary: Record<string, number> = {};
for (const [name, m] of Object.entries(result.metrics)) {
  summary[`${name}/accuracy`] = m.accuracy;
  summary[`${name}/macro_recall`] = m.macro_recall;
  summary[`${name}/macro_f1`] = m.macro_f1;
}
await setSummary(run, summary);
const modelVersion = await logModelArtifact(run, result.dir, {
  name: safeArtifactName(basename(result.dir), "model"),
  description: String(result.card.description ?? ""),
  metadata: { hyperparameters: result.card.hyperparameters, metrics: summary, seed: result.card.seed },
});
await finishRun(run);

if (flags.json) {
  console.log(JSON.stringify({
    dir: result.dir,
    metrics: result.metrics,
    card: result.card,
    run: { id: run.id, backend: run.backend, storeDir: run.storeDir, model: modelVersion?.ref ?? null },
  }));
} else {
  console.log(`model written to ${result.dir}`);
  if (run.storeDir) {
    console.log(
      `run ${run.id} (${run.backend}) stored in ${run.storeDir}; model artifact ${modelVersion?.ref ?? "-"}`,
    );
  }
  console.log("source                              rows  accuracy  macro-recall  macro-F1  scored as");
  for (const [name, m] of Object.entries(result.metrics)) {
    console.log(
      `${name.padEnd(34)} ${String(m.n).padStart(6)}  ${m.accuracy.toFixed(4)}    ${
        m.macro_recall.toFixed(4)
      }` +
        `        ${m.macro_f1.toFixed(4)}    ${m.mode}`,
    );
  }
}
