/**
 * The word lists of the dense lexicon features, read from pinned npm packages at training time and then
 * saved inside the model's `features.json` (so inference needs no lexicon package).
 * @module
 */
import afinn from "npm:sentiment@5.0.2/languages/en/labels.json" with { type: "json" };
import emoji from "npm:sentiment@5.0.2/build/emoji.json" with { type: "json" };
import { lexicon as vader } from "npm:vader-sentiment@1.1.3/src/vader_lexicon.js";
import type { LexiconTable, SentimentMarkers } from "../models/_features.ts";

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

/** Emoticon-looking VADER entries: punctuation with at most one letter (":-)", ":d", "</3"). */
const EMOTICON_RE = /^(?=.*[:;=()[\]<>/\\|*^@$])[^\s]{2,}$/u;

/**
 * Sentiment markers of the version-2 feature spec: every emoji of npm:sentiment@5.0.2 build/emoji.json
 * (sign of its valence) and every emoticon of npm:vader-sentiment@1.1.3 (valence of at least 1 in
 * size) that the tokenizer keeps as one token, read as ":)" or ":(" in the word stream.
 * @param tokenize The tokenizer of the spec the markers are for (an entry must be one token).
 * @returns The markers, keys sorted (stable features.json).
 */
export function defaultMarkers(tokenize: (text: string) => string[]): SentimentMarkers {
  const raw: Record<string, number> = {};
  for (const [k, v] of Object.entries(vader as Record<string, number>)) {
    if (EMOTICON_RE.test(k) && (k.match(/\p{L}/gu)?.length ?? 0) <= 1 && Math.abs(v) >= 1) raw[k] = v;
  }
  for (const [k, v] of Object.entries(emoji as Record<string, number>)) raw[k] = v;
  const entries: Record<string, number> = {};
  for (const key of Object.keys(raw).sort()) {
    const toks = tokenize(key);
    if (toks.length !== 1 || raw[key] === 0 || toks[0] in entries) continue;
    // the whole key must survive as the token (emoji modifiers aside): "0:)" must not become "0"
    if (!/\p{Extended_Pictographic}/u.test(toks[0]) && toks[0] !== key.toLowerCase()) continue;
    if (/^[!?]+$/.test(toks[0])) continue;
    entries[toks[0]] = Math.sign(raw[key]);
  }
  return { positive: ":)", negative: ":(", entries };
}
