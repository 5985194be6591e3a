/**
 * Add aliases to an artifact version (W&B's `AddAliases`).
 * @module
 */
import type { WandbClient, WandbRequestOptions } from "./client.ts";
import { sendAliasMutation } from "./_alias_mutation.ts";
import type { WandbArtifact } from "./types.ts";

/** Options for {@linkcode addWandbArtifactAliases}. */
export type AddWandbArtifactAliasesOptions = WandbRequestOptions;

// The SDK's mutation and input, as wandb/wandb wandb/sdk/artifacts/_generated/operations.py
// ADD_ALIASES_GQL and wandb/sdk/artifacts/artifact.py `_add_aliases` (called by `_update`, i.e.
// `artifact.aliases.append(a); artifact.save()` on an existing version: no run) send them.
const ADD_ALIASES = `mutation AddAliases($input: AddAliasesInput!) {
  result: addAliases(input: $input) {
    success
  }
}`;

/**
 * Points custom aliases at an existing artifact version (moving each off any other version of its
 * collection), as `artifact.aliases.append(a); artifact.save()` does in W&B's SDK: no run is involved.
 * An empty list sends nothing.
 * @param client The client.
 * @param artifact The version: its W&B id, entity, project and collection name.
 * @param aliases The aliases to add.
 * @param options Retry overrides and an abort signal.
 * @returns Whether W&B reported success.
 * @throws {WandbError} the client's errors.
 * @example
 * ```ts
 * import { addWandbArtifactAliases, connectWandb, getWandbArtifact } from "./mod.ts";
 * const { client, entity } = await connectWandb();
 * const a = await getWandbArtifact(client, "my-model:v3", { entity, project: "demo" });
 * if (a) await addWandbArtifactAliases(client, a, ["production"]);
 * ```
 */
export async function addWandbArtifactAliases(
  client: WandbClient,
  artifact: Pick<WandbArtifact, "id" | "entity" | "project" | "name">,
  aliases: string[],
  options: AddWandbArtifactAliasesOptions = {},
): Promise<boolean> {
  return await sendAliasMutation(client, "AddAliases", ADD_ALIASES, artifact, aliases, options);
}
