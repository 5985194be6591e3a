import type { Model, Prediction } from "../models/types.ts";
import {
  finishRun,
  initRun,
  type InitRunOptions,
  logTable,
  openTable,
  type Run,
  safeArtifactName,
  setSummary,
} from "../tracking/mod.ts";
import { type Label, LABELS } from "../sentiment/mod.ts";
import { type DatasetStream, streamDataset } from "../data/stream_dataset.ts";
import { logDataset } from "../data/log_dataset.ts";
import { datasetArtifactName } from "../data/dataset_artifact_name.ts";
import type { LabelMap } from "../sentiment/normalize_label.ts";
import { loadModel } from "../models/load_model.ts";
import { logModel } from "../models/log_model.ts";
import type { BatchStatistics } from "../inference/batch_statistics.ts";
import { openScorer } from "../inference/open_scorer.ts";
import { predictionRow } from "../inference/_prediction_row.ts";
import { PREDICTION_COLUMNS } from "../inference/log_predictions.ts";
import { countPredictions, emptyCounts, type EvaluationCounts } from "./count_predictions.ts";
import { evaluationFromCounts } from "./evaluation_from_counts.ts";
import type { EvaluationResult } from "./evaluate.ts";
import { logEvaluation } from "./log_evaluation.ts";
import { REPORT_ROWS, writeReport, type WrittenReport } from "./_report.ts";
import {
  modelDigest,
  PARTIAL_FORMAT,
  type PartialResult,
  type Shard,
  SHARD_SUMMARY_KEY,
  writePartial,
} from "./_shard.ts";

export type { Shard } from "./_shard.ts";
export type { WrittenReport } from "./_report.ts";

/** Options for {@linkcode evaluateModel}. */
export interface EvaluateModelOptions {
  /**
   * Run to track into: the dataset and model as input artifacts, the prediction table (written in chunks
   * as it goes), metrics, batch statistics, confusion matrix and confidence histogram; the report as an
   * output artifact. Without a run nothing is tracked.
   */
  run?: Run;
  /**
   * Start the run here instead (initRun options: tracker, project, name, group, tags, notes, dir), once
   * the data and model are open and checked, so bad input leaves no run; its config records the model,
   * data, limit, batch size, samples and shard. Ignored when `run` is given.
   */
  tracking?: Omit<InitRunOptions, "jobType" | "config">;
  /** Finish the run started from `tracking` before returning (default true); false leaves it open. */
  finish?: boolean;
  /** Text column (when `data` is a path). */
  textField?: string;
  /** Label column (when `data` is a path). */
  labelField?: string;
  /** Label map (when `data` is a path): see `streamDataset`; text is read with `parseLabelMap`. */
  labelMap?: LabelMap;
  /** Evaluate only the first `limit` samples. */
  limit?: number;
  /** Texts per model call (default 256). */
  batchSize?: number;
  /**
   * Worker threads (default: the number of cores when 50,000 texts or more are scored, else 1; 1 = the
   * calling thread).
   */
  workers?: number;
  /** Evaluate only this shard of the samples: those whose index i has i % count === index (`resolveShard`). */
  shard?: Shard;
  /** Folder to write this evaluation's partial result into (`shard-I-of-N.json`), for `mergeShards`. */
  partialDir?: string;
  /** Artifact name of the data file (default: the dataset naming rule). */
  dataName?: string;
  /** Folder to write the report into (metrics.html, confusion_matrix.svg, predictions.html). */
  report?: string;
  /** Log the prediction table (default true). */
  predictionTable?: boolean;
  /** Called as texts are scored: texts done and the total to do. */
  onProgress?: (done: number, total: number) => void;
}

/** What {@linkcode evaluateModel} measured and wrote. */
export interface ModelEvaluation {
  /** The metrics. */
  result: EvaluationResult;
  /** The batch statistics. */
  statistics: BatchStatistics;
  /** The counts they come from (they add up over shards). */
  counts: EvaluationCounts;
  /** Seconds spent predicting. */
  seconds: number;
  /** Worker threads that scored (1: the calling thread). */
  workers: number;
  /** Texts evaluated. */
  count: number;
  /** The model evaluated. */
  model: { name: string; type: string };
  /**
   * The data: file, format, samples evaluated and the gold label distribution of those samples (the
   * first `limit` ones, or the shard); when that is fewer than the file holds, also the file's sample
   * count and label distribution; its digest.
   */
  data: {
    path: string;
    format: string;
    samples: number;
    labelDistribution: Record<Label, number>;
    fileSamples?: number;
    fileLabelDistribution?: Record<Label, number>;
    sha256: string;
  };
  /** The run tracked into (`run`, or the one started from `tracking`), else null. */
  run: Run | null;
  /** The input artifacts recorded (`type name:vN`). */
  inputs: string[];
  /** The report, when one was asked for. */
  report: WrittenReport | null;
  /** The shard evaluated, when sharded. */
  shard: Shard | null;
  /** The partial result file written, when `partialDir` was given. */
  partial: string | null;
}

