/**
 * Reading labelled sentiment data (JSONL, CSV, TSV) with normalised labels and errors that name the
 * file and line; text lines from raw bytes (stdin).
 *
 * @example
 * ```ts
 * import { readDataset } from "./mod.ts";
 * const file = await Deno.makeTempFile({ suffix: ".jsonl" });
 * await Deno.writeTextFile(file, '{"text": "Loved it", "label": "pos"}\n');
 * const data = await readDataset(file);
 * console.log(data.count, data.labelDistribution);
 * ```
 * @module
 */
export * from "./read_dataset.ts";
export * from "./stream_dataset.ts";
export * from "../sentiment/normalize_label.ts";
export * from "./resolve_shard.ts";
export * from "../sentiment/parse_label_map.ts";
export * from "./read_text_lines.ts";
export * from "./stream_text_lines.ts";
export * from "./log_dataset.ts";
export * from "./dataset_artifact_name.ts";
export type {
  ArtifactManifest,
  ArtifactVersion,
  BackendKind,
  ManifestEntry,
  Run,
  UsedArtifact,
} from "../tracking/mod.ts";
export { type Label, LABELS } from "../models/types.ts";
