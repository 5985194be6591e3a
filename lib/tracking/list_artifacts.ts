import { type ReadOptions, readStore } from "./_read.ts";
import type { ArtifactSummary } from "./types.ts";

/** Options for {@linkcode listArtifacts}. */
export interface ListArtifactsOptions extends ReadOptions {
  /** Only artifacts of this type. */
  type?: string;
}

/**
 * Lists artifact names with their type, version count, aliases and total size.
 *
 * @param options Store directory and type filter.
 * @returns One entry per artifact name, sorted by name.
 * @throws {TrackingError} when there is no store.
 *
 * @example
 * ```ts
 * import { listArtifacts } from "./mod.ts";
 * try {
 *   for (const a of listArtifacts()) console.log(a.name, a.versionCount, a.aliases);
 * } catch (e) {
 *   console.log((e as Error).message); // no store yet
 * }
 * ```
 */
export function listArtifacts(options: ListArtifactsOptions = {}): ArtifactSummary[] {
  return readStore(options).artifacts.listArtifacts(options);
}
