import { logDatasetArtifact, type Run, useArtifact, type UsedArtifact } from "../tracking/mod.ts";
import type { Dataset } from "./read_dataset.ts";
import { datasetArtifactName } from "./dataset_artifact_name.ts";

/** Options for {@linkcode logDataset}. */
export interface LogDatasetOptions {
  /** Artifact name (default: {@linkcode datasetArtifactName} of the file, `<folder>-<file name>`). */
  name?: string;
  /** Extra metadata merged into the artifact's metadata. */
  metadata?: Record<string, unknown>;
}

/**
 * Records a dataset read by `readDataset` as a `dataset` artifact used by the run (an input): the file,
 * with metadata `{ samples, label_distribution, format, text_field, label_field }`. Identical content adds
 * no version. `readDataset(path, { run })` calls this. A dataset read from a stored version
 * (`readDataset("NAME:vN")`) records that version as the input instead.
 *
 * @param run The run (tracking's `initRun`).
 * @param dataset What `readDataset` (or `streamDataset`) returned.
 * @param options Artifact name and extra metadata.
 * @returns The used artifact version, or null when the run's backend stores nothing.
 * @throws {Error} Only when the tracker was asked to be strict and logging failed.
 *
 * @example
 * ```ts
 * import { finishRun, initRun } from "../tracking/mod.ts";
 * import { logDataset, readDataset } from "./mod.ts";
 * const file = await Deno.makeTempFile({ suffix: ".jsonl" });
 * await Deno.writeTextFile(file, '{"text": "Loved it", "label": "pos"}\n');
 * const run = await initRun({ tracker: "disabled" });
 * await logDataset(run, await readDataset(file));
 * await finishRun(run);
 * ```
 */
export async function logDataset(
  run: Run,
  dataset: Pick<
    Dataset,
    "path" | "format" | "count" | "labelDistribution" | "textField" | "labelField" | "ref"
  >,
  options: LogDatasetOptions = {},
): Promise<UsedArtifact | null> {
  if (dataset.ref !== null && options.name === undefined) {
    // read from a stored version: that exact version is the input
    return await useArtifact(run, dataset.ref);
  }
  const name = options.name ?? datasetArtifactName(dataset.path);
  return await logDatasetArtifact(run, dataset.path, {
    name,
    use: true,
    description: `${dataset.format.toUpperCase()} sentiment dataset, ${dataset.count} samples`,
    metadata: {
      samples: dataset.count,
      label_distribution: dataset.labelDistribution,
      format: dataset.format,
      text_field: dataset.textField,
      label_field: dataset.labelField,
      ...options.metadata,
    },
  });
}
