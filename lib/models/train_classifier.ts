/**
 * Trains sentilab's sparse linear classifier in TypeScript, chooses hyperparameters on validation data,
 * exports it to ONNX and writes the model folder (atomically) with its model card.
 * @module
 */
import { join, resolve } from "node:path";
import cliProgress from "npm:cli-progress@3.12.0";
import process from "node:process";
import {
  createFeaturizer,
  defaultFeatureSpec,
  type FeatureSpec,
  type LexiconTable,
  numFeaturesOf,
  type SentimentMarkers,
  validateFeatureSpec,
} from "./_features.ts";
import { buildLinearOnnx } from "./_onnx_export.ts";
import { loadOnnxModel } from "./onnx_model.ts";
import { LABELS } from "./types.ts";
import { defaultLexicons, defaultMarkers } from "./train/_lexicons.ts";
import { type LabelledRows, readLabelledJsonl } from "./train/_jsonl.ts";
import { argmaxIds, type SplitMetrics, splitMetrics } from "./train/_metrics.ts";
import { textFraction } from "./train/_prng.ts";
import {
  buildCorpus,
  type Corpus,
  createSgdTrainer,
  type LinearParams,
  predictCorpus,
} from "./train/_sgd.ts";
import { lexiconBaselines } from "./train/_baselines.ts";

export type { FeatureSpec, LexiconTable, SentimentMarkers, SplitMetrics };

/** How a file's labels are used: `full` 3-class, `binary` positive-vs-negative only, `auto` decides. */
export type LabelMode = "auto" | "full" | "binary";

/** A labelled JSONL file (or a slice of it) used for training. */
export interface TrainSource {
  /** Short name (card, metric keys). */
  name: string;
  /** JSONL file of {"text", "label"} rows. */
  path: string;
  /** Loss weight of each row (default 1); rows are also class-balanced within the file. */
  weight?: number;
  /** `auto` (default): `binary` when the file has no neutral row but has both polarities, else `full`. */
  mode?: LabelMode;
  /** Keep only rows whose text hash fraction is in [from, to) (deterministic slices). */
  slice?: [number, number];
  /** Balance classes within the file so each class carries the same total weight (default true). */
  balance?: boolean;
  /** Truncate texts to this many characters before featurizing (long reviews; default: no cut). */
  maxChars?: number;
}

/** A labelled JSONL file (or slice) to measure on. */
export interface EvalSource {
  /** Short name (card, metric keys). */
  name: string;
  /** JSONL file. */
  path: string;
  /** Keep only rows whose text hash fraction is in [from, to). */
  slice?: [number, number];
  /** `auto` (default): binary when the file has no neutral row. Binary files are scored by argmax over
   * {negative, positive} (neutral ignored); the selection score uses macro-recall for every source (for
   * binary gold that is balanced accuracy, so a collapse to one class cannot score well). */
  mode?: LabelMode;
  /** Marks an "unseen domain" proxy: a domain with no training rows at all, standing in for held-back
   * data of other domains (recorded in the card; the trainer checks that no training source shares its
   * rows). */
  unseen?: boolean;
}

/** The hyperparameter grid searched on the validation sources. */
export interface SearchSpace {
  /** Adagrad step sizes to try. */
  learningRates: number[];
  /** L2 penalties to try. */
  l2: number[];
  /** Most epochs per configuration. */
  maxEpochs: number;
  /** Stop a configuration after this many epochs without a better validation score. */
  patience: number;
  /** Offsets added to the neutral bias of each snapshot before scoring it on the validation sources (a
   * prior shift chosen on validation data; default [0]). The best offset is baked into the exported bias. */
  neutralBias: number[];
  /** Whether to score (and export) the running average of the weights over every update (averaged
   * SGD) instead of the last weights; each value is a configuration of the grid (default [false]). */
  average?: boolean[];
}

