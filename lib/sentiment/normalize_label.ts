import { type Label, LABELS } from "./labels.ts";

/**
 * How raw labels map to sentiment labels: an explicit table (`{ "0": "negative", "4": "positive" }`)
 * or a preset for numeric schemes: `"-1/0/1"` (negative/neutral/positive), `"0/1"` (negative/positive,
 * as SST-2), `"0/1/2"` (negative/neutral/positive, as TweetEval's raw files).
 */
export type LabelMap = Record<string, Label> | "-1/0/1" | "0/1" | "0/1/2";

/**
 * The label-map presets: raw numeric label -> sentiment label.
 *
 * @example
 * ```ts
 * import { LABEL_MAP_PRESETS } from "./normalize_label.ts";
 * console.log(LABEL_MAP_PRESETS["0/1"]["1"]); // positive (as SST-2)
 * console.log(Object.keys(LABEL_MAP_PRESETS)); // ["-1/0/1", "0/1", "0/1/2"]
 * ```
 */
export const LABEL_MAP_PRESETS: Record<"-1/0/1" | "0/1" | "0/1/2", Record<string, Label>> = {
  "-1/0/1": { "-1": "negative", "0": "neutral", "1": "positive" },
  "0/1": { "0": "negative", "1": "positive" },
  "0/1/2": { "0": "negative", "1": "neutral", "2": "positive" },
};

/**
 * The label aliases, lower-case: every name sentilab accepts for a sentiment label (case-insensitively).
 *
 * @example
 * ```ts
 * import { LABEL_ALIASES } from "./normalize_label.ts";
 * console.log(LABEL_ALIASES.neg); // negative
 * ```
 */
export const LABEL_ALIASES: Readonly<Record<string, Label>> = {
  negative: "negative",
  neg: "negative",
  neutral: "neutral",
  neu: "neutral",
  positive: "positive",
  pos: "positive",
};

/** Options for {@linkcode normalizeLabel}. */
export interface NormalizeLabelOptions {
  /** Declared mapping, tried first (keys compared after trimming, then case-insensitively). */
  labelMap?: LabelMap;
}

/**
 * Maps a raw label to `negative`, `neutral` or `positive`.
 *
 * Without a `labelMap`, names are accepted case-insensitively (`negative`/`neg`, `neutral`/`neu`,
 * `positive`/`pos`, e.g. `Positive`, `NEG`) and `-1` (negative in every numeric scheme). Other numbers
 * are ambiguous (`0` is neutral in -1/0/1 but negative in 0/1 and 0/1/2; `1` is neutral in 0/1/2) and
 * need a declared `labelMap`; `readDataset` reads a file whose numeric labels include `-1` as -1/0/1.
 *
 * @param raw The raw label (a string, or a number from JSON).
 * @param options The declared mapping.
 * @returns The sentiment label, or `null` when the raw label is not recognised.
 *
 * @example
 * ```ts
 * import { normalizeLabel } from "./normalize_label.ts";
 * console.log(normalizeLabel("Pos")); // "positive"
 * console.log(normalizeLabel(2, { labelMap: "0/1/2" })); // "positive"
 * console.log(normalizeLabel("2")); // null: declare a labelMap
 * ```
 */
export function normalizeLabel(raw: unknown, options: NormalizeLabelOptions = {}): Label | null {
  if (typeof raw !== "string" && typeof raw !== "number") return null;
  const key = String(raw).trim();
  if (options.labelMap !== undefined) {
    const map = typeof options.labelMap === "string" ? LABEL_MAP_PRESETS[options.labelMap] : options.labelMap;
    if (map === undefined) return null;
    if (Object.hasOwn(map, key)) return checked(map[key]);
    const lower = key.toLowerCase();
    for (const [k, v] of Object.entries(map)) if (k.toLowerCase() === lower) return checked(v);
    const numeric = Number(key);
    if (key !== "" && Number.isFinite(numeric)) {
      for (const [k, v] of Object.entries(map)) {
        if (k.trim() !== "" && Number(k) === numeric) return checked(v);
      }
    }
  }
  const named = Object.hasOwn(LABEL_ALIASES, key.toLowerCase())
    ? LABEL_ALIASES[key.toLowerCase()]
    : undefined;
  if (named) return named;
  if (key === "-1" || key === "-1.0") return "negative";
  return null;
}

function checked(label: string): Label | null {
  return (LABELS as readonly string[]).includes(label) ? label as Label : null;
}
