import { LABELS } from "./labels.ts";
import { LABEL_MAP_PRESETS, type LabelMap } from "./normalize_label.ts";

/**
 * Reads a label map written as text (a task's `--label-map`): a preset name (`0/1/2`, `0/1`, `-1/0/1`) or
 * pairs `RAW=LABEL` separated by commas, e.g. `0=negative,4=positive`.
 *
 * @param text The map as text.
 * @returns The label map for `readDataset` / `streamDataset`.
 * @throws {Error} When it is neither a preset nor well-formed pairs with sentiment labels.
 * @example
 * ```ts
 * import { parseLabelMap } from "./parse_label_map.ts";
 * console.log(parseLabelMap("0=negative,4=positive")); // { "0": "negative", "4": "positive" }
 * console.log(parseLabelMap("0/1/2")); // "0/1/2"
 * ```
 */
export function parseLabelMap(text: string): LabelMap {
  if (Object.hasOwn(LABEL_MAP_PRESETS, text)) return text as keyof typeof LABEL_MAP_PRESETS;
  const pairs = text.split(",").map((p) => p.split("="));
  if (
    pairs.some((p) =>
      p.length !== 2 || p[0].trim() === "" || !(LABELS as readonly string[]).includes(p[1].trim())
    )
  ) {
    throw new Error(
      `label map ${JSON.stringify(text)}: use 0/1/2, 0/1, -1/0/1 or pairs like 0=negative,2=positive`,
    );
  }
  return Object.fromEntries(pairs.map(([k, v]) => [k.trim(), v.trim()])) as LabelMap;
}