/** Options of {@linkcode trainClassifier}. */
export interface TrainClassifierOptions {
  /** Training files. */
  train: TrainSource[];
  /** Validation files: the selection score is the mean of their metrics. */
  val: EvalSource[];
  /** Test/dev files reported in the card (never used for choices). */
  test?: EvalSource[];
  /** Output model folder (written atomically: temp folder, then rename). */
  out: string;
  /** Seed of the shuffles (default 13). Same seed and data → byte-identical model.onnx. */
  seed?: number;
  /** Changes to the default feature spec (hashBits, charNgrams, maxTokens...). */
  features?: Partial<Omit<FeatureSpec, "version" | "lexicons">>;
  /** Hyperparameter grid (default: learning rates [0.05, 0.2], l2 [0, 3e-4], 8 epochs, patience 2,
   * neutral bias offsets [0]). */
  search?: Partial<SearchSpace>;
  /** Model name in the card (default: the folder's base name). */
  name?: string;
  /** Description in the card. */
  description?: string;
  /** The recipe file, recorded in the card. */
  recipe?: string;
  /** How the recipe's choices (source weights, grid) were made, in words; rendered in the model card
   * under "Selection protocol". */
  selectionProtocol?: string;
  /** Measure wink-sentiment and sentiment on the test files too (default true). */
  baselines?: boolean;
  /** Show progress bars (default: when stderr is a terminal). */
  progress?: boolean;
  /** Training curves: called once per epoch with the losses and validation metrics. */
  onMetrics?: (values: Record<string, number>, step: number) => void | Promise<void>;
  /**
   * Called once every data file has been read and checked (labels, slices, modes) and the feature spec is
   * valid, before training starts: the place to start tracking, so that bad input never leaves a run.
   */
  onDataReady?: (
    data: { train: DataRecord[]; val: DataRecord[]; test: DataRecord[] },
  ) => void | Promise<void>;
  /** Log lines (default: none). */
  log?: (line: string) => void;
}

/** One data file as recorded in the model card. */
export interface DataRecord {
  /** Source name. */
  name: string;
  /** Path as given. */
  path: string;
  /** sha256 of the whole file. */
  sha256: string;
  /** Rows in the file. */
  fileRows: number;
  /** Rows used (after slicing). */
  rows: number;
  /** Slice of the hash fraction, if any. */
  slice: [number, number] | null;
  /** How labels were used. */
  mode: "full" | "binary";
  /** Rows per label. */
  labelCounts: Record<string, number>;
  /** Loss weight (training files). */
  weight?: number;
  /** Validation/test sources: an "unseen domain" proxy (no training rows from its file). */
  unseen?: boolean;
  /** Validation/test sources: names of training sources that share rows with this one (same file,
   * overlapping slices). Empty when the source is blind. */
  overlapsTraining?: string[];
}

/** What {@linkcode trainClassifier} returns. */
export interface TrainClassifierResult {
  /** The model folder written. */
  dir: string;
  /** The model card (also in card.json). */
  card: Record<string, unknown>;
  /** Metrics of the exported ONNX model per validation and test source. */
  metrics: Record<string, SplitMetrics & { split: string; mode: string }>;
  /** Every data file used (training, validation, test) with digests. */
  data: { train: DataRecord[]; val: DataRecord[]; test: DataRecord[] };
}

interface Loaded {
  rec: DataRecord;
  texts: string[];
  labels: number[];
}

const fileCache = new Map<string, Promise<LabelledRows>>();

function resolveMode(mode: LabelMode | undefined, labels: number[], where: string): "full" | "binary" {
  const has = [0, 0, 0];
  for (const l of labels) has[l]++;
  if (mode === "binary") {
    if (has[1] > 0) {
      throw new Error(`${where}: mode "binary" but the file has ${has[1]} neutral rows; use mode "full"`);
    }
    return "binary";
  }
  if (mode === "full") return "full";
  return has[1] === 0 && has[0] > 0 && has[2] > 0 ? "binary" : "full";
}

