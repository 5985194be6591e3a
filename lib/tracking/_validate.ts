// Input validation shared by the tracking functions. Every check runs before anything is written.
import { TrackingError } from "./_errors.ts";

/** Largest serialised size of one value (metric, config entry, summary entry, table cell, metadata entry). */
export const MAX_VALUE_BYTES = 1024 * 1024;

const VERSION_LIKE = /^v\d+$/;
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Why `name` is not a valid artifact name / alias / type, or null when it is fine. */
export function nameProblem(name: unknown, what: "name" | "alias" | "type" | "key"): string | null {
  const plural = what === "alias" ? "aliases" : `${what}s`;
  if (typeof name !== "string") return `${plural} must be strings, got ${typeof name}`;
  if (name.length === 0) return `${plural} cannot be empty`;
  if (name.length > 128) return `${plural} cannot be longer than 128 characters (got ${name.length})`;
  if (name.includes("/")) return `${plural} cannot contain '/'`;
  if (name.includes(":")) return `${plural} cannot contain ':'`;
  if (name.includes("..")) return `${plural} cannot contain '..'`;
  if (CONTROL.test(name)) return `${plural} cannot contain control characters`;
  if (name.trim() !== name) return `${plural} cannot start or end with whitespace`;
  if (what === "alias" && VERSION_LIKE.test(name)) {
    return `aliases cannot look like a version index ('${name}'): v0, v1, ... are assigned by the store`;
  }
  return null;
}

/** Throws when `name` is not a valid artifact name (or alias/type), naming the problem. */
export function checkName(name: unknown, what: "name" | "alias" | "type", artifact: string): void {
  const problem = nameProblem(name, what);
  if (problem) throw new TrackingError(`Cannot log artifact '${artifact}': ${problem}`);
}

/** Serialises `value` as JSON, naming `field` when it cannot be serialised or is over 1 MB. */
export function toJson(value: unknown, field: string, context: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    throw new TrackingError(
      `${context}: ${field} is not JSON-serialisable (${(e as Error).message}); pass plain data`,
    );
  }
  if (text === undefined) text = "null";
  checkSize(text, field, context);
  return text;
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
