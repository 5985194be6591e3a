import { artifactCall, storeOrDescribe } from "./_artifact.ts";
import type { ArtifactSpec, Run, UsedArtifact } from "./types.ts";

/** Options for {@linkcode logArtifact}. */
export interface LogArtifactOptions {
  /** Custom aliases to point at this version (moved off older versions). `latest` is always set. */
  aliases?: string[];
}

/**
 * Logs files as a new version of an artifact produced by the run. The files are copied into the store
 * (later edits of the sources cannot change the version; identical files are stored once). The manifest
 * and digest are W&B's. Content identical to an existing version of the same name creates no new version:
 * that version is returned, `latest` moves to it, and the run is still recorded as having logged it.
 *
 * @param run The run from initRun.
 * @param spec Name, type, files or folders, description, metadata.
 * @param options Aliases.
 * @returns The version (with its files readable from the store), or null on the console/disabled
 * backends or after a tracking failure.
 * @throws {TrackingError} only with `strict: true`: invalid name/type/alias, missing files, a symlink
 * pointing outside a folder, metadata over 1 MB, an unwritable store.
 *
 * @example
 * ```ts
 * import { finishRun, initRun, logArtifact } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/weights.txt`, "0.1 0.2");
 * const run = await initRun({ dir: `${dir}/store` });
 * const v = await logArtifact(run, { name: "tiny-model", type: "model", files: [`${dir}/weights.txt`] });
 * console.log(v?.ref); // tiny-model:v0
 * await finishRun(run);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function logArtifact(
  run: Run,
  spec: ArtifactSpec,
  options: LogArtifactOptions = {},
): Promise<UsedArtifact | null> {
  return artifactCall(
    run,
    "logArtifact",
    () => `Cannot log artifact '${spec?.name}': run '${run.name}' is already finished`,
    (s) => storeOrDescribe(run, s.store, spec, options.aliases, "output"),
  );
}
