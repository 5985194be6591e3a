/**
 * The naming rule of the tracking store, for run projects, names and groups, artifact names, aliases,
 * types and table keys: 1 to 128 characters, no '/', ':', '..', control or bidirectional control
 * characters, not '.', no leading or trailing whitespace, and an alias must not look like a version
 * index (`v3`).
 * @module
 */

const VERSION_LIKE = /^v\d+$/;
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
/** Bidirectional embeddings, overrides, isolates and marks (the "Trojan Source" characters). */
const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/;

/**
 * Why `name` breaks the store's naming rule, or null when it is fine. initRun and the artifact and table
 * functions apply this rule; tasks call it to refuse a bad flag before a run exists.
 *
 * @param name The value to check.
 * @param what What it names: "name" (projects, runs, groups, artifacts), "alias", "type" or "key".
 * @returns A sentence fragment such as `names cannot contain '/'`, or null.
 *
 * @example
 * ```ts
 * import { nameProblem } from "./name_problem.ts";
 * console.log(nameProblem("team/x", "name")); // names cannot contain '/'
 * console.log(nameProblem("v3", "alias") !== null); // true
 * ```
 */
export function nameProblem(name: unknown, what: "name" | "alias" | "type" | "key"): string | null {
  const plural = what === "alias" ? "aliases" : `${what}s`;
  if (typeof name !== "string") return `${plural} must be strings, got ${typeof name}`;
  if (name.length === 0) return `${plural} cannot be empty`;
  if (name.length > 128) return `${plural} cannot be longer than 128 characters (got ${name.length})`;
  if (name.includes("/")) return `${plural} cannot contain '/'`;
  if (name.includes(":")) return `${plural} cannot contain ':'`;
  if (name.includes("..")) return `${plural} cannot contain '..'`;
  if (name === ".") return `${plural} cannot be '.'`;
  if (CONTROL.test(name)) return `${plural} cannot contain control characters`;
  if (BIDI.test(name)) {
    return `${plural} cannot contain bidirectional control characters (U+202A..U+202E, U+2066..U+2069, ` +
      `U+200E, U+200F, U+061C): they make a name display differently from what it is`;
  }
  if (name.trim() !== name) return `${plural} cannot start or end with whitespace`;
  if (what === "alias" && VERSION_LIKE.test(name)) {
    return `aliases cannot look like a version index ('${name}'): v0, v1, ... are assigned by the store`;
  }
  return null;
}
