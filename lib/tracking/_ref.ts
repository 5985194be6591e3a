// Artifact references: "name", "name:latest", "name:vN", "name:alias".
import { TrackingError } from "./_errors.ts";
import { nameProblem } from "./_validate.ts";

/** A parsed artifact reference. */
export interface ParsedRef {
  name: string;
  /** Version index or alias. */
  selector: number | string;
}

/**
 * Parses an artifact reference; a bare name means `name:latest`.
 * @throws {TrackingError} when the reference is malformed.
 */
export function parseRef(ref: string): ParsedRef {
  if (typeof ref !== "string") throw new TrackingError(`Artifact references must be strings like 'name:v0'`);
  const i = ref.lastIndexOf(":");
  const name = i < 0 ? ref : ref.slice(0, i);
  const sel = i < 0 ? "latest" : ref.slice(i + 1);
  const problem = nameProblem(name, "name");
  if (problem) throw new TrackingError(`Invalid artifact reference '${ref}': ${problem}`);
  if (sel.length === 0) throw new TrackingError(`Invalid artifact reference '${ref}': nothing after ':'`);
  const m = /^v(\d+)$/.exec(sel);
  return { name, selector: m ? Number(m[1]) : sel };
}

/** Formats a selector for messages. */
export function refText(p: ParsedRef): string {
  return `${p.name}:${typeof p.selector === "number" ? "v" + p.selector : p.selector}`;
}
