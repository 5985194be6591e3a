/**
 * `deno task evaluate [--model NAME|FOLDER|URL] [--data FILE] [--limit N] [--batch-size N] [--wandb]
 * [--tracker T] [--project P] [--name N] [--group G] [--tags A,B] [--notes TEXT] [--report DIR] [--json]`
 *
 * Evaluates a model on a labelled dataset and tracks the run: config, the dataset and model as input
 * artifacts, a prediction table, metrics, batch statistics and the confusion matrix. `--report DIR` also
 * writes the pictures (index.html, metrics.html, confusion_matrix.svg, predictions.html) and logs them as a `report`
 * artifact (an output of the run).
 * @module
 */
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import {
  finishRun,
  getRun,
  initRun,
  logArtifact,
  nameProblem,
  type Run,
  safeArtifactName,
} from "../lib/tracking/mod.ts";
import { confusionMatrixSvg, metricsTable, predictionsTable, writeSvg } from "../lib/display/mod.ts";
import { loadModel, logModel, type Model } from "../lib/models/mod.ts";
import {
  datasetArtifactName,
  LABEL_MAP_PRESETS,
  type LabelMap,
  LABELS,
  logDataset,
  readDataset,
} from "../lib/data/mod.ts";
import { batchStatistics, logPredictions, predictBatch } from "../lib/inference/mod.ts";
import { evaluate, formatEvaluation, logEvaluation } from "../lib/evaluation/mod.ts";
import { reportPage, staticPage } from "../lib/ui/mod.ts";
import { closingLines, fail, parseTask, positiveNumber, TRACKING_FLAGS, trackingOptions } from "./_cli.ts";

const DEFAULT_DATA = relative(Deno.cwd(), fileURLToPath(new URL("../data/sample.jsonl", import.meta.url)));
const REPORT_ROWS = 500;
const REPORT_FILES = ["index.html", "metrics.html", "confusion_matrix.svg", "predictions.html"] as const;

const { values } = parseTask({
  name: "evaluate",
  usage: ["[options]"],
  about: "Evaluates a sentiment model on labelled data and tracks the run (the local store by default).",
  flags: {
    model: {
      type: "string",
      arg: "NAME|FOLDER|URL",
      default: "default",
      help: "registry name (config/models.yaml), model folder, folder URL or stored model artifact " +
        "NAME:vN / NAME:ALIAS / NAME",
    },
    data: {
      type: "string",
      arg: "FILE|NAME:REF",
      default: DEFAULT_DATA,
      help:
        "JSONL, CSV or TSV with text and label columns, or a stored dataset artifact NAME:vN / NAME:ALIAS",
    },
    "data-name": {
      type: "string",
      arg: "NAME",
      help: "artifact name of the data file (default: <folder>-<file name>, the rule every task uses, so " +
        "train and evaluate of one file share its lineage)",
    },
    limit: { type: "string", arg: "N", help: "evaluate the first N samples only" },
    "batch-size": { type: "string", arg: "N", default: "256", help: "texts per model call" },
    workers: {
      type: "string",
      arg: "N",
      help: "worker threads that score in parallel, each with its own model session (default: the number " +
        "of cores; 1 = score on the main thread)",
    },
    "text-field": {
      type: "string",
      arg: "F",
      help: "text column (default: text, sentence, tweet, review or content)",
    },
    "label-field": {
      type: "string",
      arg: "F",
      help: "label column (default: label, sentiment, polarity, gold or class)",
    },
    "label-map": {
      type: "string",
      arg: "M",
      help: "numeric labels: 0/1/2, 0/1, -1/0/1, or pairs like 0=negative,4=positive",
    },
    report: {
      type: "string",
      arg: "DIR",
      help: `also write DIR/index.html (run, date, metrics, confusion matrix, predictions, as deno task ui ` +
        `draws them), DIR/metrics.html, DIR/confusion_matrix.svg and DIR/predictions.html (gold labels, ` +
        `first ${REPORT_ROWS} rows) and log them as a "report" artifact of the run`,
    },
    json: {
      type: "boolean",
      help: "print one JSON object (metrics, batch statistics, run) on stdout, nothing else",
    },
    ...TRACKING_FLAGS,
  },
});

