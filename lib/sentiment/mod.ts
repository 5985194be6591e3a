/**
 * The sentiment core, the ground floor of every sentiment module: the labels (`LABELS`), their aliases and
 * label maps (`normalizeLabel`, `parseLabelMap`), the binary scoring rule (`binaryLabel`) and score rows to predictions
 * (`toPredictions`). Each rule lives here once; models, data, inference, evaluation, training and video
 * use it. It imports nothing outside itself.
 *
 * @example
 * ```ts
 * import { binaryLabel, normalizeLabel } from "./mod.ts";
 * console.log(normalizeLabel("Pos"), binaryLabel(0.3, 0.2)); // positive negative
 * ```
 * @module
 */
export * from "./labels.ts";
export * from "./normalize_label.ts";
export * from "./parse_label_map.ts";
export * from "./binary_label.ts";
export * from "./to_predictions.ts";
