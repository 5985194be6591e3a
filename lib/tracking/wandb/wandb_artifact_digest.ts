/**
 * W&B's artifact digest.
 * @module
 */
import { createHash } from "node:crypto";

/**
 * Computes an artifact's digest exactly as W&B does (MANIFEST_MD5): the hex MD5 of
 * `"wandb-artifact-manifest-v1\n"` followed by `"<path>:<entry digest>\n"` for each entry sorted by path.
 * Metadata and description are not covered.
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
  const hash = createHash("md5");
  hash.update("wandb-artifact-manifest-v1\n");
  for (const path of Object.keys(contents).sort()) hash.update(`${path}:${contents[path].digest}\n`);
  return hash.digest("hex");
}
