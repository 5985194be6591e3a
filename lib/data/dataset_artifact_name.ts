import { safeArtifactName } from "../tracking/mod.ts";
import { basename, dirname, resolve } from "node:path";

/**
 * The artifact name of a data file, one rule for every task (train, evaluate) and for `readDataset` /
 * `logDataset`: `<parent folder>-<file name>` of the file's absolute path, with characters the store does
 * not allow replaced by `-`. So `data/sst2/test.jsonl` is `sst2-test.jsonl` whichever task logs it (and
 * train and evaluate of the same file share one artifact and its lineage), while `test.jsonl` files of two
 * folders stay two artifacts. A file whose folder cannot be named (the file system root) is its file
 * name alone. Pass a name explicitly (`--data-name`, `artifactName`) to override.
 *
 * @param path The data file (relative to the working directory, or absolute).
 * @returns The artifact name.
 *
 * @example
 * ```ts
 * import { datasetArtifactName } from "./mod.ts";
 * console.log(datasetArtifactName("data/sst2/test.jsonl")); // "sst2-test.jsonl"
 * ```
 */
export function datasetArtifactName(path: string): string {
  const abs = resolve(path);
  const folder = basename(dirname(abs));
  const file = basename(abs) || "dataset";
  return safeArtifactName(folder ? `${folder}-${file}` : file, "dataset");
}
