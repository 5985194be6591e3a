// Dynamic padding: texts sorted by length and padded per sub-batch, so short texts do not pay for long ones.

/**
 * Splits the indices of `lengths` into sub-batches of at most `size`, each holding texts of similar length
 * (sorted by length, longest first), so each is padded only to its own longest text.
 */
export function planBatches(lengths: readonly number[], size: number): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[b] - lengths[a] || a - b);
  const batches: number[][] = [];
  for (let i = 0; i < order.length; i += size) batches.push(order.slice(i, i + size));
  return batches;
}
