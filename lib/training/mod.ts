/**
 * Training sentilab's own classifier: `trainClassifier` (data loading, hyperparameter search, ONNX export,
 * model card) and `readTrainRecipe`. Kept apart from lib/models so that serving (`loadModel`) never loads
 * training code or its progress bars; the featurizer (lib/models/_features.ts) is shared by both.
 *
 * @example
 * ```ts ignore
 * import { readTrainRecipe, trainClassifier } from "./mod.ts";
 * const recipe = await readTrainRecipe("config/train_default.yaml");
 * const result = await trainClassifier({ ...recipe, out: "models/mine" });
 * console.log(result.metrics);
 * ```
 * @module
 */
export * from "./types.ts";
export * from "./train_classifier.ts";
export * from "./read_train_recipe.ts";
export * from "./track_grid_trials.ts";
export * from "./train_tracked.ts";
