/**
 * Private helpers: SVG documents and axes.
 * @module
 */
import { escapeText, px } from "./_escape.ts";

/** Font stack of every chart (no web font: nothing is fetched). */
export const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";

/** Wraps `body` in a standalone SVG document with an accessible title. */
export function svgDocument(width: number, height: number, title: string, body: string): string {
  const w = px(width);
  const h = px(height);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" ` +
    `role="img" aria-label="${escapeText(title)}" font-family="${escapeText(FONT)}" font-size="12">` +
    `<title>${escapeText(title)}</title>` +
    `<rect x="0" y="0" width="${w}" height="${h}" fill="#ffffff"/>` +
    body + `</svg>`;
}

/** An SVG `<text>` element; `text` is escaped. */
export function svgText(
  x: number,
  y: number,
  text: string,
  attrs: Record<string, string | number> = {},
): string {
  const extra = Object.entries(attrs).map(([k, v]) => ` ${k}="${escapeText(v)}"`).join("");
  return `<text x="${px(x)}" y="${px(y)}"${extra}>${escapeText(text)}</text>`;
}

/** Validates a positive finite size option, naming it in the error. */
export function checkSize(name: string, value: number, min: number): number {
  if (!Number.isFinite(value) || value < min) {
    throw new RangeError(`Invalid ${name} ${value}: expected a finite number >= ${min}`);
  }
  return value;
}

/**
 * "Nice" tick values covering [min, max]: about `count` ticks at steps of 1, 2 or 5 times a power of 10.
 * Returns the ticks, whose first and last values extend the domain to round numbers.
 */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) {
    // One value: a range of about ±10% around it (±1 around 0), so its ticks read like its neighbours.
    const v = Number.isFinite(min) ? min : 0;
    const pad = v === 0 ? 1 : Math.abs(v) / 10;
    return niceTicks(v - pad, v + pad, count);
  }
  const raw = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const start = Math.floor(min / step + 1e-9) * step;
  const end = Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = start, i = 0; v <= end + step / 2 && i < 100; v += step, i++) {
    ticks.push(Math.round(v / step) * step);
  }
  return ticks;
}

/**
 * Label of a tick: short, without float noise, and as precise as the value (ticks are round numbers, so
 * 12 significant digits remove the noise of their arithmetic; a learning rate of 0.0003 stays 0.0003).
 */
export function tickLabel(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(12)));
}

/**
 * Horizontal grid lines across the plot (from `left`, `plotW` wide) at each y tick, each with its label
 * right-aligned left of the axis; `y` maps a value to its pixel row.
 */
export function yGrid(
  ticks: readonly number[],
  left: number,
  plotW: number,
  y: (v: number) => number,
  stroke: string,
): string {
  return ticks.map((t) =>
    `<line x1="${left}" x2="${px(left + plotW)}" y1="${px(y(t))}" y2="${px(y(t))}" stroke="${stroke}"/>` +
    svgText(left - 6, y(t) + 4, tickLabel(t), { "text-anchor": "end", fill: "#555", "font-size": 11 })
  ).join("");
}

/** The y axis title: grey, rotated to read upwards at x = 14, centred on the plot (`top`, `plotH` high). */
export function yAxisTitle(text: string, top: number, plotH: number): string {
  return svgText(14, top + plotH / 2, text, {
    "text-anchor": "middle",
    fill: "#555",
    transform: `rotate(-90 14 ${px(top + plotH / 2)})`,
  });
}
