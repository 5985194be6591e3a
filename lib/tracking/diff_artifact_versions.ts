import { comparePaths } from "./_hash.ts";
import { findVersion, parseRef } from "./_ref.ts";
import { type ReadOptions, readStore } from "./_read.ts";
import type { ArtifactDiff, ArtifactFileChange } from "./types.ts";

/** Options for {@linkcode diffArtifactVersions}. */
export type DiffArtifactVersionsOptions = ReadOptions;

/**
 * Compares the files of two artifact versions (by manifest digest).
 *
 * @param from First reference, e.g. `reviews:v0`.
 * @param to Second reference, e.g. `reviews:v1`.
 * @param options Store directory.
 * @returns Files added, removed and changed, sorted by path, and the number unchanged.
 * @throws {TrackingError} when there is no store or a version is not found (naming the versions the
 * artifact has).
 *
 * @example
 * ```ts
 * import { diffArtifactVersions } from "./mod.ts";
 * try {
 *   const d = diffArtifactVersions("reviews:v0", "reviews:v1");
 *   console.log(d.added.length, d.removed.length, d.changed.length);
 * } catch (e) {
 *   console.log((e as Error).message); // no store or no such versions
 * }
 * ```
 */
export function diffArtifactVersions(
  from: string,
  to: string,
  options: DiffArtifactVersionsOptions = {},
): ArtifactDiff {
  const store = readStore(options);
  const [a, b] = [from, to].map((ref) => findVersion(store, parseRef(ref)));
  const ca = a.manifest.contents, cb = b.manifest.contents;
  const added: ArtifactFileChange[] = [],
    removed: ArtifactFileChange[] = [],
    changed: ArtifactFileChange[] = [];
  let unchanged = 0;
  const paths = [...new Set([...Object.keys(ca), ...Object.keys(cb)])].sort(comparePaths);
  for (const path of paths) {
    const x = ca[path] ?? null, y = cb[path] ?? null;
    if (!x) added.push({ path, from: null, to: y });
    else if (!y) removed.push({ path, from: x, to: null });
    else if (x.digest !== y.digest) changed.push({ path, from: x, to: y });
    else unchanged++;
  }
  return { from: a.ref, to: b.ref, added, removed, changed, unchanged };
}
