// Private: HTML built with a tagged template that escapes every interpolated value unless it is already
// markup (a Markup from html`` or raw()), so store values (texts, names, config, notes, file names) can
// only ever appear as text.
import { escapeHtml } from "../display/mod.ts";

/** Markup that is already safe (built by html`` or from a trusted renderer such as lib/display's SVG). */
export class Markup {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** Marks trusted markup (from lib/display's renderers, which escape what they draw). */
export function raw(value: string): Markup {
  return new Markup(value);
}

function part(v: unknown): string {
  if (v instanceof Markup) return v.value;
  if (Array.isArray(v)) return v.map(part).join("");
  if (v === null || v === undefined || v === false) return "";
  return escapeHtml(v);
}

/** The HTML template: `${value}` is escaped, `${html`...`}`, `${raw(svg)}` and arrays of them are not. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Markup {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += part(values[i]) + strings[i + 1];
  return new Markup(out);
}

/** A path plus query (`undefined`, `""` and `false` values are left out; arrays repeat the key). */
export function href(path: string, query: Record<string, unknown> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === "" || v === false) continue;
    if (Array.isArray(v)) { for (const x of v) q.append(k, String(x)); }
    else q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** A URL path segment. */
export function seg(value: string | number): string {
  return encodeURIComponent(String(value));
}

/** A number for a table cell. */
export function num(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(5)));
}

/** Any stored value as short text. */
export function valueText(v: unknown): string {
  if (typeof v === "number") return num(v);
  if (typeof v === "string") return v;
  if (v === null || v === undefined) return "";
  return JSON.stringify(v);
}

/** Bytes as B, KB, MB, GB. */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = n / 1024, i = 0;
  while (v >= 1024 && i < units.length - 1) (v /= 1024, i++);
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** Duration between two ISO times as text ("-" when not ended). */
export function duration(start: string, end: string | null): string {
  if (!end) return "-";
  const s = (Date.parse(end) - Date.parse(start)) / 1000;
  return s < 60 ? `${s.toFixed(1)}s` : s < 3600 ? `${(s / 60).toFixed(1)}m` : `${(s / 3600).toFixed(1)}h`;
}

/** Flattens nested objects into dotted keys (arrays stay values). */
export function flatten(
  obj: Record<string, unknown>,
  prefix = "",
  out: [string, unknown][] = [],
): [string, unknown][] {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (
      v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length > 0 &&
      out.length < 5000
    ) {
      flatten(v as Record<string, unknown>, key, out);
    } else out.push([key, v]);
  }
  return out;
}
