/**
 * The W&B emulator's artifacts (tests/wandb_emulator.ts): versions created, their manifests and files,
 * the commit checks, lineage, moving aliases, and versions as the SDKs read them back.
 * @module
 */
import { b64ToHex, b64url, manifestDigest, md5b64 } from "./_wandb_emu_digest.ts";
import { dec, GqlError } from "./_wandb_emu_http.ts";
import { manifestFile, storageUrl } from "./_wandb_emu_storage.ts";
import { collectionKey, type EmuArtifact, type EmuState, getRun, nextId } from "./_wandb_emu_state.ts";

/** The version's collection with its latest committed version. */
function sequenceInfo(st: EmuState, a: EmuArtifact) {
  const coll = st.collections.get(collectionKey(a.entity, a.project, a.collection))!;
  const committed = coll.ids.map((id) => st.artifacts.get(id)!).filter((x) => x.state === "COMMITTED");
  const latest = committed.find((x) => x.aliases.includes("latest")) ?? null;
  return {
    id: btoa(`ArtifactCollection:${a.entity}/${a.project}/${a.collection}`),
    name: a.collection,
    latestArtifact: latest ? { id: latest.id, versionIndex: latest.versionIndex } : null,
  };
}

/** Moves each alias (not a version index `vN`) to this version, off any other version of its collection. */
function moveAliases(st: EmuState, a: EmuArtifact, aliases: string[]) {
  const coll = st.collections.get(collectionKey(a.entity, a.project, a.collection))!;
  for (const alias of aliases) {
    if (/^v\d+$/.test(alias)) continue;
    for (const id of coll.ids) {
      const other = st.artifacts.get(id)!;
      if (other !== a) other.aliases = other.aliases.filter((x) => x !== alias);
    }
    if (!a.aliases.includes(alias)) a.aliases.push(alias);
  }
}

/**
 * `createArtifact(input)`: a new PENDING version of a collection (whose type must match), or, with digest
 * deduplication on (the default), the committed version of the same digest with the aliases moved to it.
 */
export function createArtifact(st: EmuState, input: Record<string, unknown>) {
  const entity = String(input.entityName ?? st.defaultEntity);
  const project = String(input.projectName ?? "");
  const type = String(input.artifactTypeName ?? "");
  const name = String(
    input.artifactCollectionName ??
      (Array.isArray(input.artifactCollectionNames) ? input.artifactCollectionNames[0] : ""),
  );
  const digest = typeof input.digest === "string" ? input.digest : "";
  if (!project || !type || !name) {
    throw new GqlError(
      "CreateArtifact: projectName, artifactTypeName and artifactCollectionName are required",
    );
  }
  if (!/^[0-9a-f]{32}$/.test(digest)) {
    throw new GqlError(`CreateArtifact: digest '${digest}' is not a hex MD5`);
  }
  const aliases = (Array.isArray(input.aliases) ? input.aliases : []).map((x) =>
    typeof x === "string" ? x : String((x as { alias: unknown }).alias)
  );
  const key = collectionKey(entity, project, name);
  let coll = st.collections.get(key);
  if (coll && coll.type !== type) {
    throw new GqlError(`CreateArtifact: collection '${name}' has type '${coll.type}', not '${type}'`);
  }
  if (!coll) st.collections.set(key, coll = { type, ids: [] });
  const runName = typeof input.runName === "string" ? input.runName : null;
  const dedup = input.enableDigestDeduplication !== false;
  if (dedup) {
    const same = coll.ids.map((id) => st.artifacts.get(id)!).find((a) =>
      a.state === "COMMITTED" && a.digest === digest
    );
    if (same) {
      moveAliases(st, same, aliases.length ? aliases : ["latest"]);
      return {
        createArtifact: {
          artifact: {
            id: same.id,
            state: "COMMITTED",
            digest,
            versionIndex: same.versionIndex,
            artifactSequence: sequenceInfo(st, same),
          },
        },
      };
    }
  }
  let metadata: Record<string, unknown> = {};
  if (typeof input.metadata === "string" && input.metadata) {
    try {
      metadata = JSON.parse(input.metadata);
    } catch {
      throw new GqlError("CreateArtifact: metadata is not JSON");
    }
  }
  const a: EmuArtifact = {
    id: nextId(st, "Artifact"),
    entity,
    project,
    collection: name,
    type,
    digest,
    state: "PENDING",
    versionIndex: null,
    description: typeof input.description === "string" ? input.description : null,
    metadata,
    aliases: [],
    pendingAliases: aliases,
    manifestId: null,
    manifest: null,
    createdBy: runName ? `${entity}/${project}/${runName}` : null,
    usedBy: [],
    createdAt: new Date().toISOString(),
    clientId: typeof input.clientID === "string" ? input.clientID : null,
    sequenceClientId: typeof input.sequenceClientID === "string" ? input.sequenceClientID : null,
    baseArtifactId: null,
  };
  st.artifacts.set(a.id, a);
  coll.ids.push(a.id);
  return {
    createArtifact: {
      artifact: {
        id: a.id,
        state: a.state,
        digest,
        versionIndex: null,
        artifactSequence: sequenceInfo(st, a),
      },
    },
  };
}

