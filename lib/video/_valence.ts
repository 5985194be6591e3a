/**
 * Private: valence helpers shared by the text and face signals.
 * @module
 */

import type { Label } from "../models/types.ts";

/** Label of a valence in -1..1: above 0.2 positive, below -0.2 negative, else neutral. */
export function valenceLabel(valence: number): Label {
  return valence > 0.2 ? "positive" : valence < -0.2 ? "negative" : "neutral";
}

/** Rounds to `d` decimals. */
export function round(n: number, d: number): number {
  const f = 10 ** d;
  return Math.round(n * f) / f;
}
