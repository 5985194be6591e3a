// Sender of artifacts and uses: every lineage link of the run, in order. An output is saved as a version
// logged by the run; an input is marked used (UseArtifact), after the version was saved by the run that
// produced it; aliases a run put on a version it used are moved too (wandb/wandb
// wandb/sdk/internal/sender.py `send_artifact`, `send_use_artifact`).
import { item, type ReplayContext, throwIfAborted } from "./_replay_context.ts";
import { ensureRun } from "./_send_run.ts";
import { storedFiles } from "./_wandb_record.ts";
import type { ReplayLink } from "./_store_artifacts.ts";
import type { RunRecord } from "./types.ts";
import { saveWandbArtifact } from "./wandb/save_wandb_artifact.ts";
import { useWandbArtifact } from "./wandb/use_wandb_artifact.ts";

/** Saves version name:vN as `by` (its creator on W&B); returns the W&B artifact id. */
async function saveVersion(
  ctx: ReplayContext,
  by: RunRecord,
  name: string,
  version: number,
  use: boolean,
): Promise<{ id: string; used: boolean }> {
  // Saved again even when the target has it: the server deduplicates by digest (one request) and moves
  // the aliases, as the local store did when this run logged identical content.
  const v = ctx.store.artifacts.getVersion(name, version);
  if (!v) throw new Error(`artifact ${name}:v${version} is missing from the store`);
  const run = await ensureRun(ctx, by);
  const aliases = v.aliases.filter((a) => a !== "latest");
  const saved = await saveWandbArtifact(ctx.client, run, {
    name,
    type: v.type,
    description: v.description || undefined,
    metadata: v.metadata,
    aliases,
    files: storedFiles(ctx.store, v),
  }, { ...ctx.req, use });
  ctx.ledger.setValue(
    `artifact:${by.project}:${name}:${version}`,
    JSON.stringify({ id: saved.id, versionIndex: saved.versionIndex }),
  );
  ctx.ledger.setValue(`aliases:${by.project}:${name}:${version}`, JSON.stringify(aliases.sort()));
  ctx.counts.artifacts++;
  if (use) ctx.counts.uses++;
  return { id: saved.id, used: use };
}

/** The W&B id of name:vN in `project`, saving it first (by its producer when known) if needed. */
async function idOf(
  ctx: ReplayContext,
  project: string,
  name: string,
  version: number,
  user: RunRecord,
): Promise<{ id: string; used: boolean } | null> {
  const known = ctx.ledger.value(`artifact:${project}:${name}:${version}`);
  if (known !== null) return { id: (JSON.parse(known) as { id: string }).id, used: false };
  const { producer, creator } = ctx.store.artifacts.originOf(name, version, project);
  if (producer && producer.run.id !== user.id) {
    // A producer still running uploads it itself (saving it from here as well could race its save into
    // two versions on W&B): this use waits for it.
    if (producer.run.status === "running") return null;
    const saved = await saveVersion(ctx, producer.run, name, version, false);
    ctx.ledger.done(producer.run.id, `link:${producer.link.id}`, 1);
    return saved;
  }
  // Nobody logged it as an output: it was stored by a use (useArtifact with a spec). Its first user is
  // its creator on W&B too (logged and used, as Python's use_artifact of a new artifact does).
  if (creator && creator.run.id !== user.id) {
    if (creator.run.status === "running") return null;
    await saveVersion(ctx, creator.run, name, version, true);
    ctx.ledger.done(creator.run.id, `link:${creator.link.id}`, 1);
    return await idOf(ctx, project, name, version, user);
  }
  return await saveVersion(ctx, user, name, version, true);
}

/**
 * Aliases a run put on an existing version it used (useArtifact(ref, { aliases })): moved on W&B by a
 * save of the same content without `latest` (the server deduplicates it, nothing is uploaded).
 */
async function syncAliases(ctx: ReplayContext, l: ReplayLink): Promise<void> {
  const v = ctx.store.artifacts.getVersion(l.name, l.version);
  const custom = (v?.aliases ?? []).filter((a) => a !== "latest").sort();
  const aliasKey = `aliases:${ctx.run.project}:${l.name}:${l.version}`;
  if (!v || !custom.length || ctx.ledger.value(aliasKey) === JSON.stringify(custom)) return;
  await saveWandbArtifact(ctx.client, await ensureRun(ctx, ctx.run), {
    name: l.name,
    type: v.type,
    aliases: custom,
    files: storedFiles(ctx.store, v),
  }, { ...ctx.req, latest: false });
  ctx.ledger.setValue(aliasKey, JSON.stringify(custom));
  ctx.counts.artifacts++;
}

/** Sends the run's lineage links not sent yet. */
export async function sendArtifactsAndUses(ctx: ReplayContext): Promise<void> {
  const runId = ctx.run.id;
  for (const l of ctx.store.artifacts.links(runId)) {
    throwIfAborted(ctx.options.signal);
    await item(ctx, `link:${l.id}`, async () => {
      const done = ctx.ledger.cursor(runId, `link:${l.id}`);
      if (done !== null) {
        if (done !== -1 && l.direction === "input") await syncAliases(ctx, l);
        return;
      }
      if (l.direction === "output") {
        await saveVersion(ctx, ctx.run, l.name, l.version, false);
      } else {
        const found = await idOf(ctx, ctx.run.project, l.name, l.version, ctx.run);
        if (found === null) return; // its producer is live elsewhere: its own uploader saves it first
        if (!found.used) {
          await useWandbArtifact(ctx.client, ctx.wandb, found.id, ctx.req);
          ctx.counts.uses++;
        }
        await syncAliases(ctx, l);
      }
      ctx.ledger.done(runId, `link:${l.id}`, 1);
    });
  }
}
