/**
 * `deno task evaluate [options]`: evaluates a model on a labelled dataset and tracks the run (config, the
 * dataset and model as input artifacts, a prediction table, metrics, batch statistics, the confusion
 * matrix and a confidence histogram); `--report DIR` also writes the pictures and logs them as a `report`
 * artifact. Streaming, in constant memory (lib/evaluation's evaluateModel does the work); `--shard I/N`
 * (or a Kubernetes Indexed Job / Slurm array environment) evaluates one shard and `--out DIR` writes its
 * partial result for `deno task merge DIR`.
 * @module
 */
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { finishRun, nameProblem } from "../lib/tracking/mod.ts";
import { type LabelMap, parseLabelMap, resolveShard, type Shard } from "../lib/data/mod.ts";
import { evaluateModel, formatEvaluation, type ModelEvaluation } from "../lib/evaluation/mod.ts";
import {
  closingLines,
  fail,
  parseTask,
  positiveNumber,
  runJson,
  SCORING_FLAGS,
  TRACKING_FLAGS,
  trackingOptions,
} from "./_cli.ts";
import { progress as progressDisplay } from "./_progress.ts";

const DEFAULT_DATA = relative(Deno.cwd(), fileURLToPath(new URL("../data/sample.jsonl", import.meta.url)));
const REPORT_ROWS = 500;

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
    ...SCORING_FLAGS,
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
    shard: {
      type: "string",
      arg: "I/N",
      help:
        "evaluate shard I of N (rows i with i % N == I); default: from JOB_COMPLETION_INDEX (Kubernetes " +
        "Indexed Job) or SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT (Slurm array), else everything",
    },
    "shard-count": {
      type: "string",
      arg: "N",
      help: "number of shards of a Kubernetes Indexed Job (its completions; or set SENTILAB_SHARD_COUNT)",
    },
    out: {
      type: "string",
      arg: "DIR",
      help: "write this evaluation's partial result (shard-I-of-N.json: counts, rows, input and model " +
        "digests) into DIR, for deno task merge DIR",
    },
    progress: {
      type: "boolean",
      help: "show progress (texts/s, ETA) on stderr also when it is not a terminal",
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
if (values.out !== undefined && values.out.trim() === "") fail("--out needs a folder, e.g. --out shards/");
let labelMap: LabelMap | undefined;
if (values["label-map"] !== undefined) {
  try {
    labelMap = parseLabelMap(values["label-map"]);
  } catch (e) {
    fail(`--${(e as Error).message.replace(/^label map/, "label-map")}`);
  }
}
let shard: Shard | undefined;
try {
  shard = resolveShard({ shard: values.shard, shardCount: values["shard-count"] }) ?? undefined;
} catch (e) {
  fail((e as Error).message);
}

// evaluateModel opens and checks the data and the model before it starts the run: bad data or model ->
// exit 1, nothing tracked.
const show = progressDisplay("scoring", values.progress);
let ev: ModelEvaluation;
try {
  ev = await evaluateModel(values.model!, values.data!, {
    textField: values["text-field"],
    labelField: values["label-field"],
    labelMap,
    tracking,
    finish: false,
    limit,
    batchSize,
    workers,
    shard,
    partialDir: values.out,
    dataName,
    report: reportDir,
    onProgress: show ?? undefined,
  });
} catch (e) {
  fail((e as Error).message);
} finally {
  show?.stop();
}
const run = ev.run!;
try {
  const { result, statistics: stats, seconds, report } = ev;
  // The result lines are printed before the run ends, so the run's output keeps them too.
  if (values.json) {
    console.log(JSON.stringify({
      run: { ...runJson(run), inputs: ev.inputs },
      model: ev.model,
      data: {
        ...ev.data,
        // as the user named it (a file or a stored dataset reference)
        path: values.data,
      },
      metrics: result,
      batchStatistics: stats,
      confidenceHistogram: ev.counts.confidenceHistogram,
      seconds,
      ...(ev.shard ? { shard: ev.shard } : {}),
      ...(ev.partial ? { partial: ev.partial } : {}),
      ...(report ? { report } : {}),
    }));
  } else {
    const slice = ev.shard ? ` (shard ${ev.shard.index}/${ev.shard.count})` : "";
    const lines = [
      `Evaluated ${ev.model.name} (${ev.model.type}) on ${values.data}${slice}: ${ev.count} texts in ${
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
    if (ev.inputs.length) lines.push(`inputs: ${ev.inputs.join(", ")}`);
    if (report) {
      lines.push(
        `report: ${report.files.join(", ")}` +
          (report.artifact ? ` (logged as report ${report.artifact})` : ""),
      );
    }
    if (ev.partial) {
      lines.push(`partial result: ${ev.partial} (combine the shards: deno task merge ${values.out})`);
    }
    lines.push(...closingLines(run));
    console.log(lines.join("\n"));
  }
  await finishRun(run, { exitCode: 0 });
} catch (e) {
  await finishRun(run, { exitCode: 1 });
  fail((e as Error).message);
}
