/**
 * W&B's artifact digest.
 * @module
 */
import { artifactDigest } from "../_hash.ts";

/**
 * Computes an artifact's digest exactly as W&B does (MANIFEST_MD5): the hex MD5 of
 * `"wandb-artifact-manifest-v1\n"` followed by `"<path>:<entry digest>\n"` for each entry sorted by path
 * (by code point, like Python's `sorted`). Metadata and description are not covered. It is the digest the
 * local store keeps for every version, so a stored version and its W&B copy have the same digest.
 *
 * @param contents Manifest entries: path -> `{ digest }` (base64 MD5 of the file).
 * @returns The hex digest, as sent to `CreateArtifact`.
 * @example
 * ```ts
 * import { wandbArtifactDigest } from "./wandb_artifact_digest.ts";
 * console.log(wandbArtifactDigest({ "a.txt": { digest: "1B2M2Y8AsgTpgAmY7PhCfg==" } }));
 * ```
 */
export function wandbArtifactDigest(contents: Record<string, { digest: string }>): string {
  return artifactDigest(contents);
}