/** `createArtifactManifest(input: {artifactID, baseArtifactID, name, digest, entityName, ..., type})`. */
export function createArtifactManifest(st: EmuState, input: Record<string, unknown>) {
  const a = st.artifacts.get(String(input.artifactID));
  if (!a) throw new GqlError(`CreateArtifactManifest: artifact ${input.artifactID} not found`);
  if (a.state === "COMMITTED") {
    throw new GqlError(`CreateArtifactManifest: artifact ${a.id} is already committed`);
  }
  const id = nextId(st, "ArtifactManifest");
  st.manifests.set(id, {
    artifactId: a.id,
    bytes: null,
    digest: String(input.digest ?? ""),
    type: String(input.type ?? "FULL"),
  });
  a.manifestId = id;
  a.baseArtifactId = typeof input.baseArtifactID === "string" ? input.baseArtifactID : null;
  return { artifactManifest: { id, type: st.manifests.get(id)!.type, file: manifestFile(st, id) } };
}

/** `updateArtifactManifest(input: {artifactManifestID, digest, baseArtifactID})`. */
export function updateArtifactManifest(st: EmuState, input: Record<string, unknown>) {
  const id = String(input.artifactManifestID);
  const m = st.manifests.get(id);
  if (!m) throw new GqlError(`UpdateArtifactManifest: manifest ${id} not found`);
  if (typeof input.digest === "string") m.digest = input.digest;
  return { artifactManifest: { id, type: m.type, file: manifestFile(st, id) } };
}

/**
 * `createArtifactFiles(input: {artifactFiles, storageLayout})`: one File per spec, in input order, with
 * `uploadUrl: null` for content the server already stores (wandb/wandb core/pkg/artifacts/saver.go
 * `processFiles`). `storagePath` takes no argument: the layout is part of the input.
 */
export function createArtifactFiles(st: EmuState, input: Record<string, unknown>) {
  const files = (Array.isArray(input.artifactFiles) ? input.artifactFiles : []) as Record<
    string,
    unknown
  >[];
  const layout = String(input.storageLayout ?? "V1");
  const edges = files.map((f) => {
    const a = st.artifacts.get(String(f.artifactID));
    if (!a) throw new GqlError(`CreateArtifactFiles: artifact ${f.artifactID} not found`);
    const md5 = String(f.md5 ?? "");
    if (!/^[A-Za-z0-9+/]{22}==$/.test(md5)) {
      throw new GqlError(`CreateArtifactFiles: md5 '${md5}' of '${f.name}' is not a base64 MD5`);
    }
    const stored = st.blobs.get(md5);
    const birth = stored?.birth ?? a.id;
    const headers = [`Content-MD5:${md5}`, "Content-Type:application/octet-stream"];
    return {
      cursor: String(st.seq),
      node: {
        id: nextId(st, "File"),
        name: f.name,
        displayName: f.name,
        storagePath: layout === "V2"
          ? `wandb_artifacts/${a.entity}/${a.project}/${a.collection}/${b64ToHex(md5)}`
          : `${a.entity}/${b64ToHex(md5)}`,
        uploadUrl: stored
          ? null
          : storageUrl(st, `/__storage/blob/${b64url(md5)}?artifact=${encodeURIComponent(a.id)}`, headers),
        uploadHeaders: headers,
        uploadMultipartUrls: null,
        artifact: { id: birth },
      },
    };
  });
  return { files: { edges, pageInfo: { hasNextPage: false, hasPreviousPage: false }, uploadHeaders: [] } };
}

