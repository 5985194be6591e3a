import { seriesColor } from "./_color.ts";
import { escapeText, formatNumber, px } from "./_escape.ts";
import { checkSize, niceTicks, svgDocument, svgText, tickLabel, yAxisTitle, yGrid } from "./_svg.ts";

/** A point of a {@linkcode LineSeries}. */
export interface LinePoint {
  /** Position on the x axis (e.g. step or seconds). */
  x: number;
  /** Value. */
  y: number;
}

/** One line of a {@linkcode lineChartSvg} chart. */
export interface LineSeries {
  /** Legend name. Sentiment labels (`negative`, `neutral`, `positive`) get their usual colours. */
  name: string;
  /** Points; drawn in ascending x order. Points with a non-finite y break the line. */
  points: readonly LinePoint[];
}

/** Options for {@linkcode lineChartSvg}. */
export interface LineChartSvgOptions {
  /** Chart title (default "Chart"). */
  title?: string;
  /** Axis title under the x axis (default "x"). */
  xLabel?: string;
  /** Axis title beside the y axis (default "y"). */
  yLabel?: string;
  /** Fixed y range (default: round numbers around the data). */
  yDomain?: readonly [number, number];
  /** Width in pixels (default 640). */
  width?: number;
  /** Height in pixels (default 280). */
  height?: number;
  /** Draw a dot on each point (default: when a series has at most 60 points). */
  markers?: boolean;
}

/**
 * Draws series of (x, y) points as a line chart (metrics by step, a score over time): axes with round
 * ticks, one coloured line per series, a legend. A point with a NaN y leaves a gap in its line.
 *
 * @param series The lines (1 to 10).
 * @param options Title, axis titles, y range, size, markers.
 * @returns A standalone SVG document.
 * @throws {RangeError} When there are no series or more than 10, when no point has finite coordinates,
 *   when an x is not finite (the series and index are named), or when `yDomain` is empty.
 *
 * @example
 * ```ts
 * import { lineChartSvg } from "./mod.ts";
 * const svg = lineChartSvg(
 *   [{ name: "loss", points: [{ x: 0, y: 1.1 }, { x: 1, y: 0.7 }, { x: 2, y: 0.5 }] }],
 *   { title: "Training", xLabel: "epoch", yLabel: "loss" },
 * );
 * console.assert(svg.includes("<path"));
 * ```
 */
