import { escapeText, formatNumber } from "./_escape.ts";
import { CAPTION_STYLE, TABLE_STYLE, TD_NUM_STYLE, TD_STYLE, TH_STYLE } from "./_html.ts";

/** Options for {@linkcode metricsTable}. */
export interface MetricsTableOptions {
  /** Caption above the table (default: none). */
  title?: string;
  /** Decimals of non-integer numbers (default 4). */
  digits?: number;
}

type Scalar = number | string | boolean | null;

function isScalar(v: unknown): v is Scalar {
  return v === null || ["number", "string", "boolean"].includes(typeof v);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function cell(v: Scalar, digits: number): string {
  if (typeof v === "number") return `<td style="${TD_NUM_STYLE}">${escapeText(formatNumber(v, digits))}</td>`;
  return `<td style="${TD_STYLE}">${escapeText(v === null ? "" : String(v))}</td>`;
}

/**
 * Renders metrics as an HTML table (a string; no script, no external resource).
 *
 * Scalar entries (`accuracy: 0.91`) become rows of a "metric | value" table, in their order. Nested objects
 * of scalars are flattened (`macro.f1`). Nested objects whose values are all objects (per-class metrics
 * such as `{ negative: { precision, recall, f1 } }`) become a second table, one row per key and one column
 * per inner key. Arrays (a confusion matrix) are left out: draw them with `confusionMatrixSvg`.
 * Every key and string is escaped.
 *
 * @param metrics The metrics, e.g. what `evaluate` returns or a run summary.
 * @param options Caption and number format.
 * @returns An HTML fragment: one `<div>` holding one or two `<table>`s.
 * @throws {TypeError} When `metrics` is not a plain object.
 * @throws {RangeError} When `digits` is not an integer in 0..12.
 *
 * @example
 * ```ts
 * import { metricsTable } from "./mod.ts";
 * const html = metricsTable(
 *   { accuracy: 0.875, perClass: { negative: { f1: 0.8 }, positive: { f1: 0.9 } } },
 *   { title: "Evaluation" },
 * );
 * console.assert(html.includes("0.8750"));
 * ```
 */
export function metricsTable(metrics: object, options: MetricsTableOptions = {}): string {
  if (!isRecord(metrics)) {
    throw new TypeError(
      `metricsTable expects an object of metrics, got ${
        Array.isArray(metrics) ? "an array" : typeof metrics
      }`,
    );
  }
  const digits = options.digits ?? 4;
  if (!Number.isInteger(digits) || digits < 0 || digits > 12) {
    throw new RangeError(`Invalid digits ${digits}: expected an integer from 0 to 12`);
  }
  const scalars: Array<[string, Scalar]> = [];
  const grids: Array<[string, Record<string, Record<string, unknown>>]> = [];
  const walk = (prefix: string, obj: Record<string, unknown>) => {
    for (const [key, value] of Object.entries(obj)) {
      const name = prefix ? `${prefix}.${key}` : key;
      if (isScalar(value)) scalars.push([name, value]);
      else if (isRecord(value)) {
        const inner = Object.values(value);
        if (inner.length > 0 && inner.every(isRecord)) {
          grids.push([name, value as Record<string, Record<string, unknown>>]);
        } else walk(name, value);
      }
    }
  };
  walk("", metrics);

  const parts: string[] = [];
  const caption = options.title
    ? `<caption style="${CAPTION_STYLE}">${escapeText(options.title)}</caption>`
    : "";
  if (scalars.length > 0 || grids.length === 0) {
    const rows = scalars.map(([k, v]) =>
      `<tr><td style="${TD_STYLE}">${escapeText(k)}</td>${cell(v, digits)}</tr>`
    );
    if (rows.length === 0) rows.push(`<tr><td style="${TD_STYLE}" colspan="2"><em>no metrics</em></td></tr>`);
    parts.push(
      `<table style="${TABLE_STYLE}">${caption}<thead><tr><th style="${TH_STYLE}">metric</th>` +
        `<th style="${TH_STYLE}text-align:right;">value</th></tr></thead><tbody>${
          rows.join("")
        }</tbody></table>`,
    );
  }
  grids.forEach(([name, grid], i) => {
    const columns: string[] = [];
    for (const row of Object.values(grid)) {
      for (const [k, v] of Object.entries(row)) if (isScalar(v) && !columns.includes(k)) columns.push(k);
    }
    const head = [name, ...columns].map((c, j) =>
      `<th style="${TH_STYLE}${j > 0 ? "text-align:right;" : ""}">${escapeText(c)}</th>`
    ).join("");
    const body = Object.entries(grid).map(([rowName, row]) =>
      `<tr><td style="${TD_STYLE}">${escapeText(rowName)}</td>` +
      columns.map((c) => {
        const v = row[c];
        return isScalar(v) ? cell(v, digits) : `<td style="${TD_STYLE}"></td>`;
      }).join("") + `</tr>`
    ).join("");
    const cap = parts.length === 0 && i === 0 ? caption : "";
    parts.push(
      `<table style="${TABLE_STYLE}">${cap}<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`,
    );
  });
  return `<div class="sentilab-metrics">${parts.join("")}</div>`;
}
