/**
 * The files of an evaluation report (index.html, metrics.html, confusion_matrix.svg, predictions.html), written
 * atomically, and their `report` artifact. Used by evaluateModel and the shard merge.
 * @module
 */
import { join } from "node:path";
import { writeAtomic } from "../_fs/write_atomic.ts";
import { confusionMatrixSvg, metricsTable, predictionsTable, writeSvg } from "../display/mod.ts";
import type { Prediction } from "../models/types.ts";
import { logArtifact, type Run } from "../tracking/mod.ts";
import { reportPage } from "../ui/report_page.ts";
import { staticPage } from "../ui/static_page.ts";
import type { EvaluationResult } from "./evaluate.ts";

/** Rows of predictions.html. */
export const REPORT_ROWS = 500;
/** The report's files, in order. */
export const REPORT_FILES = [
  "index.html",
  "metrics.html",
  "confusion_matrix.svg",
  "predictions.html",
] as const;

/** What was written. */
export interface WrittenReport {
  /** The folder. */
  dir: string;
  /** The files written. */
  files: string[];
  /** The `report` artifact (`name:vN`), when the run stores anything. */
  artifact: string | null;
}

/**
 * Writes the report files (each atomically: a reader never sees half a file) and, with a run, logs exactly
 * those files (not whatever else is in the folder) as a `report` artifact named `artifactName`.
 * `predictions` are the first rows (at most {@linkcode REPORT_ROWS} are shown) of `total`.
 */
export async function writeReport(dir: string, run: Run | undefined, input: {
  title: string;
  artifactName: string;
  metadata: Record<string, unknown>;
  result: EvaluationResult;
  predictions: readonly Prediction[];
  gold: readonly string[];
  total: number;
}): Promise<WrittenReport> {
  const { title, result, predictions, gold, total } = input;
  await Deno.mkdir(dir, { recursive: true });
  const [indexFile, metricsFile, svgFile, predictionsFile] = REPORT_FILES.map((f) => join(dir, f));
  const metrics = metricsTable(result, { title });
  const matrix = confusionMatrixSvg(result.confusionMatrix, result.labels, {
    title: `Confusion matrix: ${title}`,
  });
  const shown = Math.min(REPORT_ROWS, predictions.length);
  const predictionsHtml = predictionsTable(predictions.slice(0, shown), {
    gold: gold.slice(0, shown),
    limit: REPORT_ROWS,
    title: `${title}: ${shown === total ? "all" : `the first ${shown} of`} ${total} predictions`,
  });
  await writeAtomic(metricsFile, staticPage(`Metrics: ${title}`, metrics));
  await writeSvg(svgFile, matrix);
  await writeAtomic(predictionsFile, staticPage(`Predictions: ${title}`, predictionsHtml));
  // The index: the same renderer as deno task ui (run id, date, metrics, matrix, predictions).
  await writeAtomic(
    indexFile,
    reportPage({
      title,
      runId: run && run.storeDir !== null ? run.id : null,
      date: new Date().toISOString(),
      metrics,
      confusionMatrix: matrix,
      predictions: predictionsHtml,
      files: REPORT_FILES.slice(1),
    }),
  );
  const files = [indexFile, metricsFile, svgFile, predictionsFile];
  if (!run) return { dir, files, artifact: null };
  const logged = await logArtifact(run, {
    name: input.artifactName,
    type: "report",
    description: `deno task evaluate report: ${title}`,
    metadata: { ...input.metadata, samples: total, rows_shown: shown, accuracy: result.accuracy },
    files,
  });
  return { dir, files, artifact: logged?.ref ?? null };
}
