/**
 * Look up an artifact version by `name:alias` or `name:vN`, with its manifest.
 * @module
 */
import type { WandbClient, WandbRequestOptions } from "./client.ts";
import { WandbError } from "./errors.ts";
import type { WandbArtifact } from "./types.ts";

/** Options for {@linkcode getWandbArtifact}. */
export interface GetWandbArtifactOptions extends WandbRequestOptions {
  /** Entity, unless the ref names it (`entity/project/name:alias`). */
  entity?: string;
  /** Project, unless the ref names it. */
  project?: string;
}

const MEMBERSHIP = `query ArtifactMembershipByName($entity: String!, $project: String!, $name: String!) {
  project(name: $project, entityName: $entity) {
    artifactCollectionMembership(name: $name) {
      id
      versionIndex
      aliases { alias }
      artifactCollection { name }
      artifact {
        id digest state versionIndex description metadata size fileCount
        artifactType { name }
        aliases { alias }
        currentManifest { file { directUrl } }
      }
    }
  }
}`;

const dec = new TextDecoder();

/** Splits `[entity/project/]name[:alias]`. */
function parseRef(ref: string, options: GetWandbArtifactOptions) {
  const parts = ref.split("/");
  if (parts.length !== 1 && parts.length !== 3) {
    throw new WandbError(
      "config",
      `Invalid artifact ref '${ref}': use name:alias or entity/project/name:alias`,
    );
  }
  const last = parts[parts.length - 1];
  const i = last.indexOf(":");
  const name = i < 0 ? last : last.slice(0, i);
  const alias = i < 0 ? "latest" : last.slice(i + 1);
  const entity = parts.length === 3 ? parts[0] : options.entity;
  const project = parts.length === 3 ? parts[1] : options.project;
  if (!name || !alias || !entity || !project) {
    throw new WandbError(
      "config",
      `Invalid artifact ref '${ref}': it needs a name and alias, and an entity and project (in the ref or the options)`,
    );
  }
  return { entity, project, name, alias };
}

/**
 * Finds an artifact version by name and alias (`latest`, a custom alias) or version (`v3`) and reads its
 * manifest.
 *
 * @param client The client.
 * @param ref `name:alias`, `name:vN`, `name` (= `name:latest`) or `entity/project/name:alias`.
 * @param options Entity and project for short refs; retry overrides.
 * @returns The version with its manifest, or null when there is no such version.
 * @throws {WandbError} `config` for a malformed ref; `protocol` for a manifest that is not JSON.
 * @example
 * ```ts
 * import { connectWandb, getWandbArtifact } from "./mod.ts";
 * const { client, entity } = await connectWandb();
 * const a = await getWandbArtifact(client, "sample-data:latest", { entity, project: "demo" });
 * console.log(a ? `${a.name}:v${a.versionIndex}` : "not found");
 * ```
 */
export async function getWandbArtifact(
  client: WandbClient,
  ref: string,
  options: GetWandbArtifactOptions = {},
): Promise<WandbArtifact | null> {
  const { entity, project, name, alias } = parseRef(ref, options);
  const req = { retry: options.retry, signal: options.signal };
  const data = await client.graphql<{
    project: {
      artifactCollectionMembership: {
        versionIndex: number | null;
        aliases?: { alias: string }[] | null;
        artifact: {
          id: string;
          digest: string;
          state: string;
          versionIndex: number | null;
          description: string | null;
          metadata: string | null;
          artifactType: { name: string };
          aliases?: { alias: string }[] | null;
          currentManifest: { file: { directUrl: string } } | null;
        } | null;
      } | null;
    } | null;
  }>("ArtifactMembershipByName", MEMBERSHIP, { entity, project, name: `${name}:${alias}` }, req);
  const m = data.project?.artifactCollectionMembership;
  const a = m?.artifact;
  if (!m || !a) return null;
  const url = a.currentManifest?.file?.directUrl;
  if (!url) {
    throw new WandbError("protocol", `W&B has no manifest for artifact '${name}:${alias}'`, {
      op: "ArtifactMembershipByName",
    });
  }
  const res = await client.request("manifest_download", { method: "GET", url, ...req });
  let manifest: { contents?: WandbArtifact["manifest"] };
  try {
    manifest = JSON.parse(dec.decode(res.body));
  } catch {
    throw new WandbError("protocol", `The manifest of artifact '${name}:${alias}' is not JSON`, {
      op: "manifest_download",
    });
  }
  let metadata: Record<string, unknown> = {};
  try {
    metadata = a.metadata ? JSON.parse(a.metadata) : {};
  } catch { /* metadata that is not JSON is dropped */ }
  return {
    id: a.id,
    entity,
    project,
    name,
    type: a.artifactType.name,
    versionIndex: m.versionIndex ?? a.versionIndex ?? 0,
    digest: a.digest,
    aliases: (m.aliases ?? a.aliases ?? []).map((x) => x.alias).filter((x) => !/^v\d+$/.test(x)),
    description: a.description,
    metadata,
    manifest: manifest.contents ?? {},
  };
}
