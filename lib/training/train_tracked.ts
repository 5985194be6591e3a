/**
 * Training with tracking, the workflow `deno task train` runs and a notebook can call: the run starts only
 * once every data file is read and checked (bad input leaves no run), every data file is a used dataset
 * artifact, each grid trial is a child run in the run's group ({@linkcode trackGridTrials}), the summary
 * describes the chosen model, and the model folder is logged as a model artifact.
 * @module
 */
import { basename } from "node:path";
import {
  finishRun,
  initRun,
  type InitRunOptions,
  logDatasetArtifact,
  logModelArtifact,
  type Run,
  safeArtifactName,
  setSummary,
} from "../tracking/mod.ts";
import { datasetArtifactName } from "../data/dataset_artifact_name.ts";
import { trainClassifier } from "./train_classifier.ts";
import { type GridTrialTracker, type TrackedTrial, trackGridTrials } from "./track_grid_trials.ts";
import type { TrainClassifierOptions, TrainClassifierResult } from "./types.ts";

/** Options of {@linkcode trainTracked}: trainClassifier's, plus where and how the run is tracked. */
export interface TrainTrackedOptions extends Omit<TrainClassifierOptions, "onDataReady"> {
  /**
   * initRun options of the training run (tracker, project, name, group, tags, notes, dir). Its grid trials
   * join its group: `group`, else `<model folder>-<time>`.
   */
  tracking?: Omit<InitRunOptions, "jobType" | "config">;
  /** Finish the run before returning (default true); false leaves it open, e.g. to print into its output. */
  finish?: boolean;
}

/** What {@linkcode trainTracked} returns: the training result, its run and what was logged. */
export interface TrainTrackedResult extends TrainClassifierResult {
  /** The training run (finished unless `finish: false`). */
  run: Run;
  /** The model artifact logged (`NAME:vN`), or null when the run stores nothing. */
  modelRef: string | null;
  /** The grid trials, each with its child run. */
  trials: TrackedTrial[];
  /** The run's summary: the chosen trial's row, then every source's accuracy, macro-recall, macro-F1. */
  summary: Record<string, number>;
}

/**
 * Trains sentilab's classifier and tracks it (see the module doc).
 *
 * @param options trainClassifier's options, the run's initRun options, whether to finish the run.
 * @returns The training result with its run, model artifact reference, trials and summary.
 * @throws {Error} What trainClassifier throws (bad data, naming the file and line): no run exists then,
 *   or, when training fails after the data was checked, the run is finished with exit code 1.
 * @example
 * ```ts ignore
 * import { readTrainRecipe, trainTracked } from "./mod.ts";
 * const recipe = await readTrainRecipe("config/train_default.yaml");
 * const trained = await trainTracked({ ...recipe, out: "models/mine", tracking: { project: "demo" } });
 * console.log(trained.modelRef, trained.summary.best_val_score);
 * ```
 */
export async function trainTracked(options: TrainTrackedOptions): Promise<TrainTrackedResult> {
  const { tracking = {}, finish = true, ...train } = options;
  const group = tracking.group ??
    `${basename(train.out)}-${new Date().toISOString().replace(/[-:]|\.\d+/g, "")}`;
  let run: Run | undefined;
  let trials: GridTrialTracker | undefined;
  let result: TrainClassifierResult;
  try {
    result = await trainClassifier({
      ...train,
      onDataReady: async () => {
        run = await initRun({
          ...tracking,
          group,
          jobType: "train",
          config: {
            out: train.out,
            recipe: train.recipe ?? null,
            seed: train.seed ?? 13,
            features: train.features ?? {},
            search: train.search ?? {},
            train: train.train,
            val: train.val,
            test: train.test ?? [],
          },
        });
        // every data file is an input of the run (once, even when several sources slice it)
        const roles = new Map<string, string[]>();
        for (
          const [role, list] of [["train", train.train], ["val", train.val], [
            "test",
            train.test ?? [],
          ]] as const
        ) {
          for (const s of list) roles.set(s.path, [...(roles.get(s.path) ?? []), `${role}:${s.name}`]);
        }
        for (const [path, used] of roles) {
          await logDatasetArtifact(run, path, {
            name: datasetArtifactName(path),
            use: true,
            metadata: { path, sources: used },
          });
        }
        trials = trackGridTrials(run, {
          group,
          tracker: tracking.tracker,
          project: run.project,
          dir: tracking.dir,
        });
      },
      onMetrics: async (values, step) => {
        await trials?.onMetrics(values, step);
        await train.onMetrics?.(values, step);
      },
    });
    await trials?.finish(0);
  } catch (e) {
    await trials?.finish(1);
    if (run) await finishRun(run, { exitCode: 1 });
    throw e;
  }
  if (!run) throw new Error("training ended before its data was checked");
  // Same keys as the run's history rows (one per trial), so the summary is the chosen trial's row.
  const hp = result.card.hyperparameters as {
    learningRate: number;
    l2: number;
    averaged: boolean;
    epochs: number;
    neutralBiasOffset: number;
    validationScore: number;
  };
  const chosen = trials?.find(hp.learningRate, hp.l2, hp.averaged);
  const summary: Record<string, number> = {
    ...(chosen ? { trial: chosen.trial } : {}),
    learning_rate: hp.learningRate,
    l2: hp.l2,
    average: hp.averaged ? 1 : 0,
    best_epoch: hp.epochs,
    best_val_score: hp.validationScore,
    neutral_bias: hp.neutralBiasOffset,
  };
  for (const [name, m] of Object.entries(result.metrics)) {
    summary[`${name}/accuracy`] = m.accuracy;
    summary[`${name}/macro_recall`] = m.macro_recall;
    summary[`${name}/macro_f1`] = m.macro_f1;
  }
  await setSummary(run, summary);
  const model = await logModelArtifact(run, result.dir, {
    name: safeArtifactName(basename(result.dir), "model"),
    description: String(result.card.description ?? ""),
    metadata: { hyperparameters: result.card.hyperparameters, metrics: summary, seed: result.card.seed },
  });
  if (finish) await finishRun(run);
  return { ...result, run, modelRef: model?.ref ?? null, trials: trials?.trials ?? [], summary };
}
