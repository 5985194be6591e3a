// Sender of alias moves no run made (`artifacts alias`): as the SDK's `artifact.save()` of an existing
// version (wandb/wandb wandb/sdk/artifacts/artifact.py `_update`: `_add_aliases` then `_delete_aliases`),
// AddAliases/DeleteAliases on the W&B copy, with no run. Removals go first, so that an alias moved from
// one version to another is never removed from its new version. What is pending is the sync ledger's
// (SyncLedger.pendingAliases); each version's sent aliases are recorded once its requests succeeded.
import type { Store } from "./_store.ts";
import type { Replica } from "./_replay_context.ts";
import { type AliasPending, SyncLedger } from "./_sync_ledger.ts";
import type { WandbRequestOptions } from "./wandb/client.ts";
import { addWandbArtifactAliases } from "./wandb/add_wandb_artifact_aliases.ts";
import { deleteWandbArtifactAliases } from "./wandb/delete_wandb_artifact_aliases.ts";

/** The W&B copy of a pending version: its id, and the entity of the run that saved it there. */
function copyOf(store: Store, rep: Replica, p: AliasPending) {
  const { producer, creator } = store.artifacts.originOf(p.name, p.version, p.project);
  const by = producer?.run ?? creator?.run;
  const entity = (by ? store.runs.runEntity(by.id) : null) ?? rep.entity;
  return { id: p.id, entity, project: p.project, name: p.name };
}

/**
 * Sends the pending alias moves (of artifact `name` only, when given); returns the versions changed.
 * @throws the client's errors; what got through before is recorded.
 */
export async function sendAliasMoves(
  store: Store,
  rep: Replica,
  name?: string,
  req: WandbRequestOptions = {},
): Promise<string[]> {
  const ledger = new SyncLedger(store, rep.target);
  const pending = ledger.pendingAliases(name);
  const record = (p: AliasPending) =>
    ledger.setValue(`aliases:${p.project}:${p.name}:${p.version}`, JSON.stringify(p.custom));
  for (const p of pending) {
    if (!p.remove.length) continue;
    await deleteWandbArtifactAliases(rep.client, copyOf(store, rep, p), p.remove, req);
    if (!p.add.length) record(p);
  }
  for (const p of pending) {
    if (!p.add.length) continue;
    await addWandbArtifactAliases(rep.client, copyOf(store, rep, p), p.add, req);
    record(p);
  }
  return pending.map((p) => `${p.name}:v${p.version}`);
}
