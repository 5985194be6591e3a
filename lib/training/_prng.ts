/**
 * A small seeded PRNG (mulberry32) so training is deterministic for a seed.
 * @module
 */

/**
 * Returns a function giving uniform numbers in [0, 1) from a 32-bit seed.
 * @param seed Any integer.
 * @returns The generator.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Shuffles an array in place (Fisher-Yates) with the given generator.
 * @param a The array.
 * @param rand The generator.
 */
export function shuffleInPlace(a: Int32Array | number[], rand: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}

/**
 * A stable fraction in [0, 1) for a text (hash of its lower-cased, whitespace-collapsed form): used to
 * cut deterministic train / validation / test slices of a file, independent of the seed.
 * @param text The text.
 * @returns The fraction.
 */
export function textFraction(text: string): number {
  const s = text.toLowerCase().replace(/\s+/g, " ").trim();
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return (h >>> 0) / 4294967296;
}
