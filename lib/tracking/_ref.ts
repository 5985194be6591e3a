// Artifact references: "name", "name:latest", "name:vN", "name:alias".
import { TrackingError } from "./_errors.ts";
import { nameProblem } from "./_validate.ts";
import type { Store } from "./_store.ts";
import type { ArtifactVersion } from "./types.ts";

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

/**
 * The version `p` names in `store`.
 * @throws {TrackingError} when there is none, listing the versions the name has (or saying it has none),
 * so the message says what to ask for instead.
 */
export function findVersion(store: Store, p: ParsedRef): ArtifactVersion {
  const v = store.artifacts.getVersion(p.name, p.selector);
  if (v) return v;
  const known = store.artifacts.versions(p.name).map((x) => `v${x.version}`);
  throw new TrackingError(
    `Artifact '${refText(p)}' not found in the store '${store.dir}'` +
      (known.length ? `; '${p.name}' has ${known.join(", ")}` : `; no artifact is named '${p.name}'`),
  );
}
