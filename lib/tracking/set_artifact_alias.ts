import { TrackingError } from "./_errors.ts";
import { findVersion, parseRef } from "./_ref.ts";
import { Store } from "./_store.ts";
import { nameProblem } from "./name_problem.ts";
import { sendAliasMoves } from "./_send_aliases.ts";
import type { ArtifactVersion } from "./types.ts";
import { wandbConfigured } from "./_target.ts";

/**
 * Removes `alias` on W&B: from the copies of the version this store synced (the sync ledger's pending
 * DeleteAliases), and from the version with the same content found by alias (a copy another store made).
 */
async function removeOnWandb(
  store: Store,
  v: ArtifactVersion,
  alias: string,
  project?: string,
): Promise<void> {
  if (!wandbConfigured()) return;
  const { connectWandb, deleteWandbArtifactAliases, getWandbArtifact } = await import("./wandb/mod.ts");
  const proj = project ?? Deno.env.get("WANDB_PROJECT") ?? "sentilab";
  try {
    const { client, entity } = await connectWandb({ timeoutMs: 10_000 });
    await sendAliasMoves(store, { client, entity, target: client.baseUrl }, v.name);
    const remote = await getWandbArtifact(client, `${v.name}:${alias}`, { entity, project: proj });
    if (remote && remote.digest === v.digest) await deleteWandbArtifactAliases(client, remote, [alias]);
  } catch (e) {
    console.warn(
      `warning: alias '${alias}' removed locally but not on W&B (${
        (e as Error).message
      }); 'deno task sync' removes it from the copies this store synced`,
    );
  }
}

/**
 * Sends the alias moves of artifact `name` the sync ledger holds as pending for W&B (AddAliases, no run);
 * on failure they stay pending for `deno task sync`.
 */
async function addOnWandb(store: Store, name: string, alias: string): Promise<void> {
  if (!wandbConfigured()) return;
  const { connectWandb } = await import("./wandb/mod.ts");
  try {
    const { client, entity } = await connectWandb({ timeoutMs: 10_000 });
    await sendAliasMoves(store, { client, entity, target: client.baseUrl }, name);
  } catch (e) {
    console.warn(
      `warning: alias '${alias}' set locally but not on W&B yet (${
        (e as Error).message
      }); 'deno task sync' sends it`,
    );
  }
}

/** Options for {@linkcode setArtifactAlias}. */
export interface SetArtifactAliasOptions {
  /** Store directory (default: SENTILAB_DIR, else `.sentilab`). */
  dir?: string;
  /** Remove the alias from the version instead of pointing it there. */
  remove?: boolean;
  /** Removing: the W&B project to remove it from (default: the project of the run that created the version). */
  project?: string;
}

/**
 * Points a custom alias (e.g. `production`) at an artifact version, moving it off any other version of
 * the same name, or removes it (`remove: true`). As in W&B, an alias names one version of an artifact at
 * a time; `latest` and `vN` are managed by the store and cannot be set or removed.
 *
 * No run is made (the lineage and the run list do not change), as in W&B's SDK where
 * `artifact.aliases.append(a); artifact.save()` on an existing version sends AddAliases. Adding changes the
 * local store, and the sync ledger holds the move as pending for every W&B copy of the version: when W&B
 * is configured (WANDB_API_KEY, WANDB_MODE not offline/disabled) it is sent at once (AddAliases, after
 * DeleteAliases for what left the version); offline or on a W&B failure (one warning) it stays pending and
 * `deno task sync` sends it. A version W&B does not hold yet gets its aliases when its run is synced.
 * Removing changes the local store the same way (DeleteAliases, pending until sent, as the SDK's
 * `artifact.aliases.remove(a); artifact.save()`); online it also removes the alias from the version with
 * the same content found on W&B by alias (checked by digest), a copy this store did not sync. A W&B failure
 * is one warning; the local change stays.
 *
 * @param ref The version: `name:vN` or `name:alias`.
 * @param alias The alias to set or remove.
 * @param options Store, remove, project.
 * @returns The version after the change.
 * @throws {TrackingError} for a malformed reference or alias, an unknown version, `latest`, or removing an
 *   alias the version does not have.
 *
 * @example
 * ```ts
 * import { finishRun, initRun, logArtifact, setArtifactAlias } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/m.txt`, "weights");
 * const run = await initRun({ dir: `${dir}/store` });
 * await logArtifact(run, { name: "mine", type: "model", files: [`${dir}/m.txt`] });
 * await finishRun(run);
 * const v = await setArtifactAlias("mine:v0", "production", { dir: `${dir}/store` });
 * console.log(v.aliases); // ["latest", "production"]
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function setArtifactAlias(
  ref: string,
  alias: string,
  options: SetArtifactAliasOptions = {},
): Promise<ArtifactVersion> {
  const parsed = parseRef(ref);
  const problem = nameProblem(alias, "alias");
  if (problem) throw new TrackingError(`Alias '${alias}': ${problem}`);
  if (alias === "latest") {
    throw new TrackingError("'latest' is kept by the store on the newest version; choose another alias");
  }
  const store = Store.open(options.dir);
  const v = findVersion(store, parsed);
  if (options.remove) {
    if (!v.aliases.includes(alias)) {
      throw new TrackingError(
        `${v.ref} has no alias '${alias}' (its aliases: ${v.aliases.join(", ") || "none"})`,
      );
    }
    store.artifacts.removeAlias(v.name, alias);
    const after = store.artifacts.getVersion(v.name, v.version)!;
    const project = options.project ?? (v.createdBy ? store.runs.getRun(v.createdBy)?.project : undefined);
    await removeOnWandb(store, after, alias, project);
    return after;
  }
  store.artifacts.setAlias(v.name, alias, v.version);
  await addOnWandb(store, v.name, alias);
  return store.artifacts.getVersion(v.name, v.version)!;
}
