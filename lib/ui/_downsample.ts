// Private: Largest-Triangle-Three-Buckets downsampling (Steinarsson 2013): keeps the first and last point
// and, per bucket, the point that makes the largest triangle with its neighbours, so peaks and the
// shape of a long series survive in a few thousand points.
import type { LinePoint } from "../display/mod.ts";

/** At most `threshold` points of `points` (sorted by x) chosen by LTTB; shorter series are returned as is. */
export function lttb(points: readonly LinePoint[], threshold: number): LinePoint[] {
  const n = points.length;
  if (threshold >= n || threshold < 3) return [...points];
  const out: LinePoint[] = [points[0]];
  const every = (n - 2) / (threshold - 2);
  let a = 0;
  for (let i = 0; i < threshold - 2; i++) {
    // Average of the next bucket: the third corner of the triangle.
    const nextStart = Math.floor((i + 1) * every) + 1;
    const nextEnd = Math.min(Math.floor((i + 2) * every) + 1, n);
    let avgX = 0, avgY = 0;
    for (let j = nextStart; j < nextEnd; j++) (avgX += points[j].x, avgY += points[j].y);
    const len = Math.max(1, nextEnd - nextStart);
    avgX /= len;
    avgY /= len;
    const start = Math.floor(i * every) + 1;
    const end = Math.floor((i + 1) * every) + 1;
    const pa = points[a];
    let best = -1, pick = start;
    for (let j = start; j < end; j++) {
      const area = Math.abs((pa.x - avgX) * (points[j].y - pa.y) - (pa.x - points[j].x) * (avgY - pa.y));
      if (area > best) (best = area, pick = j);
    }
    out.push(points[pick]);
    a = pick;
  }
  out.push(points[n - 1]);
  return out;
}
