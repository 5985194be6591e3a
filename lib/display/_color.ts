/**
 * Private helpers: colour scales.
 * @module
 */

/** ColorBrewer "Blues" (9 classes), light to dark: every channel non-increasing, so luminance is monotone. */
const BLUES: ReadonlyArray<readonly [number, number, number]> = [
  [247, 251, 255],
  [222, 235, 247],
  [198, 219, 239],
  [158, 202, 225],
  [107, 174, 214],
  [66, 146, 198],
  [33, 113, 181],
  [8, 81, 156],
  [8, 48, 107],
];

/** A qualitative palette (Tableau 10) for series: models, classes, lines. */
export const PALETTE: readonly string[] = [
  "#4e79a7",
  "#f28e2b",
  "#59a14f",
  "#e15759",
  "#76b7b2",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#bab0ac",
];

/** Colour of the sentiment labels, used wherever a label is drawn. */
export const LABEL_COLORS: Record<string, string> = {
  negative: "#d62728",
  neutral: "#7f7f7f",
  positive: "#2ca02c",
};

function hex(n: number): string {
  return Math.round(n).toString(16).padStart(2, "0");
}

/** Sequential colour for `t` in [0, 1] (clamped; NaN counts as 0): light for 0, dark blue for 1. */
export function heatColor(t: number): string {
  const x = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
  const pos = x * (BLUES.length - 1);
  const i = Math.min(BLUES.length - 2, Math.floor(pos));
  const f = pos - i;
  const a = BLUES[i];
  const b = BLUES[i + 1];
  return "#" + [0, 1, 2].map((k) => hex(a[k] + (b[k] - a[k]) * f)).join("");
}

/** Relative luminance (WCAG) of a `#rrggbb` colour, 0 (black) to 1 (white). */
export function luminance(color: string): number {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (!m) throw new Error(`Not a #rrggbb colour: '${color}'`);
  const [r, g, b] = [m[1], m[2], m[3]].map((h) => {
    const c = parseInt(h, 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** Text colour readable on `background`: near-black on light colours, white on dark ones. */
export function textOn(background: string): string {
  return luminance(background) > 0.35 ? "#1a1a1a" : "#ffffff";
}

/** Colour of series `i`: the label colour when `name` is a sentiment label, else the palette. */
export function seriesColor(i: number, name?: string): string {
  if (name !== undefined && Object.hasOwn(LABEL_COLORS, name)) return LABEL_COLORS[name];
  return PALETTE[i % PALETTE.length];
}
