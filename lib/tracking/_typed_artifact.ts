// The typed artifact helpers share this: build a spec from paths and log or use it.
import { TrackingError } from "./_errors.ts";
import { fail } from "./_state.ts";
import { logArtifact } from "./log_artifact.ts";
import { useArtifact } from "./use_artifact.ts";
import type { Run, TypedArtifactOptions, UsedArtifact } from "./types.ts";

/** Logs (or uses) `paths` as an artifact of `type`. */
export function logTyped(
  run: Run,
  type: string,
  paths: string | string[],
  options: TypedArtifactOptions,
): Promise<UsedArtifact | null> {
  if (typeof options !== "object" || options === null || typeof options.name !== "string") {
    fail(
      run,
      `log ${type} artifact`,
      new TrackingError(`Cannot log ${type} artifact: options.name is required`),
    );
    return Promise.resolve(null);
  }
  const spec = {
    name: options.name,
    type,
    description: options.description,
    metadata: options.metadata,
    files: Array.isArray(paths) ? paths : [paths],
  };
  return options.use ? useArtifact(run, spec, options) : logArtifact(run, spec, options);
}
