/**
 * Derives a valid artifact name from any text (a file name, a model name).
 * @module
 */

/**
 * A valid artifact name from any text: every character outside `A-Z a-z 0-9 . _ -` becomes `-`, runs of
 * dots become one dot, and the result is cut to 128 characters; `fallback` when nothing is left.
 *
 * @param text The text to derive the name from.
 * @param fallback The name to use when `text` gives an empty name.
 * @returns A name that passes {@linkcode nameProblem} (given a valid fallback).
 *
 * @example
 * ```ts
 * import { safeArtifactName } from "./safe_artifact_name.ts";
 * console.log(safeArtifactName("my reviews (2024).jsonl", "dataset")); // my-reviews--2024-.jsonl
 * console.log(safeArtifactName("", "dataset")); // dataset
 * ```
 */
export function safeArtifactName(text: string, fallback: string): string {
  return text.replace(/[^A-Za-z0-9._-]/g, "-").replace(/\.{2,}/g, ".").slice(0, 128) || fallback;
}
