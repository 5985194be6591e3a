import { logTyped } from "./_typed_artifact.ts";
import type { Run, TypedArtifactOptions, UsedArtifact } from "./types.ts";

/** Options for {@linkcode logModelArtifact}. */
export type LogModelArtifactOptions = TypedArtifactOptions;

/**
 * Logs a model folder (weights, tokenizer, labels, model card) as an artifact of type `model`: an output of the run, or with `use: true` an input.
 * Same storage, deduplication and lineage as `logArtifact`.
 *
 * @param run The run from initRun.
 * @param path A file or folder, or several.
 * @param options Name (required), metadata, description, aliases, use.
 * @returns The stored version with its files readable locally, or null on the console/disabled backends
 * or after a tracking failure.
 * @throws {TrackingError} only with `strict: true` (see `logArtifact`).
 *
 * @example
 * ```ts
 * import { finishRun, initRun, logModelArtifact } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/file.bin`, "content");
 * const run = await initRun({ dir: `${dir}/store` });
 * const v = await logModelArtifact(run, `${dir}/file.bin`, { name: "my-model", metadata: { source: "models/tiny" } });
 * console.log(v?.ref, v?.digest);
 * await finishRun(run);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function logModelArtifact(
  run: Run,
  path: string | string[],
  options: LogModelArtifactOptions,
): Promise<UsedArtifact | null> {
  return logTyped(run, "model", path, options);
}
