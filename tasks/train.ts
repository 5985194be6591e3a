/**
 * `deno task train`: train sentilab's classifier and write a model folder.
 *
 *   deno task train --train FILE --val FILE --out models/NAME [--test FILE]... [--seed N] [--wandb]
 *   deno task train --recipe config/train_default.yaml --out models/default [--data-dir DIR] [--wandb]
 * @module
 */
import { readTrainRecipe } from "../lib/training/read_train_recipe.ts";
import type { TrainClassifierOptions } from "../lib/training/types.ts";
import { trainTracked, type TrainTrackedResult } from "../lib/training/train_tracked.ts";
import { basename } from "node:path";
import { finishRun } from "../lib/tracking/mod.ts";
import {
  closingLines,
  fail,
  integerFlag,
  parseTask,
  table,
  TRACKING_FLAGS,
  trackingOptions,
} from "./_cli.ts";

const flags = parseTask({
  name: "train",
  usage: [
    "--train FILE --val FILE --out models/NAME [--test FILE]... [options]",
    "--recipe config/train_default.yaml --out models/default [--data-dir DIR] [options]",
  ],
  about: "Trains sentilab's classifier (a hyperparameter grid, chosen on --val), exports ONNX, writes a " +
    "model folder with its card and tracks the run.",
  flags: {
    train: {
      type: "string",
      arg: "FILE",
      multiple: true,
      help: 'labelled JSONL for training ({"text", "label"} a line); repeatable',
    },
    val: {
      type: "string",
      arg: "FILE",
      multiple: true,
      help: "labelled JSONL for choosing hyperparameters; repeatable",
    },
    test: {
      type: "string",
      arg: "FILE",
      multiple: true,
      help: "labelled JSONL measured in the model card; repeatable",
    },
    recipe: {
      type: "string",
      arg: "FILE",
      help: "YAML recipe with many files, weights and slices (see config/train_default.yaml)",
    },
    "data-dir": {
      type: "string",
      arg: "DIR",
      help: "data folder of the recipe (default: the recipe's dataDir)",
    },
    out: {
      type: "string",
      arg: "DIR",
      help: "model folder to write (required); an existing model folder or empty folder is replaced " +
        "atomically, anything else only with --force",
    },
    force: {
      type: "boolean",
      help: "replace --out even if it is a file or holds other files (deletes them)",
    },
    seed: { type: "string", arg: "N", help: "shuffling seed (default: 13, or the recipe's)" },
    "max-epochs": { type: "string", arg: "N", help: "most epochs per configuration" },
    quiet: { type: "boolean", help: "no progress bars or log lines" },
    json: { type: "boolean", help: "print the result as one JSON object" },
    ...TRACKING_FLAGS,
  },
}).values;
const help = "`deno task train --help` lists the options";
if (!flags.out) fail(`--out is required: the model folder to write, e.g. --out models/mine; ${help}`);
const tracking = trackingOptions(flags);
const seed = integerFlag("seed", flags.seed, Number.MIN_SAFE_INTEGER);
const maxEpochs = integerFlag("max-epochs", flags["max-epochs"], 1);

let options: TrainClassifierOptions;
try {
  if (flags.recipe) {
    if (flags.train.length || flags.val.length) fail("use either --recipe or --train/--val, not both");
    const recipe = await readTrainRecipe(flags.recipe, { dataDir: flags["data-dir"] });
    options = { ...recipe, out: flags.out, force: flags.force };
  } else {
    if (!flags.train?.length || !flags.val?.length) {
      fail(`--train and --val are required (or --recipe); ${help}`);
    }
    options = {
      train: sources("train", flags.train),
      val: sources("val", flags.val),
      test: sources("test", flags.test),
      out: flags.out,
      force: flags.force,
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

/**
 * Source names from file names: the role first (`val_imdb` for imdb.jsonl), but never doubled (`val` for
 * val.jsonl, `sst2_test` for sst2_test.jsonl, not `val_val` or `test_sst2_test`), and unique.
 */
function sources(role: string, paths: string[]): { name: string; path: string }[] {
  const seen = new Set<string>();
  return paths.map((path) => {
    const stem = basename(path).replace(/\.jsonl?$/i, "");
    const named = new RegExp(`(^|[_.-])${role}($|[_.-])`, "i").test(stem);
    let name = named ? stem : `${role}_${stem}`;
    for (let i = 2; seen.has(name); i++) name = `${named ? stem : `${role}_${stem}`}_${i}`;
    seen.add(name);
    return { name, path };
  });
}

// trainTracked starts the run only once every data file is read and checked, so bad input exits 1 with
// nothing tracked; the grid trials are child runs in its group.
let trained: TrainTrackedResult;
try {
  trained = await trainTracked({ ...options, tracking, finish: false });
} catch (e) {
  fail((e as Error).message);
}
const { run, modelRef } = trained;

// The result is printed before the run ends, so the run's output keeps it too.
if (flags.json) {
  console.log(JSON.stringify({
    dir: trained.dir,
    metrics: trained.metrics,
    card: trained.card,
    run: { id: run.id, backend: run.backend, storeDir: run.storeDir, model: modelRef },
  }));
} else {
  console.log(`model written to ${trained.dir}`);
  console.log(table(
    ["source", "rows", "accuracy", "macro-recall", "macro-F1", "scored as"],
    Object.entries(trained.metrics).map(([name, m]) => [
      name,
      String(m.n),
      m.accuracy.toFixed(4),
      m.macro_recall.toFixed(4),
      m.macro_f1.toFixed(4),
      m.mode,
    ]),
  ));
  const name = modelRef?.split(":")[0];
  console.log(
    "\n" + closingLines(run, [
      `model artifact: ${modelRef ?? "- (not stored)"}`,
      name
        ? `use the model: deno task evaluate --model ${name}:latest   (or --model ${trained.dir})`
        : `use the model: deno task evaluate --model ${trained.dir}`,
    ]).join("\n"),
  );
}
await finishRun(run);
