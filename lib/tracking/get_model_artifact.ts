import { TrackingError } from "./_errors.ts";
import { fail, stateOf } from "./_state.ts";
import { parseRef } from "./_ref.ts";
import { useArtifact } from "./use_artifact.ts";
import type { Run, UsedArtifact } from "./types.ts";

/**
 * Fetches a model artifact from the store for use by the run (recorded as an input) with its files
 * readable locally. `ref` is `name` (= `name:latest`), `name:vN` or `name:alias`.
 *
 * @param run The run from initRun.
 * @param ref The model reference.
 * @returns The model version, or null on the console/disabled backends or after a tracking failure.
 * @throws {TrackingError} only with `strict: true`: unknown reference, or the artifact is not a model.
 *
 * @example
 * ```ts
 * import { finishRun, getModelArtifact, initRun, logModelArtifact } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/model.onnx`, "not really onnx");
 * const run = await initRun({ dir: `${dir}/store` });
 * await logModelArtifact(run, `${dir}/model.onnx`, { name: "clf", aliases: ["production"] });
 * const model = await getModelArtifact(run, "clf:production");
 * console.log(model?.path("model.onnx"));
 * await finishRun(run);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function getModelArtifact(run: Run, ref: string): Promise<UsedArtifact | null> {
  try {
    const s = stateOf(run);
    const parsed = parseRef(ref);
    const v = s.store?.artifacts.getVersion(parsed.name, parsed.selector);
    if (v && v.type !== "model") {
      throw new TrackingError(
        `Artifact ${v.ref} has type '${v.type}', not 'model'; use useArtifact() for it`,
      );
    }
  } catch (e) {
    fail(run, "getModelArtifact", e);
    return null;
  }
  return await useArtifact(run, ref);
}
