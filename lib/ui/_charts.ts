// Private: metric histories as line charts (lib/display's lineChartSvg), downsampled, for the run page,
// its live updates, exports and the compare page.
import { lineChartSvg, type LineSeries } from "../display/mod.ts";
import type { HistoryRow } from "../tracking/mod.ts";
import { lttb } from "./_downsample.ts";

/** Points kept per series after downsampling. */
export const MAX_POINTS = 2000;
/** Charts drawn per page at most. */
export const MAX_CHARTS = 60;

/** The x axis: "step", "time" (seconds since the first row) or another metric's value. */
export type XAxis = string;

/** Metric keys of the history, in first-seen order (keys starting with "_" are W&B's own and left out). */
export function metricKeys(rows: readonly HistoryRow[]): string[] {
  const keys = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r.values)) if (!k.startsWith("_")) keys.add(k);
  return [...keys];
}

/** The points of `key` against the x axis, sorted by x, downsampled. */
export function seriesOf(rows: readonly HistoryRow[], key: string, x: XAxis): LineSeries {
  const t0 = rows.length ? Date.parse(rows[0].time) : 0;
  const points = [];
  for (const r of rows) {
    const y = r.values[key];
    if (typeof y !== "number") continue;
    const xv = x === "step" ? r.step : x === "time" ? (Date.parse(r.time) - t0) / 1000 : r.values[x];
    if (typeof xv !== "number" || !Number.isFinite(xv)) continue;
    points.push({ x: xv, y });
  }
  points.sort((a, b) => a.x - b.x);
  return { name: key, points: lttb(points, MAX_POINTS) };
}

/** How many times `key` was logged with a number. */
function timesLogged(rows: readonly HistoryRow[], key: string): number {
  let n = 0;
  for (const r of rows) if (typeof r.values[key] === "number") n++;
  return n;
}

/**
 * Metrics logged once (an evaluation's accuracy, a video's duration): a chart of one dot says nothing, so
 * they are listed with their value and step instead.
 */
export function loggedOnce(rows: readonly HistoryRow[]): { key: string; step: number; value: number }[] {
  const out: { key: string; step: number; value: number }[] = [];
  for (const key of metricKeys(rows)) {
    if (timesLogged(rows, key) !== 1) continue;
    const r = rows.find((r) => typeof r.values[key] === "number")!;
    out.push({ key, step: r.step, value: r.values[key] as number });
  }
  return out;
}

/** One chart per metric logged more than once (an SVG string each, with the metric's name), for one run. */
export function runCharts(
  rows: readonly HistoryRow[],
  xOf: XAxis | ((key: string) => XAxis),
): { key: string; svg: string }[] {
  const out: { key: string; svg: string }[] = [];
  for (const key of metricKeys(rows).filter((k) => timesLogged(rows, k) > 1).slice(0, MAX_CHARTS)) {
    const x = typeof xOf === "string" ? xOf : xOf(key);
    if (key === x) continue;
    const s = seriesOf(rows, key, x);
    if (!s.points.some((p) => Number.isFinite(p.y))) continue;
    out.push({
      key,
      svg: lineChartSvg([s], { title: key, xLabel: xLabel(x), yLabel: key, width: 460, height: 240 }),
    });
  }
  return out;
}

/**
 * One chart per metric with one line per run (at most 10 runs); metrics no run logged more than once
 * are left to the summaries side by side.
 */
export function compareCharts(
  runs: readonly { label: string; rows: readonly HistoryRow[] }[],
  x: XAxis,
): { key: string; svg: string }[] {
  const keys: string[] = [];
  for (const r of runs) {
    for (const k of metricKeys(r.rows)) if (!keys.includes(k) && timesLogged(r.rows, k) > 1) keys.push(k);
  }
  const out: { key: string; svg: string }[] = [];
  for (const key of keys.slice(0, MAX_CHARTS)) {
    // Every run keeps its series (empty where it lacks the metric), so a run has one colour and one
    // legend place on every chart.
    const series = runs.slice(0, 10).map((r) => ({ ...seriesOf(r.rows, key, x), name: r.label }));
    if (!series.some((s) => s.points.some((p) => Number.isFinite(p.y)))) continue;
    out.push({
      key,
      svg: lineChartSvg(series, { title: key, xLabel: xLabel(x), yLabel: key, width: 560, height: 280 }),
    });
  }
  return out;
}

function xLabel(x: XAxis): string {
  return x === "time" ? "time (s)" : x;
}
