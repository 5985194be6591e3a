// Maps a Hugging Face classifier's id2label (config.json) to sentilab's labels: one rule for every
// transformer model, with an explicit override from models.yaml.
import { type Label, LABEL_ALIASES, LABELS } from "../sentiment/mod.ts";

/** How the classes of a transformer map onto sentilab labels. */
export interface HfLabelMapping {
  /** The sentilab labels the model can output, in LABELS order (2 for binary models, else 3). */
  labels: Label[];
  /** For each class index of the model, the index into `labels` its probability is added to. */
  target: number[];
  /** For the model card: class name → label. */
  table: Record<string, Label>;
}

// The label names and aliases are lib/sentiment's, the same as for datasets.
const NAMES: Readonly<Record<string, Label>> = LABEL_ALIASES;

/** `1 star`, `2 stars`, `5_stars`, `3-star`: the number of stars, else null. */
function stars(name: string): number | null {
  const m = /^([1-5])[\s_-]*stars?$/i.exec(name.trim());
  return m ? Number(m[1]) : null;
}

/**
 * The mapping of `id2label` (class index → name): `override` (name → label, from models.yaml) first, then
 * names in any case (`NEGATIVE`, `Neutral`, `pos`), star ratings (1-2 stars negative, 3 neutral, 4-5
 * positive), and `LABEL_0..N` (2 classes: negative, positive as in SST-2 models; 3 classes: negative,
 * neutral, positive as in the TweetEval/cardiffnlp models).
 * @throws {Error} naming `where` and listing every class that cannot be mapped, with the override to add.
 */
export function mapHfLabels(
  id2label: unknown,
  where: string,
  override: Record<string, string> = {},
): HfLabelMapping {
  if (typeof id2label !== "object" || id2label === null || Array.isArray(id2label)) {
    throw new Error(
      `${where}: id2label must be an object of class index → label name, e.g. {"0": "NEGATIVE"}`,
    );
  }
  const entries = Object.entries(id2label as Record<string, unknown>);
  const n = entries.length;
  const names: string[] = new Array(n);
  for (const [k, v] of entries) {
    const i = Number(k);
    if (!Number.isInteger(i) || i < 0 || i >= n || typeof v !== "string" || names[i] !== undefined) {
      throw new Error(
        `${where}: id2label must map the indices 0..${n - 1} to names; got ${JSON.stringify(id2label)}`,
      );
    }
    names[i] = v;
  }
  if (n < 2) throw new Error(`${where}: id2label has ${n} class; a sentiment classifier needs at least 2`);
  const generic = names.every((name, i) => name === `LABEL_${i}`);
  const mapped: (Label | null)[] = names.map((name) => {
    const o = override[name] ?? override[name.toLowerCase()];
    if (o !== undefined) return (LABELS as readonly string[]).includes(o) ? o as Label : null;
    const key = name.trim().toLowerCase();
    const byName = Object.hasOwn(NAMES, key) ? NAMES[key] : undefined;
    if (byName) return byName;
    const s = stars(name);
    if (s !== null) return s <= 2 ? "negative" : s === 3 ? "neutral" : "positive";
    if (generic && n === 2) return (["negative", "positive"] as const)[names.indexOf(name)];
    if (generic && n === 3) return LABELS[names.indexOf(name)];
    return null;
  });
  const bad = names.filter((_, i) => mapped[i] === null);
  if (bad.length) {
    throw new Error(
      `${where}: cannot map the model's labels ${bad.map((b) => JSON.stringify(b)).join(", ")} (of ` +
        `${
          names.map((b) => JSON.stringify(b)).join(", ")
        }) to negative/neutral/positive; add a labelMap to ` +
        `its models.yaml entry, e.g. labelMap: { ${JSON.stringify(bad[0])}: negative }`,
    );
  }
  const labels = LABELS.filter((l) => mapped.includes(l));
  if (labels.length < 2) {
    throw new Error(
      `${where}: every class of the model maps to ${labels[0]} (${names.join(", ")}); ` +
        "a sentiment classifier needs at least two of negative/neutral/positive",
    );
  }
  return {
    labels,
    target: mapped.map((l) => labels.indexOf(l!)),
    table: Object.fromEntries(names.map((name, i) => [name, mapped[i]!])),
  };
}