export function lineChartSvg(series: readonly LineSeries[], options: LineChartSvgOptions = {}): string {
  if (!Array.isArray(series) || series.length === 0 || series.length > 10) {
    throw new RangeError(
      `lineChartSvg needs 1 to 10 series, got ${Array.isArray(series) ? series.length : 0}`,
    );
  }
  let xMin = Infinity, xMax = -Infinity, yMin = Infinity, yMax = -Infinity;
  for (const s of series) {
    s.points.forEach((p: LinePoint, i: number) => {
      if (!Number.isFinite(p.x)) {
        throw new RangeError(`Point ${i} of series '${s.name}' has x = ${p.x}: x must be a finite number`);
      }
      if (!Number.isFinite(p.y)) return;
      xMin = Math.min(xMin, p.x);
      xMax = Math.max(xMax, p.x);
      yMin = Math.min(yMin, p.y);
      yMax = Math.max(yMax, p.y);
    });
  }
  if (!Number.isFinite(xMin)) throw new RangeError("lineChartSvg: no series has a point with finite x and y");
  const width = checkSize("width", options.width ?? 640, 200);
  const height = checkSize("height", options.height ?? 280, 120);
  let yTicks: number[];
  if (options.yDomain) {
    const [lo, hi] = options.yDomain;
    if (!(Number.isFinite(lo) && Number.isFinite(hi) && hi > lo)) {
      throw new RangeError(`Invalid yDomain [${lo}, ${hi}]: expected two finite numbers, low < high`);
    }
    yTicks = niceTicks(lo, hi, 5).filter((t) => t >= lo - 1e-9 && t <= hi + 1e-9);
    yMin = lo;
    yMax = hi;
  } else {
    yTicks = niceTicks(yMin, yMax, 5);
    yMin = yTicks[0];
    yMax = yTicks[yTicks.length - 1];
  }
  if (xMax === xMin) {
    xMin -= 1;
    xMax += 1;
  }
  const xTicks = niceTicks(xMin, xMax, 6).filter((t) => t >= xMin - 1e-9 && t <= xMax + 1e-9);
  // Room left of the plot for the longest y tick label (about 6.5 px a character at 11 px) and the axis title.
  const longest = Math.max(...yTicks.map((t) => tickLabel(t).length));
  const left = Math.max(56, Math.ceil(30 + longest * 6.5)), right = 24, bottom = 44;
  // The legend: one entry per series, wrapping onto more rows when the chart is too narrow for them all.
  // A long name keeps its start and its end (a run's name and its id).
  const legend: { name: string; x: number; row: number }[] = [];
  let lx = left, row = 0;
  for (const s of series) {
    const name = truncateMiddle(s.name, 26);
    const w = 28 + Array.from(name).length * 6.5;
    if (lx > left && lx + w > width - right) (lx = left, row++);
    legend.push({ name, x: lx, row });
    lx += w;
  }
  const top = 50 + row * 15;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const sx = (x: number) => left + ((x - xMin) / (xMax - xMin)) * plotW;
  const sy = (y: number) =>
    top + plotH - ((Math.min(yMax, Math.max(yMin, y)) - yMin) / (yMax - yMin)) * plotH;
  const title = options.title ?? "Chart";

  const parts: string[] = [svgText(left, 20, title, { "font-size": 14, "font-weight": 600 })];
  series.forEach((s, i) => {
    const { name, x, row } = legend[i];
    parts.push(
      `<rect x="${px(x)}" y="${30 + row * 15}" width="14" height="3" fill="${seriesColor(i, s.name)}"/>` +
        svgText(x + 18, 35 + row * 15, name, { "font-size": 11 }),
    );
  });
  parts.push(yGrid(yTicks, left, plotW, sy, "#eeeeee"));
  for (const t of xTicks) {
    parts.push(
      `<line x1="${px(sx(t))}" x2="${px(sx(t))}" y1="${px(top + plotH)}" y2="${
        px(top + plotH + 4)
      }" stroke="#333"/>` +
        svgText(sx(t), top + plotH + 16, tickLabel(t), {
          "text-anchor": "middle",
          fill: "#555",
          "font-size": 11,
        }),
    );
  }
  parts.push(
    `<line x1="${left}" x2="${px(left + plotW)}" y1="${px(top + plotH)}" y2="${
      px(top + plotH)
    }" stroke="#333"/>` +
      `<line x1="${left}" x2="${left}" y1="${top}" y2="${px(top + plotH)}" stroke="#333"/>` +
      svgText(left + plotW / 2, height - 8, options.xLabel ?? "x", {
        "text-anchor": "middle",
        fill: "#555",
      }) +
      yAxisTitle(options.yLabel ?? "y", top, plotH),
  );
  series.forEach((s, i) => {
    const color = seriesColor(i, s.name);
    const pts = [...s.points].sort((a, b) => a.x - b.x);
    let d = "";
    let pen = false;
    for (const p of pts) {
      if (!Number.isFinite(p.y)) {
        pen = false;
        continue;
      }
      d += `${pen ? "L" : "M"}${px(sx(p.x))} ${px(sy(p.y))}`;
      pen = true;
    }
    parts.push(
      `<g class="series" data-name="${escapeText(s.name)}"><path d="${d}" fill="none" stroke="${color}" ` +
        `stroke-width="2" stroke-linejoin="round"/>`,
    );
    const markers = options.markers ?? pts.length <= 60;
    if (markers) {
      for (const p of pts) {
        if (!Number.isFinite(p.y)) continue;
        parts.push(
          `<circle cx="${px(sx(p.x))}" cy="${px(sy(p.y))}" r="2.5" fill="${color}"><title>` +
            `${escapeText(`${s.name} @ ${formatNumber(p.x, 3)}: ${formatNumber(p.y, 4)}`)}</title></circle>`,
        );
      }
    }
    parts.push(`</g>`);
  });
  return svgDocument(width, height, title, parts.join(""));
}

/** `text` cut to `max` characters keeping its start and its last third, with an ellipsis between. */
function truncateMiddle(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  const tail = Math.floor(max / 3);
  return chars.slice(0, max - tail - 1).join("") + "…" + chars.slice(chars.length - tail).join("");
}
