/**
 * Record an artifact version as an input of a run (W&B's `UseArtifact`).
 * @module
 */
import type { WandbClient, WandbRequestOptions } from "./client.ts";
import { WandbError } from "./errors.ts";
import type { WandbRun } from "./types.ts";

/** Options for {@linkcode useWandbArtifact}. */
export type UseWandbArtifactOptions = WandbRequestOptions;

const USE_ARTIFACT = `mutation UseArtifact($input: UseArtifactInput!) {
  useArtifact(input: $input) { artifact { id } }
}`;

/**
 * Marks an artifact version as used by a run (a lineage edge artifact → run). Idempotent.
 *
 * @param client The client.
 * @param run The run that uses the artifact.
 * @param artifactId Server id of the version (from {@linkcode saveWandbArtifact} or {@linkcode getWandbArtifact}).
 * @param options Retry overrides and an abort signal.
 * @returns The artifact id.
 * @throws {WandbError} the client's errors (`graphql` for an unknown artifact).
 * @example
 * ```ts
 * import { connectWandb, getWandbArtifact, upsertWandbRun, useWandbArtifact } from "./mod.ts";
 * const { client, entity } = await connectWandb();
 * const run = await upsertWandbRun(client, { id: "abc123", entity, project: "demo" });
 * const a = await getWandbArtifact(client, "sample-data:latest", { entity, project: "demo" });
 * if (a) await useWandbArtifact(client, run, a.id);
 * ```
 */
export async function useWandbArtifact(
  client: WandbClient,
  run: WandbRun,
  artifactId: string,
  options: UseWandbArtifactOptions = {},
): Promise<string> {
  if (!artifactId) {
    throw new WandbError("config", `Cannot mark an artifact as used by run '${run.id}' without its id`);
  }
  const data = await client.graphql<{ useArtifact: { artifact: { id: string } } | null }>(
    "UseArtifact",
    USE_ARTIFACT,
    { input: { entityName: run.entity, projectName: run.project, runName: run.id, artifactID: artifactId } },
    options,
  );
  const id = data.useArtifact?.artifact?.id;
  if (!id) {
    throw new WandbError("protocol", `W&B's UseArtifact returned no artifact for '${artifactId}'`, {
      op: "UseArtifact",
    });
  }
  return id;
}