/** Samples read and scored per piece: memory holds one piece (plus the first rows kept for the report). */
const PIECE = 8192;

/**
 * Evaluates a model on a labelled dataset, streaming: the data is read, scored (by worker threads) and
 * counted in pieces, the prediction table is written to the store as it goes, and the metrics come from
 * accumulated counts, so memory stays flat whatever the size of the file. This is what
 * `deno task evaluate` runs; a notebook gets the same evaluation, tracking and report with one call.
 *
 * Binary scoring (positive vs negative, see `evaluate`) follows the whole file: a file without neutral
 * gold labels is scored binary, also when only a `limit` or a shard of it is evaluated. A shard evaluates
 * every N-th sample (see `resolveShard`); its `partialDir` file holds the counts that `mergeShards` adds up to
 * exactly the metrics of one unsharded evaluation.
 *
 * @param model A loaded model, or a name/folder/URL/reference for `loadModel` (loaded and closed here).
 * @param data A checked stream (`streamDataset`), or a file/reference to open with the field options.
 * @param options Run, data fields, limit, batch size, workers, shard, partial result, report, progress.
 * @returns The metrics, statistics, counts, inputs, report and partial result.
 * @throws {Error} For a bad data file or model (before anything is tracked, when given as paths), a bad
 *   limit/shard, or a worker that dies (naming its batch).
 * @example
 * ```ts
 * import { evaluateModel } from "./mod.ts";
 * const file = await Deno.makeTempFile({ suffix: ".jsonl" });
 * await Deno.writeTextFile(file, '{"text": "I love it", "label": "positive"}\n{"text": "Awful", "label": "negative"}\n');
 * const { result, statistics } = await evaluateModel("lexicon", file, { workers: 1 });
 * console.log(result.accuracy, statistics.averageConfidence > 0);
 * ```
 */
