/**
 * Remove aliases from an artifact version (W&B's `DeleteAliases`).
 * @module
 */
import type { WandbClient, WandbRequestOptions } from "./client.ts";
import { sendAliasMutation } from "./_alias_mutation.ts";
import type { WandbArtifact } from "./types.ts";

/** Options for {@linkcode deleteWandbArtifactAliases}. */
export type DeleteWandbArtifactAliasesOptions = WandbRequestOptions;

// The SDK's mutation and input, as wandb/wandb wandb/sdk/artifacts/_generated/operations.py
// DELETE_ALIASES_GQL and wandb/sdk/artifacts/artifact.py `_delete_aliases` send them.
const DELETE_ALIASES = `mutation DeleteAliases($input: DeleteAliasesInput!) {
  result: deleteAliases(input: $input) {
    success
  }
}`;

/**
 * Removes custom aliases from an artifact version, as `artifact.aliases.remove(a); artifact.save()` does
 * in W&B's SDK. An empty list sends nothing.
 * @param client The client.
 * @param artifact The version (from {@linkcode getWandbArtifact}).
 * @param aliases The aliases to remove.
 * @param options Retry overrides and an abort signal.
 * @returns Whether W&B reported success.
 * @throws {WandbError} the client's errors.
 * @example
 * ```ts
 * import { connectWandb, deleteWandbArtifactAliases, getWandbArtifact } from "./mod.ts";
 * const { client, entity } = await connectWandb();
 * const a = await getWandbArtifact(client, "my-model:production", { entity, project: "demo" });
 * if (a) await deleteWandbArtifactAliases(client, a, ["production"]);
 * ```
 */
export async function deleteWandbArtifactAliases(
  client: WandbClient,
  artifact: Pick<WandbArtifact, "id" | "entity" | "project" | "name">,
  aliases: string[],
  options: DeleteWandbArtifactAliasesOptions = {},
): Promise<boolean> {
  return await sendAliasMutation(client, "DeleteAliases", DELETE_ALIASES, artifact, aliases, options);
}