/**
 * `commitArtifact(input)`: the manifest must be uploaded with the digest it was created with, every entry
 * uploaded with its size, and the artifact digest recomputed from the entries; the version gets the next
 * index, `latest` and its pending aliases, and becomes an output of the run that created it.
 */
export function commitArtifact(st: EmuState, input: Record<string, unknown>) {
  const a = st.artifacts.get(String(input.artifactID));
  if (!a) throw new GqlError(`CommitArtifact: artifact ${input.artifactID} not found`);
  if (a.state === "COMMITTED") {
    return {
      commitArtifact: {
        artifact: { id: a.id, digest: a.digest, versionIndex: a.versionIndex, state: a.state },
      },
    };
  }
  const m = a.manifestId ? st.manifests.get(a.manifestId) : undefined;
  if (!m?.bytes) throw new GqlError(`CommitArtifact: the manifest of artifact ${a.id} was never uploaded`);
  if (m.digest !== md5b64(m.bytes)) {
    throw new GqlError(
      `CommitArtifact: the manifest of artifact ${a.id} was created with digest '${m.digest}', ` +
        `its uploaded bytes have ${md5b64(m.bytes)}`,
    );
  }
  let manifest: { contents?: Record<string, { digest: string; size?: number }> };
  try {
    manifest = JSON.parse(dec.decode(m.bytes));
  } catch {
    throw new GqlError(`CommitArtifact: the manifest of artifact ${a.id} is not JSON`);
  }
  const contents = manifest.contents ?? {};
  for (const [path, entry] of Object.entries(contents)) {
    const blob = st.blobs.get(entry.digest);
    if (!blob) {
      throw new GqlError(`CommitArtifact: manifest entry '${path}' (${entry.digest}) was never uploaded`);
    }
    if (typeof entry.size === "number" && entry.size !== blob.bytes.length) {
      throw new GqlError(
        `CommitArtifact: manifest entry '${path}' has size ${entry.size}, stored ${blob.bytes.length}`,
      );
    }
  }
  const recomputed = manifestDigest(contents);
  if (recomputed !== a.digest) {
    throw new GqlError(
      `CommitArtifact: artifact digest ${a.digest} does not match the manifest (${recomputed})`,
    );
  }
  const coll = st.collections.get(collectionKey(a.entity, a.project, a.collection))!;
  a.versionIndex = coll.ids.filter((id) => st.artifacts.get(id)!.state === "COMMITTED").length;
  a.state = "COMMITTED";
  a.manifest = manifest as Record<string, unknown>;
  moveAliases(st, a, [...new Set(["latest", ...a.pendingAliases])]);
  a.pendingAliases = [];
  if (a.createdBy) {
    const run = st.runs.get(a.createdBy);
    if (run && !run.outputs.includes(a.id)) run.outputs.push(a.id);
  }
  return {
    commitArtifact: {
      artifact: { id: a.id, digest: a.digest, versionIndex: a.versionIndex, state: a.state },
    },
  };
}

/** `useArtifact(input)`: the run uses the version (lineage both ways). */
export function useArtifact(st: EmuState, input: Record<string, unknown>) {
  const a = st.artifacts.get(String(input.artifactID));
  if (!a) throw new GqlError(`UseArtifact: artifact ${input.artifactID} not found`);
  const entity = String(input.entityName ?? st.defaultEntity);
  const run = getRun(st, entity, String(input.projectName ?? ""), String(input.runName ?? ""));
  if (!run) {
    throw new GqlError(`UseArtifact: run ${entity}/${input.projectName}/${input.runName} not found`);
  }
  const runKey = `${run.entity}/${run.project}/${run.name}`;
  if (!run.inputs.includes(a.id)) run.inputs.push(a.id);
  if (!a.usedBy.includes(runKey)) a.usedBy.push(runKey);
  return { useArtifact: { artifact: { id: a.id } } };
}

/**
 * AddAliases (wandb/sdk/artifacts/artifact.py `_add_aliases`, sent by `Artifact._update` when a saved
 * version gains aliases; no run): each alias names its collection and moves to this version, off any
 * other version of the collection; version indexes (`vN`) are the server's and cannot be added.
 */
