/** A valid artifact name from any string: unsafe characters become `-`, at most 128 characters. */
export function safeArtifactName(s: string, fallback: string): string {
  return s.replace(/[^A-Za-z0-9._-]/g, "-").replace(/\.{2,}/g, ".").slice(0, 128) || fallback;
}
