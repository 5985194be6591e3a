/**
 * Tracking of the hyperparameter grid: every trial (one learning rate, l2, averaging) becomes a child run
 * in the training run's group, with its own history over its epochs (as a W&B sweep shows its runs), and
 * the training run gets one history row per finished trial (its best epoch and validation score), so no
 * history restarts its epochs in the middle.
 * @module
 */
import { finishRun, initRun, logMetrics, type Run, type TrackerKind } from "../tracking/mod.ts";

/** Options of {@linkcode trackGridTrials}. */
export interface TrackGridTrialsOptions {
  /** The group of the training run (the trials join it). */
  group: string;
  /** The tracker of the training run (default `auto`). */
  tracker?: TrackerKind;
  /** The project of the training run. */
  project?: string;
  /** The store of the training run (default: SENTILAB_DIR, else .sentilab). */
  dir?: string;
}

/** One trial of the grid as tracked: its number, run and best epoch. */
export interface TrackedTrial {
  /** Trial number, from 1, in grid order. */
  trial: number;
  /** Its child run. */
  runId: string;
  /** Learning rate. */
  learningRate: number;
  /** L2 penalty. */
  l2: number;
  /** Whether the weights were averaged. */
  average: boolean;
  /** The epoch with the best validation score. */
  bestEpoch: number;
  /** That score. */
  bestValScore: number;
}

/** What {@linkcode trackGridTrials} returns: the `onMetrics` callback of trainClassifier and the end. */
export interface GridTrialTracker {
  /** Pass as trainClassifier's `onMetrics`: one call per epoch of a trial. */
  onMetrics(values: Record<string, number>, step: number): Promise<void>;
  /** Finishes the last trial's run (with the training run's exit code). */
  finish(exitCode?: number): Promise<void>;
  /** The trials tracked so far, in order. */
  readonly trials: TrackedTrial[];
  /**
   * The trial with these hyperparameters (the chosen model's, from the card), or undefined.
   * @param learningRate Learning rate.
   * @param l2 L2 penalty.
   * @param average Whether weights were averaged.
   */
  find(learningRate: number, l2: number, average: boolean): TrackedTrial | undefined;
}

/**
 * Tracks the grid trials of a training run as child runs of its group.
 *
 * @param parent The training run (already started with `group`).
 * @param options The group and where the runs go (the same as the training run's).
 * @returns The tracker: give `onMetrics` to trainClassifier, call `finish` once it returns or fails.
 * @example
 * ```ts ignore
 * const run = await initRun({ jobType: "train", group: "g1" });
 * const trials = trackGridTrials(run, { group: "g1" });
 * await trainClassifier({ ...recipe, out: "models/mine", onMetrics: trials.onMetrics });
 * await trials.finish();
 * ```
 */
export function trackGridTrials(parent: Run, options: TrackGridTrialsOptions): GridTrialTracker {
  let current:
    | { key: string; run: Run; best: number; bestEpoch: number; values: Record<string, number> }
    | null = null;
  let index = 0;
  const trials: TrackedTrial[] = [];
  const close = async (exitCode: number) => {
    if (!current) return;
    const c = current;
    current = null;
    await finishRun(c.run, { exitCode });
    trials.push({
      trial: index,
      runId: c.run.id,
      learningRate: c.values.learning_rate,
      l2: c.values.l2,
      average: c.values.average === 1,
      bestEpoch: c.bestEpoch,
      bestValScore: c.best,
    });
    await logMetrics(parent, {
      trial: index,
      learning_rate: c.values.learning_rate,
      l2: c.values.l2,
      average: c.values.average,
      best_epoch: c.bestEpoch,
      best_val_score: c.best,
    }, { step: index - 1 });
  };
  return {
    trials,
    find: (learningRate, l2, average) =>
      trials.find((t) => t.learningRate === learningRate && t.l2 === l2 && t.average === average),
    async onMetrics(values) {
      const { learning_rate, l2, average, epoch, ...rest } = values;
      const key = `${learning_rate}/${l2}/${average}`;
      if (current?.key !== key) {
        await close(0);
        index++;
        const run = await initRun({
          tracker: options.tracker,
          project: options.project ?? parent.project,
          dir: options.dir,
          group: options.group,
          name: `${parent.name}-trial-${index}`,
          jobType: "train-trial",
          config: { trial: index, learning_rate, l2, average: average === 1 },
          captureConsole: false,
        });
        current = { key, run, best: -Infinity, bestEpoch: 0, values };
      }
      const c = current!;
      if (rest.val_score > c.best) (c.best = rest.val_score, c.bestEpoch = epoch);
      c.values = values;
      await logMetrics(c.run, { epoch, ...rest }, { step: epoch - 1 });
    },
    finish: (exitCode = 0) => close(exitCode),
  };
}
