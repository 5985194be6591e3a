/**
 * The word lists of the dense lexicon features, read from pinned npm packages at training time and then
 * saved inside the model's `features.json` (so inference needs no lexicon package).
 * @module
 */
import afinn from "npm:sentiment@5.0.2/languages/en/labels.json" with { type: "json" };
import emoji from "npm:sentiment@5.0.2/build/emoji.json" with { type: "json" };
import { lexicon as vader } from "npm:vader-sentiment@1.1.3/src/vader_lexicon.js";
import type { LexiconTable } from "../_features.ts";

function scaled(entries: Record<string, number>, divisor: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of Object.keys(entries).sort()) {
    const k = key.toLowerCase();
    if (k.includes(" ") || k in out) continue; // single tokens only; first spelling wins
    out[k] = Math.round((entries[key] / divisor) * 1e4) / 1e4;
  }
  return out;
}

/**
 * AFINN-165 (+ the emoji valences) from npm:sentiment@5.0.2 scaled by 1/5, and the VADER lexicon from
 * npm:vader-sentiment@1.1.3 scaled by 1/4.
 * @returns The two word lists.
 */
export function defaultLexicons(): LexiconTable[] {
  return [
    {
      name: "afinn165",
      source: "npm:sentiment@5.0.2 languages/en/labels.json + build/emoji.json, valence / 5",
      entries: scaled({ ...(emoji as Record<string, number>), ...(afinn as Record<string, number>) }, 5),
    },
    {
      name: "vader",
      source: "npm:vader-sentiment@1.1.3 src/vader_lexicon.js, valence / 4",
      entries: scaled(vader as Record<string, number>, 4),
    },
  ];
}