async function loadSource(
  src: { name: string; path: string; slice?: [number, number]; mode?: LabelMode; weight?: number },
): Promise<Loaded> {
  const key = resolve(src.path);
  if (!fileCache.has(key)) fileCache.set(key, readLabelledJsonl(src.path));
  let rows: LabelledRows;
  try {
    rows = await fileCache.get(key)!;
  } catch (e) {
    fileCache.delete(key);
    throw e;
  }
  const texts: string[] = [];
  const labels: number[] = [];
  const sl = src.slice;
  if (sl && !(sl.length === 2 && sl[0] >= 0 && sl[1] <= 1 && sl[0] < sl[1])) {
    throw new Error(`Data source '${src.name}': slice must be [from, to] with 0 <= from < to <= 1`);
  }
  for (let i = 0; i < rows.texts.length; i++) {
    if (sl) {
      const f = textFraction(rows.texts[i]);
      if (f < sl[0] || f >= sl[1]) continue;
    }
    texts.push(rows.texts[i]);
    labels.push(rows.labels[i]);
  }
  if (texts.length === 0) throw new Error(`Data source '${src.name}' (${src.path}): no rows after slicing`);
  const counts: Record<string, number> = {};
  for (const l of labels) counts[LABELS[l]] = (counts[LABELS[l]] ?? 0) + 1;
  return {
    rec: {
      name: src.name,
      path: src.path,
      sha256: rows.sha256,
      fileRows: rows.texts.length,
      rows: texts.length,
      slice: sl ?? null,
      mode: resolveMode(src.mode, labels, `Data source '${src.name}' (${src.path})`),
      labelCounts: counts,
      ...(src.weight !== undefined ? { weight: src.weight } : {}),
    },
    texts,
    labels,
  };
}

/** Training sources that read rows of the same file as `src` in an overlapping hash slice. */
function overlappingTrain(
  src: { path: string; slice?: [number, number] },
  train: TrainSource[],
): string[] {
  const [a0, a1] = src.slice ?? [0, 1];
  return train.filter((t) => {
    if (resolve(t.path) !== resolve(src.path)) return false;
    const [b0, b1] = t.slice ?? [0, 1];
    return a0 < b1 && b0 < a1;
  }).map((t) => t.name);
}

function makeBar(enabled: boolean, label: string) {
  if (!enabled) return null;
  return new cliProgress.SingleBar({
    format: `${label.padEnd(24)} [{bar}] {percentage}% {value}/{total} {duration}s`,
    stream: process.stderr,
    clearOnComplete: true,
    hideCursor: false,
  }, cliProgress.Presets.shades_classic);
}

