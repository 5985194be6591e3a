/**
 * Lexicon-library baselines measured in the same run as the trained model, for the model card:
 * wink-sentiment and sentiment (AFINN-165) by the sign of their score, vader-sentiment by its compound
 * score (±0.05 is neutral, as in VADER's documentation).
 * @module
 */
import wink from "npm:wink-sentiment@5.0.2";
import Sentiment from "npm:sentiment@5.0.2";
import vader from "npm:vader-sentiment@1.1.3";

/** A baseline: text → class id (0 negative, 1 neutral, 2 positive), and a binary variant. */
export interface Baseline {
  /** Name in the card. */
  name: string;
  /** 3-class rule: score > 0 positive, < 0 negative, 0 neutral (VADER: compound beyond ±0.05). */
  predict(text: string): number;
  /** Binary rule: score >= 0 positive, else negative. */
  predictBinary(text: string): number;
}

/**
 * The lexicon baselines.
 * @returns wink-sentiment, sentiment and vader-sentiment.
 */
export function lexiconBaselines(): Baseline[] {
  const afinn = new Sentiment();
  const winkScore = (t: string) => {
    try {
      return wink(t).score;
    } catch {
      return 0;
    }
  };
  const afinnScore = (t: string) => {
    try {
      return afinn.analyze(t).score;
    } catch {
      return 0;
    }
  };
  const vaderScore = (t: string) => {
    try {
      return vader.SentimentIntensityAnalyzer.polarity_scores(t).compound;
    } catch {
      return 0;
    }
  };
  const make = (name: string, f: (t: string) => number, band = 0): Baseline => ({
    name,
    predict: (t) => {
      const s = f(t);
      return s > band ? 2 : s < -band ? 0 : 1;
    },
    predictBinary: (t) => (f(t) >= 0 ? 2 : 0),
  });
  return [
    make("wink-sentiment", winkScore),
    make("sentiment (AFINN-165)", afinnScore),
    make("vader-sentiment", vaderScore, 0.05),
  ];
}