export async function evaluateModel(
  model: Model | string,
  data: DatasetStream | string,
  options: EvaluateModelOptions = {},
): Promise<ModelEvaluation> {
  const batchSize = options.batchSize ?? 256;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`Invalid batchSize ${JSON.stringify(batchSize)}: use a positive integer such as 256`);
  }
  if (options.limit !== undefined && !(Number.isInteger(options.limit) && options.limit > 0)) {
    throw new Error(`Invalid limit ${JSON.stringify(options.limit)}: use a positive integer`);
  }
  const shard = options.shard;
  if (
    shard && !(Number.isInteger(shard.count) && shard.count >= 1 && Number.isInteger(shard.index) &&
      shard.index >= 0 && shard.index < shard.count)
  ) {
    throw new Error(`Invalid shard ${shard.index}/${shard.count}: use I/N with 0 <= I < N`);
  }
  // references (NAME:vN) resolve in the store the run is tracked into
  const storeDir = options.run?.storeDir ?? options.tracking?.dir ?? undefined;
  const stream = typeof data === "string"
    ? await streamDataset(data, {
      textField: options.textField,
      labelField: options.labelField,
      labelMap: options.labelMap,
      storeDir,
    })
    : data;
  const ownModel = typeof model === "string";
  const m = ownModel ? await loadModel(model, { storeDir }) : model;
  const samples = Math.min(options.limit ?? stream.count, stream.count);
  let run = options.run;
  const ownRun = !run && options.tracking !== undefined;
  try {
    if (ownRun) {
      run = await initRun({
        ...options.tracking,
        jobType: "evaluate",
        config: {
          model: typeof model === "string" ? model : m.name,
          model_type: m.type,
          // a Hub model: repository, revision, commit and the digest of every file
          ...(m.card?.hub ? { model_hub: m.card.hub } : {}),
          data: typeof data === "string" ? data : stream.ref ?? stream.path,
          limit: options.limit ?? null,
          batch_size: batchSize,
          samples,
          ...(shard ? { shard: shard.index, shards: shard.count } : {}),
        },
      });
    }

    const inputs: string[] = [];
    if (run) {
      const used = [
        await logDataset(run, stream, { name: options.dataName }),
        await logModel(run, m),
      ];
      for (const u of used) if (u) inputs.push(`${u.type} ${u.ref}`);
    }

    const total = shard
      ? Math.floor(samples / shard.count) + (shard.index < samples % shard.count ? 1 : 0)
      : samples;
    const scorer = await openScorer(m, { batchSize, workers: options.workers, texts: total });
    const counts = emptyCounts(0.5);
    const first: Prediction[] = [];
    const firstGold: string[] = [];
    const table = run && options.predictionTable !== false
      ? openTable(run, "predictions", [...PREDICTION_COLUMNS])
      : null;
    let done = 0;
    let seconds = 0;
    try {
      for await (const piece of stream.batches({ size: PIECE, to: samples, shard })) {
        const started = performance.now();
        const predictions = await scorer.predict(
          piece.texts,
          piece.start,
          options.onProgress && ((d) => options.onProgress!(done + d, total)),
        );
        seconds += (performance.now() - started) / 1000;
        countPredictions(counts, predictions, piece.labels, piece.start);
        if (table) await table.append(predictions.map((p, i) => predictionRow(p, piece.labels[i], 10_000)));
        for (let i = 0; first.length < REPORT_ROWS && i < predictions.length; i++) {
          first.push(predictions[i]);
          firstGold.push(piece.labels[i]);
        }
        done += predictions.length;
      }
    } catch (e) {
      await table?.abort();
      throw e;
    } finally {
      await scorer.close();
    }
    await table?.close();

    // Binary scoring follows the whole file, not the slice (a 3-class file stays 3-class).
    const binary = stream.labelDistribution.neutral === 0;
    const { result, statistics } = evaluationFromCounts(counts, { binary });
    if (run) {
      await logEvaluation(run, result, { statistics, seconds });
      const bins = counts.confidenceHistogram.length;
      await logTable(run, "confidence_histogram", {
        columns: ["from", "to", "predictions"],
        rows: counts.confidenceHistogram.map((n, i) => [i / bins, (i + 1) / bins, n]),
      });
    }
    const dataName = options.dataName ?? stream.ref?.replace(/:v\d+$/, "") ??
      datasetArtifactName(stream.path);
    let report: WrittenReport | null = null;
    if (options.report !== undefined) {
      const slice = shard
        ? ` (shard ${shard.index}/${shard.count})`
        : samples < stream.count
        ? ` (first ${samples})`
        : "";
      report = await writeReport(options.report, run, {
        title: `${m.name} on ${stream.path}${slice}`,
        artifactName: safeArtifactName(`${m.name}-${dataName}-report`, "report"),
        metadata: { model: m.name, data: stream.path },
        result,
        predictions: first,
        gold: firstGold,
        total: done,
      });
    }
    // A shard's partial result: into `partialDir` (for mergeShards) and, when tracked, into the run's
    // summary under `evaluation_shard` (for mergeShardGroup).
    const partialResult: PartialResult = {
      format: PARTIAL_FORMAT,
      shard: shard ?? { index: 0, count: 1 },
      group: run?.group ?? null,
      run: run ? { id: run.id, name: run.name, project: run.project } : null,
      rows: done,
      counts,
      seconds,
      input: {
        path: stream.path,
        sha256: stream.sha256,
        bytes: stream.bytes,
        samples,
        labelDistribution: stream.labelDistribution,
      },
      model: { name: m.name, type: m.type, sha256: modelDigest(m) },
    };
    const partial = options.partialDir !== undefined
      ? await writePartial(options.partialDir, partialResult)
      : null;
    if (run && shard) await setSummary(run, { [SHARD_SUMMARY_KEY]: partialResult });
    if (ownRun && options.finish !== false) await finishRun(run!, { exitCode: 0 });
    return {
      result,
      statistics,
      counts,
      seconds,
      workers: scorer.workers,
      count: done,
      model: { name: m.name, type: m.type },
      data: {
        path: stream.path,
        format: stream.format,
        samples: done,
        // of the rows evaluated (the first `limit` ones, or the shard), not of the whole file
        labelDistribution: Object.fromEntries(
          LABELS.map((label, g) => [label, counts.confusion[g].reduce((a, b) => a + b, 0)]),
        ) as Record<Label, number>,
        ...(done < stream.count
          ? { fileSamples: stream.count, fileLabelDistribution: stream.labelDistribution }
          : {}),
        sha256: stream.sha256,
      },
      run: run ?? null,
      inputs,
      report,
      shard: shard ?? null,
      partial,
    };
  } catch (e) {
    if (ownRun && run) await finishRun(run, { exitCode: 1 });
    throw e;
  } finally {
    if (ownModel) await m.close();
  }
}
