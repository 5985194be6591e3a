import { LABELS, type Model } from "./types.ts";

/** The npm sentiment lexicons a lexicon model can use. */
export type LexiconLibrary = "wink-sentiment" | "sentiment" | "vader-sentiment";

/**
 * The lexicon libraries, their pinned npm specifiers and default mapping parameters.
 *
 * @example
 * ```ts
 * import { LEXICON_LIBRARIES } from "./lexicon_model.ts";
 * for (const [name, lib] of Object.entries(LEXICON_LIBRARIES)) console.log(name, lib.npm, lib.score);
 * ```
 */
export const LEXICON_LIBRARIES: Record<
  LexiconLibrary,
  { npm: string; scale: number; threshold: number; score: string }
> = {
  "wink-sentiment": {
    npm: "npm:wink-sentiment@5.0.2",
    scale: 1,
    threshold: 0.5,
    score: "AFINN-165 + emoji sum, negation-aware (score)",
  },
  "sentiment": {
    npm: "npm:sentiment@5.0.2",
    scale: 1,
    threshold: 0.5,
    score: "AFINN-165 sum, negation-aware (score)",
  },
  "vader-sentiment": {
    npm: "npm:vader-sentiment@1.1.3",
    scale: 4,
    threshold: 0.05,
    score: "VADER compound in [-1, 1]",
  },
};

/** Options for {@linkcode createLexiconModel}. */
export interface LexiconModelOptions {
  /** Which lexicon (default `"wink-sentiment"`: the best macro-recall of the JS lexicons on TweetEval). */
  library?: LexiconLibrary;
  /** Model name (default `"lexicon"`). */
  name?: string;
  /** Description (default: generated from the library). */
  description?: string;
  /** Slope `k` of the mapping (default per library: 1 for AFINN sums, 4 for VADER's compound). */
  scale?: number;
  /** |score| above which a text is not neutral (default 0.5 for AFINN sums, 0.05 for VADER). */
  threshold?: number;
}

/**
 * Creates the lexicon baseline: a well-kept npm lexicon scores each text, and that raw score `s` becomes
 * three probabilities by a smooth, documented mapping:
 *
 * `[p_negative, p_neutral, p_positive] = softmax([-k·s, k·t, k·s])`
 *
 * with slope `k` (`scale`) and neutral band `t` (`threshold`). At `s = 0` neutral wins (0.45 with the
 * defaults, the other two 0.27 each: a lexicon that found nothing is not sure); a text is positive exactly
 * when `s > t` and negative when `s < -t`, so with `t = 0.5` on integer AFINN sums the labels are the
 * library's score sign, as in the published baselines; the confidence grows smoothly with |s| (0.57 at
 * s = 1, 0.92 at s = 3). The model has no folder; its `card` records library, version and mapping.
 *
 * Texts: any string is accepted. To bound the time one text can take, texts longer than 100,000
 * characters are scored on their first 100,000, and runs of more than 64 non-space characters (URLs,
 * hashes, noise; no lexicon word is that long) on their first 64: wink-sentiment's tokenizer is quadratic
 * in token length (3 s for one 16,000-character token).
 *
 * @param options Library, name and mapping parameters.
 * @returns The model.
 * @throws {Error} When the library is unknown or a parameter is not a positive finite number.
 *
 * @example
 * ```ts
 * import { createLexiconModel } from "./mod.ts";
 * const model = await createLexiconModel({ library: "sentiment" });
 * const [row] = await model.scoreBatch(["I love it"]);
 * console.log(model.labels, row); // positive has the highest score
 * ```
 */
export async function createLexiconModel(options: LexiconModelOptions = {}): Promise<Model> {
  const library = options.library ?? "wink-sentiment";
  const spec = LEXICON_LIBRARIES[library];
  if (!spec) {
    throw new Error(
      `Unknown lexicon library ${JSON.stringify(library)}; use one of ${
        Object.keys(LEXICON_LIBRARIES).join(", ")
      }`,
    );
  }
  const k = options.scale ?? spec.scale;
  const t = options.threshold ?? spec.threshold;
  for (const [name, v] of [["scale", k], ["threshold", t]] as const) {
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) {
      throw new Error(`Invalid lexicon ${name} ${JSON.stringify(v)}: use a positive number`);
    }
  }
  const score = await scorerOf(library);
  const version = spec.npm.split("@").pop()!;
  return {
    name: options.name ?? "lexicon",
    type: "lexicon",
    labels: LABELS,
    description: options.description ?? `Lexicon baseline: ${library}@${version} score mapped to 3 classes`,
    dir: null,
    card: {
      type: "lexicon",
      library,
      version,
      npm: spec.npm,
      score: spec.score,
      mapping: "softmax([-k*s, k*t, k*s]) over [negative, neutral, positive]",
      scale: k,
      threshold: t,
      maxChars: MAX_CHARS,
      maxRunChars: 64,
    },
    scoreBatch(texts: readonly string[]): Promise<Float32Array[]> {
      const rows = new Array<Float32Array>(texts.length);
      for (let i = 0; i < texts.length; i++) {
        const text = texts[i];
        const s = score(bounded(text));
        rows[i] = probabilities(Number.isFinite(s) ? s : 0, k, t);
      }
      return Promise.resolve(rows);
    },
    close(): Promise<void> {
      return Promise.resolve();
    },
  };
}

const MAX_CHARS = 100_000;
const LONG_RUN = /\S{65,}/;
const LONG_RUNS = /\S{65,}/g;

function bounded(text: string): string {
  const t = text.length > MAX_CHARS ? text.slice(0, MAX_CHARS) : text;
  return LONG_RUN.test(t) ? t.replace(LONG_RUNS, (run) => run.slice(0, 64)) : t;
}

function probabilities(s: number, k: number, t: number): Float32Array {
  const zn = -k * s, z0 = k * t, zp = k * s;
  const m = Math.max(zn, z0, zp);
  const en = Math.exp(zn - m), e0 = Math.exp(z0 - m), ep = Math.exp(zp - m);
  const sum = en + e0 + ep;
  return Float32Array.of(en / sum, e0 / sum, ep / sum);
}

type Scorer = (text: string) => number;

async function scorerOf(library: LexiconLibrary): Promise<Scorer> {
  if (library === "wink-sentiment") {
    // deno-lint-ignore no-explicit-any
    const wink: any = (await import("npm:wink-sentiment@5.0.2")).default;
    return (text) => wink(text).score;
  }
  if (library === "sentiment") {
    // deno-lint-ignore no-explicit-any
    const Sentiment: any = (await import("npm:sentiment@5.0.2")).default;
    const analyzer = new Sentiment();
    return (text) => analyzer.analyze(text).score;
  }
  // deno-lint-ignore no-explicit-any
  const vader: any = (await import("npm:vader-sentiment@1.1.3")).default;
  return (text) => vader.SentimentIntensityAnalyzer.polarity_scores(text).compound;
}
