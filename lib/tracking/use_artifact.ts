import { artifactCall, storeOrDescribe, withFiles } from "./_artifact.ts";
import { findVersion, parseRef, refText } from "./_ref.ts";
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
export function useArtifact(
  run: Run,
  refOrSpec: string | ArtifactSpec,
  options: UseArtifactOptions = {},
): Promise<UsedArtifact | null> {
  return artifactCall(
    run,
    "useArtifact",
    () => `Cannot use an artifact: run '${run.name}' is already finished`,
    (s) => {
      if (typeof refOrSpec !== "string") {
        return storeOrDescribe(run, s.store, refOrSpec, options.aliases, "input");
      }
      const ref = parseRef(refOrSpec);
      const aliases = options.aliases ?? [];
      for (const a of aliases) checkName(a, "alias", ref.name);
      const store = s.store;
      if (!store) {
        say(run, `used artifact ${refText(ref)}`);
        return Promise.resolve(null);
      }
      const v = findVersion(store, ref);
      store.artifacts.linkInput(run.id, v.name, v.version, aliases);
      return Promise.resolve(
        withFiles(store, aliases.length ? store.artifacts.getVersion(v.name, v.version)! : v),
      );
    },
  );
}
