import { parseRef } from "./_ref.ts";
import { type ReadOptions, readStore } from "./_read.ts";
import type { ArtifactLineage } from "./types.ts";

/** Options for {@linkcode getLineage}. */
export type GetLineageOptions = ReadOptions;

/**
 * Which runs produced (logged, including identical re-logs) and which runs used an artifact version.
 *
 * @param ref The reference (`name`, `name:vN`, `name:alias`).
 * @param options Store directory.
 * @returns The lineage, or null when the version is not found.
 * @throws {TrackingError} when there is no store or the reference is malformed.
 *
 * @example
 * ```ts
 * import { getLineage } from "./mod.ts";
 * try {
 *   const l = getLineage("reviews:v0");
 *   console.log(l?.producedBy.map((x) => x.runId), l?.usedBy.map((x) => x.runId));
 * } catch (e) {
 *   console.log((e as Error).message); // no store yet
 * }
 * ```
 */
export function getLineage(ref: string, options: GetLineageOptions = {}): ArtifactLineage | null {
  const p = parseRef(ref);
  const store = readStore(options);
  const v = store.artifacts.getVersion(p.name, p.selector);
  return v ? store.artifacts.lineage(v.name, v.version) : null;
}
