import { logTyped } from "./_typed_artifact.ts";
import type { Run, TypedArtifactOptions, UsedArtifact } from "./types.ts";

/** Options for {@linkcode logVideoArtifact}. */
export type LogVideoArtifactOptions = TypedArtifactOptions;

/**
 * Logs video files as an artifact of type `video`: an output of the run, or with `use: true` an input.
 * Same storage, deduplication and lineage as `logArtifact`. It stores the files as they are: it does not
 * probe the video, so the artifact's metadata is only what `options.metadata` gives. To log a video with
 * its duration, resolution, codecs and fps filled in and a contact sheet added, use lib/video's
 * `logVideo(run, path)`, which probes the file and then calls this.
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
 * import { finishRun, initRun, logVideoArtifact } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/file.bin`, "content");
 * const run = await initRun({ dir: `${dir}/store` });
 * const v = await logVideoArtifact(run, `${dir}/file.bin`, { name: "my-video", metadata: { source: "clips/review.mp4" } });
 * console.log(v?.ref, v?.digest);
 * await finishRun(run);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function logVideoArtifact(
  run: Run,
  path: string | string[],
  options: LogVideoArtifactOptions,
): Promise<UsedArtifact | null> {
  return logTyped(run, "video", path, options);
}
