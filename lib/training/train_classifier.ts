/**
 * Trains sentilab's sparse linear classifier in TypeScript, chooses hyperparameters on validation data,
 * exports it to ONNX and writes the model folder (atomically) with its model card.
 * @module
 */
import { join, resolve } from "node:path";
import {
  createFeaturizer,
  defaultFeatureSpec,
  numFeaturesOf,
  validateFeatureSpec,
} from "../models/_features.ts";
import { defaultLexicons, defaultMarkers } from "./_lexicons.ts";
import { type Loaded, loadSource, overlappingTrain } from "./_load_data.ts";
import { buildCorpus, type Corpus } from "./_sgd.ts";
import { makeBar } from "./_progress.ts";
import { searchHyperparameters } from "./_search.ts";
import { atomicReplaceDir, exportModelFiles, outProblem } from "./_export.ts";
import { measureExported } from "./_measure.ts";
import { buildCard, renderCard } from "./_model_card.ts";
import type { SearchSpace, TrainClassifierOptions, TrainClassifierResult } from "./types.ts";

export type { TrainClassifierOptions, TrainClassifierResult } from "./types.ts";

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
  const outIssue = await outProblem(options.out, options.force === true);
  if (outIssue) throw new Error(outIssue);
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
  log(
    `featurizing ${nTrain} training rows from ${trainSets.length} file${trainSets.length === 1 ? "" : "s"} ` +
      `(${numFeatures} features)`,
  );
  const bar = makeBar(progress, "featurize");
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

  const { chosen, trials } = await searchHyperparameters({
    corpus,
    numFeatures,
    nTrain,
    valSets,
    valCorpora,
    search,
    averages,
    seed,
    progress,
    log,
    onMetrics: options.onMetrics,
  });

  // ---- export to a temp folder next to the output
  const parent = resolve(out, "..");
  await Deno.mkdir(parent, { recursive: true });
  const tmp = await Deno.makeTempDir({ dir: parent, prefix: `.${out.split("/").pop()}.tmp-` });
  try {
    await exportModelFiles(tmp, chosen.params, spec, numFeatures);
    // ---- measure the exported model
    const { metrics, baselines } = await measureExported(tmp, valSets, testSets, options.baselines !== false);
    const seconds = (performance.now() - t0) / 1000;
    const card = buildCard({
      name: options.name ?? out.split("/").pop()!,
      description: options.description,
      recipe: options.recipe,
      selectionProtocol: options.selectionProtocol,
      seed,
      spec,
      numFeatures,
      chosen,
      search,
      trials,
      data: {
        train: trainSets.map((d) => d.rec),
        val: valSets.map((d) => d.rec),
        test: testSets.map((d) => d.rec),
      },
      metrics,
      baselines,
      seconds,
    });
    await Deno.writeTextFile(join(tmp, "card.json"), JSON.stringify(card, null, 2) + "\n");
    await Deno.writeTextFile(join(tmp, "model_card.md"), renderCard(card));
    await Deno.chmod(tmp, 0o755).catch(() => {}); // makeTempDir gives 0700; not supported on Windows
    await atomicReplaceDir(tmp, out, options.force === true);
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
