// Input validation shared by the tracking functions. Every check runs before anything is written.
import { TrackingError } from "./_errors.ts";
import { nameProblem } from "./name_problem.ts";

export { nameProblem };

/** Largest serialised size of one value (metric, config entry, summary entry, table cell, metadata entry). */
export const MAX_VALUE_BYTES = 1024 * 1024;

/** Throws when `name` is not a valid artifact name (or alias/type), naming the problem. */
export function checkName(name: unknown, what: "name" | "alias" | "type", artifact: string): void {
  const problem = nameProblem(name, what);
  if (problem) throw new TrackingError(`Cannot log artifact '${artifact}': ${problem}`);
}

/** Deepest nesting of objects and arrays in one value (config entry, summary entry, metadata entry). */
export const MAX_DEPTH = 100;

/** Whether `value` nests objects or arrays deeper than {@linkcode MAX_DEPTH} (checked without recursion). */
function tooDeep(value: unknown): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  const seen = new Set<unknown>();
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== "object" || v === null || seen.has(v)) continue;
    if (depth > MAX_DEPTH) return true;
    seen.add(v);
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

/** Serialises `value` as JSON, naming `field` when it cannot be serialised or is over 1 MB. */
export function toJson(value: unknown, field: string, context: string): string {
  if (tooDeep(value)) {
    throw new TrackingError(
      `${context}: ${field} is nested more than ${MAX_DEPTH} levels deep; flatten it (e.g. keys like ` +
        `'model.layer.size') or log it as a file with logArtifact`,
    );
  }
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    throw new TrackingError(
      `${context}: ${field} is not JSON-serialisable (${(e as Error).message}); pass plain data`,
    );
  }
  if (text === undefined) text = "null";
  const lossy = jsonLoss(value, field);
  if (lossy) throw new TrackingError(`${context}: ${lossy}`);
  checkSize(text, field, context);
  return text;
}

/**
 * The first place in `value` that JSON cannot store as it is (NaN and Infinity become null; functions,
 * symbols, Maps and Sets vanish or become `{}`), as "`field.path` is X, ...; do Y", or null. `undefined`
 * object entries are taken as absent. Objects with `toJSON` (Date) serialise themselves and are not
 * looked into. Call after JSON.stringify succeeded (no cycles).
 */
export function jsonLoss(value: unknown, field: string): string | null {
  const what = (v: unknown): string | null => {
    if (typeof v === "number") return Number.isFinite(v) ? null : `${v}`;
    if (typeof v === "function") return "a function";
    if (typeof v === "symbol") return "a symbol";
    if (v instanceof Map) return "a Map";
    if (v instanceof Set) return "a Set";
    return null;
  };
  const found = what(value);
  if (found !== null) {
    const becomes = typeof value === "number" ? "it would be stored as null" : "it would be lost";
    return `${field} is ${found}, which JSON cannot store (${becomes}); ` +
      (typeof value === "number" ? "use a finite number, or null for 'no value'" : "pass plain data");
  }
  if (typeof value !== "object" || value === null) return null;
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (value[i] === undefined) {
        return `${field}[${i}] is undefined, which JSON stores as null; use null`;
      }
      const inner = jsonLoss(value[i], `${field}[${i}]`);
      if (inner) return inner;
    }
    return null;
  }
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    const inner = jsonLoss(v, `${field}.${k}`);
    if (inner) return inner;
  }
  return null;
}

/** Throws when the UTF-8 size of `text` exceeds {@linkcode MAX_VALUE_BYTES}. */
export function checkSize(text: string, field: string, context: string): void {
  if (text.length * 3 <= MAX_VALUE_BYTES) return;
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > MAX_VALUE_BYTES) {
    throw new TrackingError(
      `${context}: ${field} is ${(bytes / 1048576).toFixed(2)} MB, over the 1 MB limit for one value; ` +
        `log large data as an artifact (logArtifact) or a table (logTable) instead`,
    );
  }
}

/** Serialises a record entry by entry, so an over-size entry is named. Returns the JSON of the record. */
export function recordToJson(
  record: unknown,
  field: string,
  context: string,
): string {
  if (record === undefined || record === null) return "{}";
  if (typeof record !== "object" || Array.isArray(record)) {
    throw new TrackingError(
      `${context}: ${field} must be an object of key -> value, got ${describe(record)}`,
    );
  }
  for (const [k, v] of Object.entries(record)) toJson(v, `${field}.${k}`, context);
  return JSON.stringify(record);
}

/** A short description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number") return String(value);
  if (typeof value === "string") {
    return JSON.stringify(value.length > 40 ? value.slice(0, 40) + "..." : value);
  }
  return typeof value;
}
