import { parseRef } from "./_ref.ts";
import { type ReadOptions, readStore } from "./_read.ts";
import type { ArtifactVersion } from "./types.ts";

/** Options for {@linkcode getArtifactVersion}. */
export type GetArtifactVersionOptions = ReadOptions;

/**
 * One artifact version with its manifest, by reference (`name`, `name:vN`, `name:alias`). Does not record
 * any use (see `useArtifact` for that).
 *
 * @param ref The reference.
 * @param options Store directory.
 * @returns The version, or null when not found.
 * @throws {TrackingError} when there is no store or the reference is malformed.
 *
 * @example
 * ```ts
 * import { getArtifactVersion } from "./mod.ts";
 * try {
 *   console.log(getArtifactVersion("reviews:latest")?.manifest.contents);
 * } catch (e) {
 *   console.log((e as Error).message); // no store yet
 * }
 * ```
 */
export function getArtifactVersion(
  ref: string,
  options: GetArtifactVersionOptions = {},
): ArtifactVersion | null {
  const p = parseRef(ref);
  return readStore(options).artifacts.getVersion(p.name, p.selector);
}
