/**
 * Sentiment models: the registry (`config/models.yaml`), `loadModel` by name or folder, sentilab's ONNX
 * classifier (onnxruntime-node) and the lexicon baseline on an npm lexicon. Training lives in
 * lib/training (re-exported by the root mod.ts), so loading a model never loads training code.
 *
 * @example
 * ```ts
 * import { loadModel } from "./mod.ts";
 * const model = await loadModel("lexicon");
 * const [scores] = await model.scoreBatch(["What a great day"]);
 * console.log(model.labels, scores);
 * await model.close();
 * ```
 * @module
 */
export * from "./types.ts";
export * from "./load_model.ts";
export * from "./lexicon_model.ts";
export * from "./log_model.ts";
export * from "./onnx_model.ts";
export * from "./hf_model.ts";
export * from "./download_hf_model.ts";
export type {
  ArtifactManifest,
  ArtifactVersion,
  BackendKind,
  ManifestEntry,
  Run,
  UsedArtifact,
} from "../tracking/mod.ts";
