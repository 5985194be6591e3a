import { seriesColor } from "./_color.ts";
import { escapeText, formatNumber, px, truncate } from "./_escape.ts";
import { checkSize, niceTicks, svgDocument, svgText, yAxisTitle, yGrid } from "./_svg.ts";

/** One model (or run) in a {@linkcode perClassBars} chart: a value per class. */
export interface BarSeries {
  /** Legend name, e.g. the model name. */
  name: string;
  /** Value per class, e.g. `{ negative: 0.81, neutral: 0.55, positive: 0.88 }`. */
  values: Readonly<Record<string, number>>;
}

/** Options for {@linkcode perClassBars}. */
export interface PerClassBarsOptions {
  /** Classes in drawing order (default: the keys of the first series, in order). */
  classes?: readonly string[];
  /** Chart title (default "Per-class comparison"). */
  title?: string;
  /** Name of the value, drawn on the y axis (default "F1"). */
  metric?: string;
  /** Top of the y axis (default 1 when every value is within 0..1, else a round number above the max). */
  max?: number;
  /** Width of the chart in pixels (default: enough for the bars, at least 360). */
  width?: number;
  /** Height of the plot area in pixels (default 220). */
  height?: number;
}

/**
 * Draws grouped bars comparing series (models) per class: one group per class, one bar per series,
 * the value written above each bar, a legend. A missing value is drawn as "n/a" without a bar.
 *
 * @param series The series to compare (1 to 10).
 * @param options Classes, title, metric name, scale, size.
 * @returns A standalone SVG document.
 * @throws {RangeError} When there is no series or more than 10, when there is no class, or when a value is
 *   negative, NaN or infinite (the series and class are named).
 *
 * @example
 * ```ts
 * import { perClassBars } from "./mod.ts";
 * const svg = perClassBars([
 *   { name: "onnx", values: { negative: 0.8, neutral: 0.5, positive: 0.9 } },
 *   { name: "lexicon", values: { negative: 0.6, neutral: 0.3, positive: 0.7 } },
 * ], { metric: "F1" });
 * console.assert(svg.includes("0.80"));
 * ```
 */
export function perClassBars(series: readonly BarSeries[], options: PerClassBarsOptions = {}): string {
  if (!Array.isArray(series) || series.length === 0 || series.length > 10) {
    throw new RangeError(
      `perClassBars needs 1 to 10 series, got ${Array.isArray(series) ? series.length : 0}`,
    );
  }
  const classes = options.classes ?? Object.keys(series[0].values);
  if (classes.length === 0) {
    throw new RangeError("perClassBars needs at least one class: pass options.classes");
  }
  let maxValue = 0;
  for (const s of series) {
    for (const c of classes) {
      const v = s.values[c];
      if (v === undefined) continue;
      if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
        throw new RangeError(
          `Value of series '${s.name}' for class '${c}' is ${v}: expected a finite number >= 0`,
        );
      }
      maxValue = Math.max(maxValue, v);
    }
  }
  const ticks = options.max !== undefined
    ? niceTicks(0, checkSize("max", options.max, Number.MIN_VALUE), 5).filter((t) => t <= options.max!)
    : maxValue <= 1
    ? [0, 0.2, 0.4, 0.6, 0.8, 1]
    : niceTicks(0, maxValue, 5);
  const top = options.max ?? ticks[ticks.length - 1];
  const plotH = checkSize("height", options.height ?? 220, 60);
  const barW = series.length <= 2 ? 34 : series.length <= 4 ? 24 : 16;
  const groupGap = 28;
  const groupW = series.length * barW;
  const left = 52;
  const plotTop = 54;
  const naturalW = left + classes.length * (groupW + groupGap) + 20;
  const width = Math.max(options.width ?? Math.max(360, naturalW), naturalW);
  const plotW = width - left - 20;
  const slot = plotW / classes.length;
  const height = plotTop + plotH + 44;
  const y = (v: number) => plotTop + plotH - (Math.min(v, top) / top) * plotH;
  const title = options.title ?? "Per-class comparison";
  const metric = options.metric ?? "F1";

  const parts: string[] = [svgText(left, 20, title, { "font-size": 14, "font-weight": 600 })];
  // legend
  let lx = left;
  series.forEach((s, i) => {
    const name = truncate(s.name, 24);
    parts.push(
      `<rect x="${px(lx)}" y="30" width="10" height="10" fill="${seriesColor(i)}"/>` +
        svgText(lx + 14, 39, name, { "font-size": 11 }),
    );
    lx += 24 + Array.from(name).length * 6.5;
  });
  parts.push(yGrid(ticks, left, plotW, y, "#e5e5e5"), yAxisTitle(metric, plotTop, plotH));
  classes.forEach((c, k) => {
    const gx = left + k * slot + (slot - groupW) / 2;
    series.forEach((s, i) => {
      const v = s.values[c];
      const x = gx + i * barW;
      if (v === undefined) {
        parts.push(
          svgText(x + barW / 2, y(0) - 4, "n/a", { "text-anchor": "middle", fill: "#999", "font-size": 10 }),
        );
        return;
      }
      const tip = `${s.name} · ${c}: ${formatNumber(v, 4)}`;
      parts.push(
        `<g class="bar" data-series="${escapeText(s.name)}" data-class="${
          escapeText(c)
        }" data-value="${v}">` +
          `<title>${escapeText(tip)}</title>` +
          `<rect x="${px(x + 1)}" y="${px(y(v))}" width="${px(barW - 2)}" height="${px(y(0) - y(v))}" ` +
          `fill="${seriesColor(i)}"/>` +
          svgText(x + barW / 2, y(v) - 4, formatNumber(v, 2), {
            "text-anchor": "middle",
            "font-size": 10,
          }) + `</g>`,
      );
    });
    parts.push(
      svgText(left + k * slot + slot / 2, plotTop + plotH + 18, truncate(c, 18), { "text-anchor": "middle" }),
    );
  });
  parts.push(
    `<line x1="${left}" x2="${px(left + plotW)}" y1="${px(y(0))}" y2="${px(y(0))}" stroke="#333"/>`,
  );
  return svgDocument(width, height, title, parts.join(""));
}
