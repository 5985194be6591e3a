/**
 * The hyperparameter search of the trainer: every (learning rate, l2, averaging) point of the grid is
 * trained epoch by epoch with early stopping, each snapshot scored on the validation sources for every
 * neutral-bias offset; the best snapshot wins.
 * @module
 */
import type { Loaded } from "./_load_data.ts";
import { argmaxIds, splitMetrics } from "./_metrics.ts";
import { type Corpus, createSgdTrainer, type LinearParams, predictCorpus } from "./_sgd.ts";
import { makeBar } from "./_progress.ts";
import type { SearchSpace } from "./types.ts";

/** One grid point as recorded in the card. */
export interface Trial {
  learningRate: number;
  l2: number;
  average: boolean;
  bestEpoch: number;
  bestScore: number;
  epochs: number;
}

/** The winning snapshot: validation score, weights (neutral-bias offset baked in), its trial, offset. */
export interface Chosen {
  score: number;
  params: LinearParams;
  trial: Trial;
  neutralBias: number;
}

/** Inputs of {@linkcode searchHyperparameters}. */
export interface SearchInput {
  corpus: Corpus;
  numFeatures: number;
  nTrain: number;
  valSets: Loaded[];
  valCorpora: Corpus[];
  search: SearchSpace;
  averages: boolean[];
  seed: number;
  progress: boolean;
  log: (line: string) => void;
  onMetrics?: (values: Record<string, number>, step: number) => void | Promise<void>;
}

/** Runs the grid search and returns the chosen snapshot with every trial. */
export async function searchHyperparameters(
  input: SearchInput,
): Promise<{ chosen: Chosen; trials: Trial[] }> {
  const { corpus, numFeatures, nTrain, valSets, valCorpora, search, averages, seed, progress, log } = input;
  const trials: Trial[] = [];
  let best: Chosen | null = null;
  let step = 0;
  for (const learningRate of search.learningRates) {
    for (const l2 of search.l2) {
      for (const average of averages) {
        const trainer = createSgdTrainer(corpus, numFeatures, { learningRate, l2, average }, seed);
        const trial: Trial = { learningRate, l2, average, bestEpoch: 0, bestScore: -Infinity, epochs: 0 };
        trials.push(trial);
        let since = 0;
        for (let epoch = 1; epoch <= search.maxEpochs; epoch++) {
          const bar = makeBar(progress, `lr ${learningRate} l2 ${l2} ep ${epoch}`);
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
            // the same key as the source's final metric in the training run's summary
            values[`${d.rec.name}/macro_recall`] = perSource[i];
          });
          values.val_score = score;
          values.neutral_bias = offset;
          step++;
          log(
            `lr=${learningRate} l2=${l2}${average ? " averaged" : ""} epoch ${epoch}: loss ${
              loss.toFixed(4)
            } val ${score.toFixed(4)} ` +
              `(neutral bias ${offset >= 0 ? "+" : ""}${offset}) ` +
              valSets.map((d, i) => `${d.rec.name}=${perSource[i].toFixed(3)}`).join(" "),
          );
          await input.onMetrics?.(values, step);
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

  return { chosen, trials };
}