async function atomicReplaceDir(tmp: string, out: string): Promise<void> {
  let old: string | null = null;
  try {
    await Deno.stat(out);
    old = `${out}.old-${Deno.pid}-${Date.now()}`;
    await Deno.rename(out, old);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  await Deno.rename(tmp, out);
  if (old) await Deno.remove(old, { recursive: true });
}

function fmt(x: number): string {
  return x.toFixed(4);
}

function markersNote(card: Record<string, unknown>): string | null {
  const m =
    (card.features as { markers?: { entries: number; positive: string; negative: string } } | undefined)
      ?.markers;
  if (!m) return null;
  return ` Emoji and emoticons: ${m.entries} of them (emoji polarity from the Emoji Sentiment Ranking ` +
    `list of npm:sentiment, emoticons from VADER) read as "${m.positive}" or "${m.negative}", which the ` +
    "training tweets teach; an emoji missing from that list (e.g. newer ones such as 🙂) carries no learned " +
    "sentiment.";
}

function renderCard(card: Record<string, unknown>): string {
  const c = card as {
    name: string;
    description: string;
    metrics: Record<string, SplitMetrics & { split: string; mode: string }>;
    baselines: Record<string, Record<string, SplitMetrics>>;
    hyperparameters: Record<string, unknown>;
    data: { train: DataRecord[]; val: DataRecord[]; test: DataRecord[] };
    features: Record<string, unknown>;
    rules: Record<string, string>;
  };
  const lines = [`# ${c.name}`, "", c.description, ""];
  const recipe = (card as { recipe?: string | null }).recipe;
  lines.push(
    "## Reproduce",
    "",
    "```sh",
    recipe
      ? `deno task train --recipe ${recipe} --out <folder>`
      : "deno task train --train <files> --val <files> --out <folder>",
    "```",
    "",
    `Seed ${(card as { seed?: number }).seed}: the same seed and data give a byte-identical model.onnx.`,
    "",
    "## Limitations",
    "",
    "A bag of n-grams with lexicon features: it reads sentiment words and phrases, not irony or " +
      "comparisons. Trained mostly on English; other scripts are featurized but not learned. Binary gold " +
      "data is scored by the rule below. Texts past the character/token caps are truncated." +
      (markersNote(card) ?? ""),
    "",
  );
  lines.push("## Labels", "", `Output order: ${LABELS.join(", ")} (labels.json).`, "");
  const hp = c.hyperparameters as {
    selection?: string;
    selectionProtocol?: string | null;
    validationScore?: number;
    neutralBiasOffset?: number;
  };
  const unseen = [...c.data.val, ...c.data.test].filter((d) => d.unseen).map((d) => d.name);
  const seenTests = c.data.test.filter((d) => d.overlapsTraining?.length);
  lines.push(
    "## Selection protocol",
    "",
    `- Validation sources (${c.data.val.map((d) => d.name).join(", ")}): the trainer checks that none ` +
      "shares rows with a training source. Every hyperparameter-grid point and epoch is scored on them; " +
      `the score is the ${hp.selection ?? "mean validation metric"}. Chosen score: ${
        fmt(hp.validationScore ?? NaN)
      }, neutral bias offset ${hp.neutralBiasOffset ?? 0} (chosen from ${
        JSON.stringify((hp as { search?: { neutralBias?: number[] } }).search?.neutralBias ?? [0])
      }).`,
    `- Unseen-domain proxies (no training rows from their files): ${
      unseen.length ? unseen.join(", ") : "none"
    }.`,
    `- Test sources are measured once, on the exported model, after the choice; they take no part in it.${
      seenTests.length
        ? ` Not blind (they share rows with training): ${seenTests.map((d) => d.name).join(", ")}.`
        : ""
    }`,
  );
  if (hp.selectionProtocol) lines.push(`- Recipe choices: ${hp.selectionProtocol.trim()}`);
  lines.push("");
  lines.push("## Metrics (exported ONNX model)", "");
  const blNames = Object.keys(c.baselines);
  lines.push(
    `| source | split | rows | scored as | accuracy | macro-recall | macro-F1 |${
      blNames.map((b) => ` ${b} |`).join("")
    }`,
  );
  lines.push(`|---|---|---:|---|---:|---:|---:|${blNames.map(() => "---:|").join("")}`);
  const recs = new Map([...c.data.val, ...c.data.test].map((d) => [d.name, d]));
  for (const [name, m] of Object.entries(c.metrics)) {
    const r = recs.get(name);
    const tag = r?.unseen ? " (unseen domain)" : r?.overlapsTraining?.length ? " (seen in training)" : "";
    const bl = blNames.map((b) => {
      const x = c.baselines[b][name];
      if (!x) return " |";
      return m.mode.startsWith("binary")
        ? ` ${fmt(x.accuracy)} |`
        : ` ${fmt(x.accuracy)} / ${fmt(x.macro_recall)} |`;
    }).join("");
    lines.push(
      `| ${name}${tag} | ${m.split} | ${m.n} | ${m.mode} | ${fmt(m.accuracy)} | ${fmt(m.macro_recall)} | ${
        fmt(m.macro_f1)
      } |${bl}`,
    );
  }
  lines.push(
    "",
    "Baseline columns: the library's accuracy on binary sources; accuracy / macro-recall on 3-class sources.",
    "",
  );
  lines.push("## Rules", "");
  for (const [k, v] of Object.entries(c.rules)) lines.push(`- ${k}: ${v}`);
  lines.push("", "## Hyperparameters", "", "```json", JSON.stringify(c.hyperparameters, null, 2), "```", "");
  lines.push("## Features", "", "```json", JSON.stringify(c.features, null, 2), "```", "");
  lines.push("## Data", "", "| role | name | path | rows | of file | slice | mode | weight | sha256 |");
  lines.push("|---|---|---|---:|---:|---|---|---:|---|");
  for (const role of ["train", "val", "test"] as const) {
    for (const d of c.data[role]) {
      lines.push(
        `| ${role} | ${d.name} | ${d.path} | ${d.rows} | ${d.fileRows} | ${
          d.slice ? d.slice.join("-") : "all"
        } | ${d.mode} | ${d.weight ?? ""} | ${d.sha256} |`,
      );
    }
  }
  lines.push("");
  return lines.join("\n");
}

/**
 * Trains a 3-class sparse linear classifier (multinomial logistic regression, Adagrad) and writes a
 * model folder: `model.onnx`, `features.json`, `labels.json`, `card.json`, `model_card.md`.
 *
 * Rows of binary files (no neutral) are trained with the partial-label loss
 * `-log(p_y / (p_negative + p_positive))`, so they teach polarity without teaching "neutral does not
 * exist". Every (learning rate, l2) pair of the grid is trained for up to `maxEpochs` epochs; the
 * snapshot with the best validation score (mean over validation sources of macro-recall, or accuracy for
 * binary sources) is exported. The card's metrics come from the exported ONNX model.
 * @param options Data, output folder, seed, grid.
 * @returns The folder, card and metrics.
 * @throws {Error} on a missing file or a bad row (file:line), bad options, or an unwritable output.
 * @example
 * ```ts ignore
 * import { trainClassifier } from "./train_classifier.ts";
 * const result = await trainClassifier({
 *   train: [{ name: "train", path: "data/train.jsonl" }],
 *   val: [{ name: "val", path: "data/val.jsonl" }],
 *   out: "models/my_model",
 *   seed: 1,
 * });
 * console.log(result.metrics.val.macro_recall);
 * ```
 */
export async function trainClassifier(options: TrainClassifierOptions): Promise<TrainClassifierResult> {
  const t0 = performance.now();
  const log = options.log ?? (() => {});
  const seed = options.seed ?? 13;
  if (!Number.isInteger(seed)) throw new Error(`Option seed must be an integer, got ${seed}`);
  if (options.train.length === 0) throw new Error("trainClassifier: give at least one training file");
  if (options.val.length === 0) throw new Error("trainClassifier: give at least one validation file");
  const search: SearchSpace = {
    learningRates: [0.05, 0.2],
    l2: [0, 3e-4],
    maxEpochs: 8,
    patience: 2,
    neutralBias: [0],
    average: [false],
    ...options.search,
  };
  const averages = search.average ?? [false];
  if (
    search.learningRates.length === 0 || search.l2.length === 0 || search.maxEpochs < 1 ||
    search.neutralBias.length === 0 || !search.neutralBias.every(Number.isFinite) ||
    averages.length === 0 || !averages.every((a) => typeof a === "boolean")
  ) {
    throw new Error(
      "trainClassifier: search needs at least one learning rate, one l2, one finite neutralBias offset, " +
        "maxEpochs >= 1 and average as a list of true/false",
    );
  }
  // honest selection: validation rows are never training rows; test sources that share rows with
  // training are marked in the card
  for (const v of options.val) {
    const seen = overlappingTrain(v, options.train);
    if (seen.length) {
      throw new Error(
        `Validation source '${v.name}' (${v.path}) shares rows with training source(s) ` +
          `${seen.map((n) => `'${n}'`).join(", ")}: give them disjoint slices (e.g. train [0, 0.9], ` +
          `val [0.9, 1]) so hyperparameters are chosen on unseen rows`,
      );
    }
  }
  for (const v of [...options.val, ...(options.test ?? [])]) {
    const same = options.train.filter((t) => resolve(t.path) === resolve(v.path)).map((t) => `'${t.name}'`);
    if (v.unseen && same.length) {
      throw new Error(
        `Source '${v.name}' (${v.path}) is marked unseen (a domain the model never trains on) but ` +
          `training source(s) ${same.join(", ")} read the same file: drop them from train or unmark it`,
      );
    }
  }
  const progress = options.progress ?? Deno.stderr.isTerminal();
  const out = options.out.replace(/\/+$/, "");
  if (!out) throw new Error("trainClassifier: option out (the model folder) is empty");

  // ---- data
  const trainSets: Loaded[] = [];
  for (const s of options.train) {
    if (s.weight !== undefined && !(s.weight > 0)) {
      throw new Error(`Training source '${s.name}': weight must be > 0, got ${s.weight}`);
    }
    trainSets.push(await loadSource(s));
  }
  const valSets = await Promise.all(options.val.map((s) => loadSource(s)));
  const testSets = await Promise.all((options.test ?? []).map((s) => loadSource(s)));
  for (const [list, srcs] of [[valSets, options.val], [testSets, options.test ?? []]] as const) {
    list.forEach((d, i) => {
      d.rec.unseen = srcs[i].unseen === true;
      d.rec.overlapsTraining = overlappingTrain(srcs[i], options.train);
    });
  }

  const spec = defaultFeatureSpec(defaultLexicons(), options.features ?? {});
  validateFeatureSpec(spec, "(option features, or the recipe's features)");
  if (spec.markers && Object.keys(spec.markers.entries).length === 0 && !options.features?.markers) {
    spec.markers = defaultMarkers(createFeaturizer(spec).tokenize);
  }
  const featurizer = createFeaturizer(spec);
  const numFeatures = numFeaturesOf(spec);
  await options.onDataReady?.({
    train: trainSets.map((d) => d.rec),
    val: valSets.map((d) => d.rec),
    test: testSets.map((d) => d.rec),
  });

  const parts = trainSets.map((d, i) => {
    const src = options.train[i];
    const weight = src.weight ?? 1;
    const counts = [0, 0, 0];
    for (const l of d.labels) counts[l]++;
    const present = counts.filter((c) => c > 0).length;
    const balance = src.balance ?? true;
    const rowWeights = d.labels.map((
      l,
    ) => (balance ? (d.labels.length / (present * counts[l])) * weight : weight));
    const texts = src.maxChars ? d.texts.map((t) => t.slice(0, src.maxChars)) : d.texts;
    return { texts, labels: d.labels, binary: d.rec.mode === "binary", weights: rowWeights };
  });
  const nTrain = parts.reduce((s, p) => s + p.texts.length, 0);
  log(`featurizing ${nTrain} training rows from ${trainSets.length} files (${numFeatures} features)`);
  let bar = makeBar(progress, "featurize");
  bar?.start(nTrain, 0);
  let done = 0;
  const corpus = buildCorpus(featurizer, parts, () => {
    if (++done % 2000 === 0) bar?.update(done);
  });
  bar?.stop();
  const valCorpora: Corpus[] = valSets.map((d) =>
    buildCorpus(featurizer, [{
      texts: d.texts,
      labels: d.labels,
      binary: false,
      weights: d.labels.map(() => 1),
    }])
  );
  log(`featurized in ${((performance.now() - t0) / 1000).toFixed(1)} s, ${corpus.indices.length} non-zeros`);

  // ---- search
  type Trial = {
    learningRate: number;
    l2: number;
    average: boolean;
    bestEpoch: number;
    bestScore: number;
    epochs: number;
  };
  const trials: Trial[] = [];
  let best: { score: number; params: LinearParams; trial: Trial; neutralBias: number } | null = null;
  let step = 0;
  for (const learningRate of search.learningRates) {
    for (const l2 of search.l2) {
      for (const average of averages) {
        const trainer = createSgdTrainer(corpus, numFeatures, { learningRate, l2, average }, seed);
        const trial: Trial = { learningRate, l2, average, bestEpoch: 0, bestScore: -Infinity, epochs: 0 };
        trials.push(trial);
        let since = 0;
        for (let epoch = 1; epoch <= search.maxEpochs; epoch++) {
          bar = makeBar(progress, `lr ${learningRate} l2 ${l2} ep ${epoch}`);
          bar?.start(nTrain, 0);
          let seen = 0;
          const loss = trainer.epoch(() => {
            if (++seen % 5000 === 0) bar?.update(seen);
          });
          bar?.stop();
          trial.epochs = epoch;
          const snapshot = average ? trainer.averaged() : trainer.params;
          const values: Record<string, number> = {
            epoch,
            learning_rate: learningRate,
            l2,
            average: average ? 1 : 0,
            train_loss: loss,
          };
          // score every neutral-bias offset on the same snapshot (only the bias changes)
          let score = -Infinity, offset = 0;
          let perSource: number[] = [];
          for (const nb of search.neutralBias) {
            const params = { weight: snapshot.weight, bias: snapshot.bias.slice() };
            params.bias[1] += nb;
            const each = valSets.map((d, i) => {
              const probs = predictCorpus(params, valCorpora[i]);
              return splitMetrics(argmaxIds(probs, d.rec.mode === "binary"), d.labels).macro_recall;
            });
            const mean = each.reduce((a, b) => a + b, 0) / each.length;
            if (mean > score) [score, offset, perSource] = [mean, nb, each];
          }
          valSets.forEach((d, i) => {
            values[`val/${d.rec.name}/macro_recall`] = perSource[i];
          });
          values.val_score = score;
          values.neutral_bias = offset;
          step++;
          log(
            `lr=${learningRate} l2=${l2}${average ? " averaged" : ""} epoch ${epoch}: loss ${
              loss.toFixed(4)
            } val ${score.toFixed(4)} ` +
              `(neutral bias ${offset >= 0 ? "+" : ""}${offset}) ` +
              Object.entries(values).filter(([k]) => k.startsWith("val/")).map(([k, v]) =>
                `${k.slice(4)}=${v.toFixed(3)}`
              ).join(" "),
          );
          await options.onMetrics?.(values, step);
          if (score > trial.bestScore) {
            trial.bestScore = score;
            trial.bestEpoch = epoch;
            since = 0;
          } else since++;
          if (!best || score > best.score) {
            const bias = snapshot.bias.slice();
            bias[1] += offset;
            best = {
              score,
              params: { weight: average ? snapshot.weight : snapshot.weight.slice(), bias },
              trial,
              neutralBias: offset,
            };
          }
          if (since >= search.patience) break;
        }
      }
    }
  }
  const chosen = best!;
  log(
    `chosen: lr=${chosen.trial.learningRate} l2=${chosen.trial.l2} averaged=${chosen.trial.average} ` +
      `epochs=${chosen.trial.bestEpoch} ` +
      `neutral bias ${chosen.neutralBias} val ${chosen.score.toFixed(4)}`,
  );

  // ---- export to a temp folder next to the output
  const parent = resolve(out, "..");
  await Deno.mkdir(parent, { recursive: true });
  const tmp = await Deno.makeTempDir({ dir: parent, prefix: `.${out.split("/").pop()}.tmp-` });
  try {
    const onnxBytes = buildLinearOnnx({
      weight: Float32Array.from(chosen.params.weight),
      bias: Float32Array.from(chosen.params.bias),
      numFeatures,
      numClasses: 3,
      docString: "sentilab sparse linear sentiment classifier; features: features.json; labels: labels.json",
      metadata: { labels: LABELS.join(","), feature_spec: "features.json" },
    });
    await Deno.writeFile(join(tmp, "model.onnx"), onnxBytes);
    await Deno.writeTextFile(join(tmp, "features.json"), JSON.stringify(spec) + "\n");
    await Deno.writeTextFile(join(tmp, "labels.json"), JSON.stringify(LABELS) + "\n");

    // ---- measure the exported model
    const model = await loadOnnxModel(tmp);
    const metrics: TrainClassifierResult["metrics"] = {};
    const baselines: Record<string, Record<string, SplitMetrics>> = {};
    const bls = options.baselines === false ? [] : lexiconBaselines();
    for (const [split, sets] of [["val", valSets], ["test", testSets]] as const) {
      for (const d of sets) {
        const rows = await model.scoreBatch(d.texts);
        const flat = new Float32Array(rows.length * 3);
        rows.forEach((r, i) => flat.set(r, i * 3));
        const binary = d.rec.mode === "binary";
        metrics[d.rec.name] = {
          split,
          mode: binary ? "binary (argmax over negative/positive)" : "3-class",
          ...splitMetrics(argmaxIds(flat, binary), d.labels),
        };
        if (split === "test") {
          for (const b of bls) {
            const pred = d.texts.map((t) => (binary ? b.predictBinary(t) : b.predict(t)));
            (baselines[b.name] ??= {})[d.rec.name] = splitMetrics(pred, d.labels);
          }
        }
      }
    }
    await model.close();
    // deno-lint-ignore no-unused-vars
    const { lexicons, markers, ...featureSummary } = spec;
    const name = options.name ?? out.split("/").pop()!;
    const seconds = (performance.now() - t0) / 1000;
    const card: Record<string, unknown> = {
      name,
      type: "onnx",
      description: options.description ??
        "Sparse linear sentiment classifier (hashed word 1-2-grams, character n-grams, AFINN/VADER lexicon " +
          "features) trained by sentilab's `deno task train`.",
      labels: [...LABELS],
      created: new Date().toISOString(),
      recipe: options.recipe ?? null,
      seed,
      files: {
        model: "model.onnx",
        features: "features.json",
        labels: "labels.json",
        onnx: {
          inputs: { indices: "int64 [N, K]", values: "float32 [N, K]" },
          outputs: { probabilities: "float32 [N, 3]" },
          ir_version: 8,
          opset: 13,
        },
      },
      features: {
        ...featureSummary,
        ...(markers
          ? {
            markers: {
              positive: markers.positive,
              negative: markers.negative,
              entries: Object.keys(markers.entries).length,
              source: "npm:sentiment@5.0.2 build/emoji.json (emoji) + npm:vader-sentiment@1.1.3 emoticons",
            },
          }
          : {}),
        numFeatures,
        lexicons: spec.lexicons.map((l) => ({
          name: l.name,
          source: l.source,
          entries: Object.keys(l.entries).length,
        })),
      },
      hyperparameters: {
        model: "multinomial logistic regression, Adagrad, per-file class balancing" +
          (chosen.trial.average ? ", weights averaged over every update" : ""),
        learningRate: chosen.trial.learningRate,
        averaged: chosen.trial.average,
        l2: chosen.trial.l2,
        epochs: chosen.trial.bestEpoch,
        neutralBiasOffset: chosen.neutralBias,
        selection: "mean over validation sources of macro-recall (binary gold: balanced accuracy, argmax " +
          "over negative/positive), every source weighted equally so no domain can collapse unnoticed",
        selectionProtocol: options.selectionProtocol ?? null,
        validationScore: chosen.score,
        search,
        trials,
      },
      rules: {
        binary_gold:
          "binary (positive/negative) gold is scored by argmax over the negative and positive scores only " +
          "(neutral ignored); ties go to positive",
        binary_training: "binary files are trained with the partial-label loss -log(p_y / (p_neg + p_pos))",
        limits: `texts are read up to ${spec.maxChars} UTF-16 code units and ${spec.maxTokens} tokens; ` +
          "empty text is scored from the bias and lexicon 'no hit' features",
        baselines: "lexicon libraries: 3-class by score sign (0 = neutral; VADER: compound within ±0.05 = " +
          "neutral); binary: score >= 0 → positive",
      },
      data: {
        train: trainSets.map((d) => d.rec),
        val: valSets.map((d) => d.rec),
        test: testSets.map((d) => d.rec),
      },
      metrics,
      baselines,
      training_seconds: Math.round(seconds),
    };
    await Deno.writeTextFile(join(tmp, "card.json"), JSON.stringify(card, null, 2) + "\n");
    await Deno.writeTextFile(join(tmp, "model_card.md"), renderCard(card));
    await Deno.chmod(tmp, 0o755).catch(() => {}); // makeTempDir gives 0700; not supported on Windows
    await atomicReplaceDir(tmp, out);
    log(`wrote ${out} in ${seconds.toFixed(1)} s`);
    return {
      dir: out,
      card,
      metrics,
      data: card.data as TrainClassifierResult["data"],
    };
  } catch (e) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw e;
  }
}