export function addAliases(st: EmuState, input: Record<string, unknown>) {
  const a = st.artifacts.get(String(input.artifactID));
  if (!a) throw new GqlError(`AddAliases: artifact ${input.artifactID} not found`);
  const names: string[] = [];
  for (const x of input.aliases as { alias: string; artifactCollectionName: string }[]) {
    if (x.artifactCollectionName !== a.collection) {
      throw new GqlError(`AddAliases: ${x.artifactCollectionName} is not the collection of ${a.id}`);
    }
    if (/^v\d+$/.test(x.alias)) throw new GqlError(`AddAliases: '${x.alias}' is a version index`);
    names.push(x.alias);
  }
  moveAliases(st, a, names);
  return { success: true };
}

/**
 * DeleteAliases (wandb/sdk/artifacts/artifact.py `_delete_aliases`): each alias names its collection;
 * `latest` and version aliases are the server's and stay.
 */
export function deleteAliases(st: EmuState, input: Record<string, unknown>) {
  const a = st.artifacts.get(String(input.artifactID));
  if (!a) throw new GqlError(`DeleteAliases: artifact ${input.artifactID} not found`);
  for (const x of input.aliases as { alias: string; artifactCollectionName: string }[]) {
    if (x.artifactCollectionName !== a.collection) {
      throw new GqlError(`DeleteAliases: ${x.artifactCollectionName} is not the collection of ${a.id}`);
    }
    if (x.alias !== "latest") a.aliases = a.aliases.filter((y) => y !== x.alias);
  }
  return { success: true };
}

/** An artifact version with the fields the SDKs select of it. */
export function artifactFragment(st: EmuState, a: EmuArtifact) {
  const files = Object.values((a.manifest?.contents ?? {}) as Record<string, { size?: number }>);
  return {
    id: a.id,
    digest: a.digest,
    state: a.state,
    versionIndex: a.versionIndex,
    description: a.description,
    metadata: JSON.stringify(a.metadata),
    size: files.reduce((s, f) => s + (f.size ?? 0), 0),
    fileCount: files.length,
    commitHash: a.digest.slice(0, 20),
    createdAt: a.createdAt,
    updatedAt: a.createdAt,
    ttlDurationSeconds: -1,
    tags: [],
    historyStep: null,
    artifactType: { id: btoa(`ArtifactType:${a.type}`), name: a.type },
    artifactSequence: {
      id: btoa(`ArtifactCollection:${a.entity}/${a.project}/${a.collection}`),
      name: a.collection,
      project: {
        id: btoa(`Project:${a.entity}/${a.project}`),
        name: a.project,
        entityName: a.entity,
        entity: { id: btoa(`Entity:${a.entity}`), name: a.entity },
      },
    },
    aliases: a.aliases.map((alias) => ({
      id: btoa(`Alias:${a.id}:${alias}`),
      alias,
      artifactCollectionName: a.collection,
      artifactCollection: { __typename: "ArtifactSequence", name: a.collection },
    })),
    currentManifest: a.manifestId ? { id: a.manifestId, file: manifestFile(st, a.manifestId) } : null,
    createdBy: a.createdBy ? { __typename: "Run", name: a.createdBy.split("/")[2] } : null,
  };
}

/** `name` or `name:alias` (`name:vN`) in a project: the committed version it names, or null. */
export function resolveName(st: EmuState, entity: string, project: string, name: string): EmuArtifact | null {
  const i = name.lastIndexOf(":");
  const coll = i < 0 ? name : name.slice(0, i);
  const alias = i < 0 ? "latest" : name.slice(i + 1);
  const c = st.collections.get(collectionKey(entity, project, coll));
  if (!c) return null;
  const committed = c.ids.map((id) => st.artifacts.get(id)!).filter((a) => a.state === "COMMITTED");
  const m = /^v(\d+)$/.exec(alias);
  if (m) return committed.find((a) => a.versionIndex === Number(m[1])) ?? null;
  return committed.find((a) => a.aliases.includes(alias)) ?? null;
}

/** An artifact version as a collection membership (`artifactCollectionMembership`). */
export function membership(st: EmuState, a: EmuArtifact) {
  return {
    id: btoa(`Membership:${a.id}`),
    versionIndex: a.versionIndex,
    createdAt: a.createdAt,
    aliases: a.aliases.map((alias) => ({
      id: btoa(`Alias:${a.id}:${alias}`),
      alias,
      artifactCollectionName: a.collection,
    })),
    artifactCollection: {
      __typename: "ArtifactSequence",
      id: btoa(`ArtifactCollection:${a.entity}/${a.project}/${a.collection}`),
      name: a.collection,
    },
    artifact: artifactFragment(st, a),
  };
}
