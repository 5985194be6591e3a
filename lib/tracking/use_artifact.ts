import { checkSpec, describeSpec, storeSpec, withFiles } from "./_artifact.ts";
import { TrackingError } from "./_errors.ts";
import { parseRef, refText } from "./_ref.ts";
import { fail, stateOf } from "./_state.ts";
import { say } from "./_console.ts";
import { checkName } from "./_validate.ts";
import type { ArtifactSpec, Run, UsedArtifact } from "./types.ts";

/** Options for {@linkcode useArtifact}. */
export interface UseArtifactOptions {
  /** Custom aliases to point at the used version (moved off other versions). */
  aliases?: string[];
}

/**
 * Records an artifact version as an input of the run and returns it with its files readable locally
 * (works fully offline). A reference is `name`, `name:latest`, `name:vN` or `name:alias`; a spec is
 * stored first (deduplicated like {@linkcode logArtifact}) and then marked as used.
 *
 * @param run The run from initRun.
 * @param refOrSpec A reference to a stored version, or files to store and use.
 * @param options Aliases to set on the used version.
 * @returns The version with `path(file)`, `files()` and `download(dir)`, or null on the console/disabled
 * backends or after a tracking failure.
 * @throws {TrackingError} only with `strict: true`: unknown reference, invalid spec, unwritable store.
 *
 * @example
 * ```ts
 * import { finishRun, initRun, logArtifact, useArtifact } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/train.jsonl`, '{"text":"good","label":"positive"}\n');
 * const producer = await initRun({ dir: `${dir}/store` });
 * await logArtifact(producer, { name: "reviews", type: "dataset", files: [`${dir}/train.jsonl`] });
 * await finishRun(producer);
 * const consumer = await initRun({ dir: `${dir}/store` });
 * const data = await useArtifact(consumer, "reviews:latest");
 * console.log(await Deno.readTextFile(data!.path("train.jsonl")));
 * await finishRun(consumer);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function useArtifact(
  run: Run,
  refOrSpec: string | ArtifactSpec,
  options: UseArtifactOptions = {},
): Promise<UsedArtifact | null> {
  let s;
  try {
    s = stateOf(run);
  } catch (e) {
    fail(null, "useArtifact", e);
    return null;
  }
  if (s.backend === "disabled") return null;
  try {
    if (s.finished) throw new TrackingError(`Cannot use an artifact: run '${run.name}' is already finished`);
    if (typeof refOrSpec !== "string") {
      const checked = checkSpec(refOrSpec, options.aliases);
      if (!s.store) {
        describeSpec(run, checked, "used");
        return null;
      }
      const { version } = await storeSpec(s.store, run, checked, "input");
      return withFiles(s.store, version);
    }
    const ref = parseRef(refOrSpec);
    const aliases = options.aliases ?? [];
    for (const a of aliases) checkName(a, "alias", ref.name);
    if (!s.store) {
      say(run, `used artifact ${refText(ref)}`);
      return null;
    }
    const v = s.store.getVersion(ref.name, ref.selector);
    if (!v) {
      const known = s.store.versions(ref.name).map((x) => `v${x.version}`);
      throw new TrackingError(
        `Artifact '${refText(ref)}' not found in the store '${s.store.dir}'` +
          (known.length ? `; '${ref.name}' has ${known.join(", ")}` : `; no artifact is named '${ref.name}'`),
      );
    }
    s.store.linkInput(run.id, v.name, v.version, aliases);
    return withFiles(s.store, aliases.length ? s.store.getVersion(v.name, v.version)! : v);
  } catch (e) {
    fail(run, "useArtifact", e);
    return null;
  }
}
