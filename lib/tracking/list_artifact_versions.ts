import { type ReadOptions, readStore } from "./_read.ts";
import type { ArtifactVersion } from "./types.ts";

/** Options for {@linkcode listArtifactVersions}. */
export type ListArtifactVersionsOptions = ReadOptions;

/**
 * All versions of an artifact name, v0 first.
 *
 * @param name Artifact name.
 * @param options Store directory.
 * @returns The versions (empty when the name is unknown).
 * @throws {TrackingError} when there is no store.
 *
 * @example
 * ```ts
 * import { listArtifactVersions } from "./mod.ts";
 * try {
 *   for (const v of listArtifactVersions("reviews")) console.log(v.ref, v.aliases, v.size);
 * } catch (e) {
 *   console.log((e as Error).message); // no store yet
 * }
 * ```
 */
export function listArtifactVersions(
  name: string,
  options: ListArtifactVersionsOptions = {},
): ArtifactVersion[] {
  return readStore(options).artifacts.versions(name);
}
