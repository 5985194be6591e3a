// The one shape of W&B's AddAliases and DeleteAliases (wandb/wandb wandb/sdk/artifacts/artifact.py
// `_add_aliases`, `_delete_aliases`): the version's `artifactID` and one ArtifactCollectionAliasInput
// `{entityName, projectName, artifactCollectionName, alias}` per alias; an empty list sends nothing.
import type { WandbClient, WandbRequestOptions } from "./client.ts";
import type { WandbArtifact } from "./types.ts";

/** Sends `document` (operation `op`) for `aliases` of `artifact`; returns whether W&B reported success. */
export async function sendAliasMutation(
  client: WandbClient,
  op: "AddAliases" | "DeleteAliases",
  document: string,
  artifact: Pick<WandbArtifact, "id" | "entity" | "project" | "name">,
  aliases: string[],
  options: WandbRequestOptions,
): Promise<boolean> {
  if (aliases.length === 0) return true;
  const target = {
    entityName: artifact.entity,
    projectName: artifact.project,
    artifactCollectionName: artifact.name,
  };
  const data = await client.graphql<{ result: { success: boolean } | null }>(
    op,
    document,
    { input: { artifactID: artifact.id, aliases: aliases.map((alias) => ({ ...target, alias })) } },
    options,
  );
  return data.result?.success === true;
}
