/**
 * Private: frame-rate rationals.
 * @module
 */

/** Parses "30000/1001" to a number; null for "0/0" or garbage. */
export function rationalToNumber(r: string): number | null {
  const m = /^(\d+)(?:\/(\d+))?$/.exec(r.trim());
  if (!m) return null;
  const num = Number(m[1]);
  const den = m[2] === undefined ? 1 : Number(m[2]);
  if (den === 0 || num === 0) return null;
  return num / den;
}

/** Best rational for a decimal rate printed by ffmpeg ("29.97" → "30000/1001", "25" → "25/1"). */
export function numberToRational(fps: number): string {
  if (Number.isInteger(fps)) return `${fps}/1`;
  const ntsc = Math.round(fps * 1.001);
  if (Math.abs(ntsc / 1.001 - fps) < 0.006) return `${ntsc * 1000}/1001`;
  let den = 1;
  while (den < 1000000 && Math.abs(Math.round(fps * den) - fps * den) > 1e-6) den *= 10;
  const num = Math.round(fps * den);
  const g = gcd(num, den);
  return `${num / g}/${den / g}`;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