const limit = positiveNumber("limit", values.limit, true);
const batchSize = positiveNumber("batch-size", values["batch-size"], true)!;
const workers = positiveNumber("workers", values.workers, true);
const tracking = trackingOptions(values);
const dataName: string | undefined = values["data-name"];
{
  const problem = dataName === undefined ? null : nameProblem(dataName, "name");
  if (problem) fail(`--data-name ${JSON.stringify(dataName)}: ${problem}`);
}
const modelArg: string = values.model!;
const reportDir = values.report;
if (reportDir !== undefined) {
  if (reportDir.trim() === "") fail("--report needs a folder, e.g. --report reports/run1");
  try {
    if (!(await Deno.stat(reportDir)).isDirectory) {
      fail(`--report ${reportDir} is a file, not a folder; pass a folder to write the report into`);
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) fail(`--report ${reportDir}: ${(e as Error).message}`);
  }
}
let labelMap: LabelMap | undefined;
if (values["label-map"] !== undefined) {
  const m = values["label-map"];
  if (Object.hasOwn(LABEL_MAP_PRESETS, m)) labelMap = m as keyof typeof LABEL_MAP_PRESETS;
  else {
    const pairs = m.split(",").map((p) => p.split("="));
    if (pairs.some((p) => p.length !== 2 || !(LABELS as readonly string[]).includes(p[1].trim()))) {
      fail(`--label-map ${JSON.stringify(m)}: use 0/1/2, 0/1, -1/0/1 or pairs like 0=negative,2=positive`);
    }
    labelMap = Object.fromEntries(pairs.map(([k, v]) => [k.trim(), v.trim()])) as LabelMap;
  }
}

// Validate everything the user gave before a run exists: bad data or model -> exit 1, nothing tracked.
let model: Model;
let data;
try {
  data = await readDataset(values.data!, {
    textField: values["text-field"],
    labelField: values["label-field"],
    labelMap,
  });
  model = await loadModel(modelArg);
} catch (e) {
  fail((e as Error).message);
}
const texts = limit === undefined ? data.texts : data.texts.slice(0, limit);
const gold = limit === undefined ? data.labels : data.labels.slice(0, limit);

let run: Run | undefined;
try {
  run = await initRun({
    ...tracking,
    jobType: "evaluate",
    config: {
      model: values.model,
      model_type: model.type,
      // a Hub model: repository, revision, commit and the digest of every file
      ...(model.card?.hub ? { model_hub: model.card.hub } : {}),
      data: values.data,
      limit: limit ?? null,
      batch_size: batchSize,
      samples: texts.length,
    },
  });
  const inputs = [await logDataset(run, data, { name: dataName }), await logRunModel(run)]
    .filter((a) => a !== null).map((a) => `${a!.type} ${a!.ref}`);

  const progress = await progressBar(texts.length);
  const started = performance.now();
  const predictions = await predictBatch(model, texts, {
    batchSize,
    workers,
    onProgress: progress ? (done) => progress.update(done) : undefined,
  });
  const seconds = (performance.now() - started) / 1000;
  progress?.stop();
  await model.close();

  // Binary scoring follows the whole file, not the --limit slice (a 3-class file stays 3-class).
  const result = evaluate(predictions, gold, { binary: data.labelDistribution.neutral === 0 });
  const stats = batchStatistics(predictions, { threshold: 0.5 });
  await logPredictions(run, predictions, { gold });
  await logEvaluation(run, result, { statistics: stats, seconds });
  const report = reportDir === undefined ? null : await writeReport(reportDir, run, {
    title: `${model.name} on ${values.data}${limit === undefined ? "" : ` (first ${texts.length})`}`,
    model: model.name,
    data: values.data!,
    dataName: dataName ?? data.ref?.replace(/:v\d+$/, "") ?? datasetArtifactName(data.path),
    result,
    predictions,
    gold,
  });
  // The result lines are printed before the run ends, so the run's output keeps them too.
  if (values.json) {
    console.log(JSON.stringify({
      run: {
        id: run.id,
        name: run.name,
        project: run.project,
        backend: run.backend,
        storeDir: run.storeDir,
        inputs: inputs,
      },
      model: { name: model.name, type: model.type },
      data: {
        path: values.data,
        format: data.format,
        samples: texts.length,
        // of the rows evaluated (the first --limit ones), not of the whole file
        labelDistribution: Object.fromEntries(LABELS.map((l) => [l, gold.filter((g) => g === l).length])),
        ...(texts.length < data.texts.length
          ? { fileSamples: data.texts.length, fileLabelDistribution: data.labelDistribution }
          : {}),
      },
      metrics: result,
      batchStatistics: stats,
      seconds,
      ...(report ? { report } : {}),
    }));
  } else {
    const lines = [
      `Evaluated ${model.name} (${model.type}) on ${values.data}: ${texts.length} texts in ${
        seconds.toFixed(2)
      } s`,
      "",
      formatEvaluation(result),
      "",
      `batch statistics: average confidence ${stats.averageConfidence.toFixed(3)}, ` +
      `${stats.belowThreshold} below ${stats.threshold} ` +
      `(${(100 * (stats.count ? stats.belowThreshold / stats.count : 0)).toFixed(1)}%); predicted ` +
      Object.entries(stats.labelDistribution).map(([l, n]) => `${l} ${n}`).join(", "),
      "",
    ];
    if (inputs.length) lines.push(`inputs: ${inputs.join(", ")}`);
    if (report) {
      lines.push(
        `report: ${report.files.join(", ")}` +
          (report.artifact ? ` (logged as report ${report.artifact})` : ""),
      );
    }
    lines.push(...closingLines(run));
    console.log(lines.join("\n"));
  }
  await finishRun(run, { exitCode: 0 });
} catch (e) {
  if (run) await finishRun(run, { exitCode: 1 });
  fail((e as Error).message);
}

/**
 * Records the model as an input of the run. logModel logs a folder from disk; a remote model (`--model URL`
 * or a registry read over HTTP) has none, so it is loaded again with the run: loadModel fetches its files
 * and logs them with the same digest as the local folder, and the evaluated model is the logged one.
 */
async function logRunModel(run: Run): Promise<{ type: string; ref: string } | null> {
  if (model.dir === null || !/^https?:\/\//i.test(model.dir)) return await logModel(run, model);
  const logged = await loadModel(modelArg, { run });
  await model.close();
  model = logged;
  const dir = run.storeDir;
  const used = dir ? getRun(run.id, { dir })?.used.find((u) => u.type === "model") : undefined;
  return used ?? null;
}

async function progressBar(total: number): Promise<{ update(n: number): void; stop(): void } | null> {
  if (!Deno.stderr.isTerminal() || total <= batchSize) return null;
  const { default: cliProgress } = await import("npm:cli-progress@3.12.0");
  const process = (await import("node:process")).default;
  const bar = new cliProgress.SingleBar({
    stream: process.stderr,
    format: "predicting [{bar}] {percentage}% {value}/{total} texts, eta {eta}s",
    hideCursor: true,
  }, cliProgress.Presets.shades_classic);
  bar.start(total, 0);
  return bar;
}

/**
 * Writes the report files (each atomically: a reader never sees half a file) and, when the run stores
 * anything, logs exactly those files (not whatever else is in the folder) as a `report` artifact.
 */
async function writeReport(
  dir: string,
  run: Run,
  input: {
    title: string;
    model: string;
    data: string;
    dataName: string;
    result: ReturnType<typeof evaluate>;
    predictions: Awaited<ReturnType<typeof predictBatch>>;
    gold: readonly string[];
  },
): Promise<{ dir: string; files: string[]; artifact: string | null }> {
  const { title, result, predictions, gold } = input;
  await Deno.mkdir(dir, { recursive: true });
  const [indexFile, metricsFile, svgFile, predictionsFile] = REPORT_FILES.map((f) => join(dir, f));
  const metrics = metricsTable(result, { title });
  const matrix = confusionMatrixSvg(result.confusionMatrix, result.labels, {
    title: `Confusion matrix: ${title}`,
  });
  const shown = Math.min(REPORT_ROWS, predictions.length);
  const predictionsHtml = predictionsTable(predictions, {
    gold,
    limit: REPORT_ROWS,
    title: `${title}: ${
      shown === predictions.length ? "all" : `the first ${shown} of`
    } ${predictions.length} predictions`,
  });
  await writeAtomic(metricsFile, staticPage(`Metrics: ${title}`, metrics));
  await writeSvg(svgFile, matrix);
  await writeAtomic(predictionsFile, staticPage(`Predictions: ${title}`, predictionsHtml));
  // The index: the same renderer as deno task ui (run id, date, metrics, matrix, predictions).
  await writeAtomic(
    indexFile,
    reportPage({
      title,
      runId: run.storeDir === null ? null : run.id,
      date: new Date().toISOString(),
      metrics,
      confusionMatrix: matrix,
      predictions: predictionsHtml,
      files: REPORT_FILES.slice(1),
    }),
  );
  const files = [indexFile, metricsFile, svgFile, predictionsFile];
  const name = safeArtifactName(`${input.model}-${input.dataName}-report`, "report");
  const logged = await logArtifact(run, {
    name,
    type: "report",
    description: `deno task evaluate report: ${title}`,
    metadata: {
      model: input.model,
      data: input.data,
      samples: predictions.length,
      rows_shown: shown,
      accuracy: result.accuracy,
    },
    files,
  });
  return { dir, files, artifact: logged?.ref ?? null };
}

/** Writes `text` next to `path` and renames it into place. */
async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    await Deno.writeTextFile(tmp, text);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}
