/**
 * A loopback emulator of the W&B backend (GraphQL, file_stream, storage) for tests.
 *
 * Every GraphQL request is parsed and validated against W&B's own schema (tests/fixtures/wandb_schema.graphql)
 * and its variables coerced against the operation's variable definitions (tests/_wandb_schema.ts); an invalid
 * one is answered HTTP 400 with `errors`, as W&B's GraphQL server answers it, and counted in
 * `state().invalid`. A valid one is executed against the schema: the resolvers get the field arguments the
 * document and its variables give, and the answer holds exactly the fields the document selects. Uploads,
 * file_stream lines and artifact digests are checked by the rules of the real SDK, each cited where it is
 * encoded. `close()` throws when any request was invalid, so every test that uses the emulator fails on one.
 *
 * Beyond that: runs with file_stream offset semantics, run files, artifacts with versions, moving aliases,
 * digest deduplication, commit checks and lineage, a request log and fault injection per operation (by
 * operation name). It binds 127.0.0.1 only.
 *
 * @example
 * ```ts
 * import { startEmulator } from "./wandb_emulator.ts";
 * const emu = await startEmulator();
 * emu.inject("UpsertBucket", { status: 500, times: 3 });
 * // ... point a client at emu.url ...
 * console.log(emu.state().counts);
 * await emu.close();
 * ```
 * @module
 */
import { execute, GraphQLError } from "graphql";
import { checkGraphql, wandbSchema } from "./_wandb_schema.ts";
import { b64ToHex, b64url, hexToB64, manifestDigest, md5b64 } from "./_wandb_emu_digest.ts";
import { checkAuth, dec, json, readBody } from "./_wandb_emu_http.ts";
import { fileStream } from "./_wandb_emu_file_stream.ts";
import { artifactFileGet, getStorage, putStorage, storageUrl } from "./_wandb_emu_storage.ts";
import {
  DROPPED,
  type Fault,
  faultResponse,
  newFaultQueue,
  queueFault,
  releaseHung,
  takeFault,
} from "./_wandb_emu_faults.ts";
import {
  baseUrl,
  collectionKey,
  type EmuArtifact,
  type EmulatorState,
  getRun,
  type LoggedRequest,
  newEmuState,
  nextId,
  snapshot,
} from "./_wandb_emu_state.ts";

export type { EmuArtifact, EmulatorState, EmuRun, LoggedRequest } from "./_wandb_emu_state.ts";
export type { Fault } from "./_wandb_emu_faults.ts";

/** Options for {@linkcode startEmulator}. */
export interface StartEmulatorOptions {
  /** Port to bind on 127.0.0.1 (default 0: any free port). */
  port?: number;
  /** The viewer's default entity (default "emu-user"). */
  entity?: string;
  /** When set, requests carrying another API key are rejected with 401. */
  apiKey?: string;
  /** Print unknown operations to stderr (default true). */
  loud?: boolean;
}

/** A running emulator. */
export interface Emulator {
  /** Base URL, e.g. `http://127.0.0.1:40123` (no trailing slash). */
  url: string;
  /** The bound port. */
  port: number;
  /** A deep copy of the state. */
  state(): EmulatorState;
  /**
   * Queue a fault for an operation. Operations: a GraphQL operation name (`Viewer`, `UpsertBucket`,
   * `CreateArtifact`, ...), `file_stream`, `storage_put` (uploads), `storage_get` (manifest and run-file
   * reads), `artifact_file_get` (artifact file downloads), or `*` for every request. Faults of one
   * operation apply in the order queued.
   */
  inject(op: string, fault: Fault): void;
  /** Drop every queued fault. */
  clearFaults(): void;
  /** Stop listening but keep the state (connections are refused until {@linkcode Emulator.up}). */
  down(): Promise<void>;
  /** Listen again on the same port with the same state. */
  up(): Promise<void>;
  /**
   * Stop for good: releases hung requests, closes the listener.
   * @throws {Error} when a request was invalid (see {@linkcode EmulatorState.invalid}) and not taken by
   *   {@linkcode Emulator.takeInvalid}.
   */
  close(): Promise<void>;
  /** Returns the invalid requests seen so far and forgets them (for tests that send one on purpose). */
  takeInvalid(): { op: string; message: string }[];
}

function unwrapConfig(raw: unknown): Record<string, unknown> {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (k === "_wandb") continue;
    const wrapped = v !== null && typeof v === "object" && !Array.isArray(v) && "value" in v &&
      Object.keys(v).every((x) => x === "value" || x === "desc");
    out[k] = wrapped ? (v as { value: unknown }).value : v;
  }
  return out;
}

class GqlError extends Error {}

const OP_PATTERNS: [RegExp, string][] = [
  [/artifactCollectionMembership\s*\(/, "ArtifactMembershipByName"],
  [/project\s*\([^)]*\)\s*\{\s*artifact\s*\(/, "ProjectArtifact"],
  [/\bviewer\s*\{/, "Viewer"],
  [/\bupsertBucket\s*\(/, "UpsertBucket"],
];

/**
 * Starts the emulator on 127.0.0.1.
 *
 * @param options Port, default entity, accepted API key.
 * @returns The running emulator.
 * @example
 * ```ts
 * const emu = await startEmulator({ port: 0 });
 * await fetch(`${emu.url}/__emu/state`).then((r) => r.json());
 * await emu.close();
 * ```
 */
export async function startEmulator(options: StartEmulatorOptions = {}): Promise<Emulator> {
  const st = newEmuState(options);
  const faults = newFaultQueue();
  let server: Deno.HttpServer<Deno.NetAddr> | null = null;
  let closed = false;

  // ---------------------------------------------------------------- GraphQL resolvers
  function viewer() {
    return {
      viewer: {
        id: btoa("User:1"),
        entity: st.defaultEntity,
        username: st.defaultEntity,
        email: `${st.defaultEntity}@example.invalid`,
        flags: "{}",
        teams: { edges: [] },
      },
    };
  }

  /** `upsertBucket(input: {name, modelName, entityName, ...})`. */
  function upsertBucket(v: Record<string, unknown>) {
    const entity = String(v.entityName ?? st.defaultEntity);
    const project = String(v.modelName ?? "uncategorized");
    const name = String(v.name ?? "");
    if (!name) throw new GqlError("UpsertBucket: variable 'name' (the run id) is required");
    const key = `${entity}/${project}/${name}`;
    let run = st.runs.get(key);
    const inserted = !run;
    if (!run) {
      run = {
        id: nextId(st, "Run"),
        entity,
        project,
        name,
        displayName: `emu-run-${st.seq}`,
        config: {},
        rawConfig: null,
        group: null,
        jobType: null,
        tags: [],
        notes: null,
        commit: null,
        history: [],
        historyWrites: [],
        summary: {},
        output: [],
        events: [],
        complete: false,
        exitGaps: [],
        exitcode: null,
        files: {},
        outputs: [],
        inputs: [],
        upserts: 0,
        uploaded: [],
        heartbeats: 0,
      };
      st.runs.set(key, run);
    }
    run.upserts++;
    if (typeof v.displayName === "string" && v.displayName) run.displayName = v.displayName;
    if (typeof v.config === "string" && v.config) {
      try {
        run.rawConfig = JSON.parse(v.config);
        run.config = unwrapConfig(run.rawConfig);
      } catch {
        throw new GqlError(`UpsertBucket: config is not JSON: ${v.config.slice(0, 80)}`);
      }
    }
    if (typeof v.groupName === "string") run.group = v.groupName;
    if (typeof v.jobType === "string") run.jobType = v.jobType;
    if (typeof v.commit === "string") run.commit = v.commit;
    if (Array.isArray(v.tags)) run.tags = v.tags.map(String);
    const notes = v.notes ?? v.description;
    if (typeof notes === "string") run.notes = notes;
    if (typeof v.summaryMetrics === "string") {
      try {
        Object.assign(run.summary, JSON.parse(v.summaryMetrics));
      } catch { /* ignored like the server */ }
    }
    return {
      upsertBucket: {
        inserted,
        bucket: {
          id: run.id,
          name: run.name,
          displayName: run.displayName,
          description: run.notes,
          config: JSON.stringify(run.rawConfig ?? {}),
          sweepName: null,
          historyLineCount: run.history.length,
          project: {
            id: btoa(`Project:${entity}/${project}`),
            name: project,
            entity: { id: btoa(`Entity:${entity}`), name: entity },
          },
        },
      },
    };
  }

  /** `createRunFiles(input: {entityName, projectName, runName, files})`. */
  function createRunFiles(input: Record<string, unknown>) {
    const entity = String(input.entityName ?? st.defaultEntity);
    const project = String(input.projectName ?? "");
    const name = String(input.runName ?? "");
    const run = getRun(st, entity, project, name);
    if (!run) throw new GqlError(`CreateRunFiles: run ${entity}/${project}/${name} not found`);
    const files = Array.isArray(input.files) ? input.files.map(String) : [];
    return {
      runID: run.id,
      uploadHeaders: [],
      files: files.map((f) => ({
        name: f,
        uploadUrl: storageUrl(
          st,
          `/__storage/run/${encodeURIComponent(entity)}/${encodeURIComponent(project)}/${
            encodeURIComponent(name)
          }/${f.split("/").map(encodeURIComponent).join("/")}`,
          [],
        ),
      })),
    };
  }

  function sequenceInfo(a: EmuArtifact) {
    const coll = st.collections.get(collectionKey(a.entity, a.project, a.collection))!;
    const committed = coll.ids.map((id) => st.artifacts.get(id)!).filter((x) => x.state === "COMMITTED");
    const latest = committed.find((x) => x.aliases.includes("latest")) ?? null;
    return {
      id: btoa(`ArtifactCollection:${a.entity}/${a.project}/${a.collection}`),
      name: a.collection,
      latestArtifact: latest ? { id: latest.id, versionIndex: latest.versionIndex } : null,
    };
  }

  function moveAliases(a: EmuArtifact, aliases: string[]) {
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

  function createArtifact(input: Record<string, unknown>) {
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
        moveAliases(same, aliases.length ? aliases : ["latest"]);
        return {
          createArtifact: {
            artifact: {
              id: same.id,
              state: "COMMITTED",
              digest,
              versionIndex: same.versionIndex,
              artifactSequence: sequenceInfo(same),
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
        artifact: { id: a.id, state: a.state, digest, versionIndex: null, artifactSequence: sequenceInfo(a) },
      },
    };
  }

  /**
   * The manifest's file. Its upload URL is signed over the manifest's digest (Content-MD5) once the digest
   * is known: the real SDK creates the manifest first with digest "" and no upload, and for a FULL manifest
   * calls CreateArtifactManifest again with the digest and `includeUpload: true` before its PUT (wandb/wandb
   * core/pkg/artifacts/saver.go `Save`, wandb/sdk/artifacts/artifact_saver.py `_save_internal`).
   */
  function manifestFile(id: string) {
    const m = st.manifests.get(id)!;
    const path = `/__storage/manifest/${encodeURIComponent(id)}`;
    const headers = m.digest ? [`Content-MD5:${m.digest}`] : [];
    return {
      id,
      name: "wandb_manifest.json",
      uploadUrl: m.digest ? storageUrl(st, path, headers) : null,
      uploadHeaders: headers,
      directUrl: `${baseUrl(st)}${path}`,
    };
  }

  /** `createArtifactManifest(input: {artifactID, baseArtifactID, name, digest, entityName, ..., type})`. */
  function createArtifactManifest(input: Record<string, unknown>) {
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
    return { artifactManifest: { id, type: st.manifests.get(id)!.type, file: manifestFile(id) } };
  }

  /** `updateArtifactManifest(input: {artifactManifestID, digest, baseArtifactID})`. */
  function updateArtifactManifest(input: Record<string, unknown>) {
    const id = String(input.artifactManifestID);
    const m = st.manifests.get(id);
    if (!m) throw new GqlError(`UpdateArtifactManifest: manifest ${id} not found`);
    if (typeof input.digest === "string") m.digest = input.digest;
    return { artifactManifest: { id, type: m.type, file: manifestFile(id) } };
  }

  /**
   * `createArtifactFiles(input: {artifactFiles, storageLayout})`: one File per spec, in input order, with
   * `uploadUrl: null` for content the server already stores (wandb/wandb core/pkg/artifacts/saver.go
   * `processFiles`). `storagePath` takes no argument: the layout is part of the input.
   */
  function createArtifactFiles(input: Record<string, unknown>) {
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

  function commitArtifact(input: Record<string, unknown>) {
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
    moveAliases(a, [...new Set(["latest", ...a.pendingAliases])]);
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

  function useArtifact(input: Record<string, unknown>) {
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

  function artifactFragment(a: EmuArtifact) {
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
      currentManifest: a.manifestId ? { id: a.manifestId, file: manifestFile(a.manifestId) } : null,
      createdBy: a.createdBy ? { __typename: "Run", name: a.createdBy.split("/")[2] } : null,
    };
  }

  function resolveName(entity: string, project: string, name: string): EmuArtifact | null {
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

  function membership(a: EmuArtifact) {
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
      artifact: artifactFragment(a),
    };
  }

  /**
   * `project(name, entityName)` (and `model(...)`, its older name) with the fields the SDKs select under it:
   * `artifactCollectionMembership(name)` (wandb/wandb wandb/sdk/artifacts/_generated ArtifactMembershipByName),
   * `artifact(name)` and `artifactType(name)` (the older lookups), `bucket(name){ files(names) }`
   * (@wandb/sdk's RunUploadUrls).
   */
  function project(args: Record<string, unknown>) {
    const entity = String(args.entityName ?? st.defaultEntity);
    const name = String(args.name ?? "");
    return {
      id: btoa(`Project:${entity}/${name}`),
      name,
      entityName: entity,
      entity: { id: btoa(`Entity:${entity}`), name: entity },
      artifactCollectionMembership: (a: { name: string }) => {
        const found = resolveName(entity, name, a.name);
        return found ? membership(found) : null;
      },
      artifact: (a: { name: string }) => {
        const found = resolveName(entity, name, a.name);
        return found ? artifactFragment(found) : null;
      },
      artifactType: (a: { name: string }) => {
        const found = resolveName(entity, name, `${a.name}`) ??
          [...st.artifacts.values()].find((x) =>
            x.entity === entity && x.project === name && x.type === a.name
          );
        return found ? { id: btoa(`ArtifactType:${found.type}`), name: found.type } : null;
      },
      bucket: (b: { name: string }) => {
        const run = getRun(st, entity, name, b.name);
        if (!run) return null;
        const lines = run.history.filter((h) => h !== null);
        return {
          id: run.id,
          name: run.name,
          // RunResumeStatus (the SDK's resume: wandb/wandb core/api/graphql/query_run_resume_status.graphql)
          displayName: run.displayName,
          summaryMetrics: JSON.stringify(run.summary),
          historyLineCount: run.history.length,
          logLineCount: run.output.length,
          eventsLineCount: run.events.length,
          // W&B's tails: a JSON list of the last lines, each a JSON text.
          historyTail: JSON.stringify(lines.slice(-10).map((h) => JSON.stringify(h))),
          eventsTail: JSON.stringify(run.events.filter((e) => e !== null).slice(-10)),
          config: JSON.stringify(run.rawConfig ?? {}),
          tags: run.tags,
          notes: run.notes,
          wandbConfig: (w: { keys?: string[] }) => {
            const internal = ((run.rawConfig as Record<string, { value?: Record<string, unknown> }>)?._wandb
              ?.value) ?? {};
            const picked: Record<string, unknown> = {};
            for (const k of w.keys ?? Object.keys(internal)) if (k in internal) picked[k] = internal[k];
            return JSON.stringify(picked);
          },
          files: (fa: { names?: string[] }) => {
            const r = createRunFiles({
              entityName: entity,
              projectName: name,
              runName: b.name,
              files: (fa.names ?? []).filter((x) => x !== null),
            });
            return {
              uploadHeaders: r.uploadHeaders,
              pageInfo: { hasNextPage: false, hasPreviousPage: false },
              edges: r.files.map((f) => ({
                cursor: f.name,
                node: { id: btoa(`File:${f.name}`), name: f.name, url: f.uploadUrl, updatedAt: null },
              })),
            };
          },
        };
      },
    };
  }

  type Args = Record<string, unknown>;
  const inputOf = (args: Args) => args.input as Record<string, unknown>;
  /** The root fields the emulator implements; each gets the field's arguments from the document. */
  const root: Record<string, (args: Args) => unknown> = {
    viewer: () => viewer().viewer,
    serverInfo: () => null,
    project,
    model: project,
    artifact: (args) => {
      const a = st.artifacts.get(String(args.id));
      return a ? artifactFragment(a) : null;
    },
    upsertBucket: (args) => upsertBucket(inputOf(args)).upsertBucket,
    createRunFiles: (args) => createRunFiles(inputOf(args)),
    createArtifactType: (args) => ({
      artifactType: { id: btoa(`ArtifactType:${inputOf(args).name}`), name: inputOf(args).name },
    }),
    createArtifact: (args) => createArtifact(inputOf(args)).createArtifact,
    createArtifactManifest: (args) => createArtifactManifest(inputOf(args)),
    updateArtifactManifest: (args) => updateArtifactManifest(inputOf(args)),
    createArtifactFiles: (args) => createArtifactFiles(inputOf(args)),
    commitArtifact: (args) => commitArtifact(inputOf(args)).commitArtifact,
    useArtifact: (args) => useArtifact(inputOf(args)).useArtifact,
    addAliases: (args) => addAliases(inputOf(args)),
    deleteAliases: (args) => deleteAliases(inputOf(args)),
  };

  /**
   * AddAliases (wandb/sdk/artifacts/artifact.py `_add_aliases`, sent by `Artifact._update` when a saved
   * version gains aliases; no run): each alias names its collection and moves to this version, off any
   * other version of the collection; version indexes (`vN`) are the server's and cannot be added.
   */
  function addAliases(input: Record<string, unknown>) {
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
    moveAliases(a, names);
    return { success: true };
  }

  /**
   * DeleteAliases (wandb/sdk/artifacts/artifact.py `_delete_aliases`): each alias names its collection;
   * `latest` and version aliases are the server's and stay.
   */
  function deleteAliases(input: Record<string, unknown>) {
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

  /** The operation's name, for the request log and fault injection (dispatch reads the document). */
  function opFromQuery(query: string): string {
    const m = /\b(?:query|mutation)\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(query);
    if (m) return m[1];
    for (const [re, op] of OP_PATTERNS) if (re.test(query)) return op;
    return "(anonymous)";
  }

  /**
   * A GraphQL request: parsed, validated against W&B's schema, variables coerced (an invalid request is
   * answered HTTP 400 with `errors`, as W&B's GraphQL server does, and counted in `invalid`), then executed
   * with the resolvers above.
   */
  async function graphql(req: Request, body: Uint8Array, op: string): Promise<Response> {
    let parsed: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      parsed = JSON.parse(dec.decode(body));
    } catch {
      st.invalid.push({ op, message: "request body is not JSON" });
      return json({ errors: [{ message: "request body is not JSON" }] }, 400);
    }
    if (!checkAuth(st, req)) return json({ errors: [{ message: "invalid API key" }] }, 401);
    const query = typeof parsed.query === "string" ? parsed.query : "";
    const vars = parsed.variables ?? {};
    const checked = vars !== null && typeof vars === "object" && !Array.isArray(vars)
      ? checkGraphql(
        query,
        vars as Record<string, unknown>,
        typeof parsed.operationName === "string" ? parsed.operationName : null,
      )
      : {
        errors: [
          new GraphQLError(
            "Variables must be provided as an Object where each property is a variable value.",
          ),
        ],
      };
    if ("errors" in checked) {
      const message = checked.errors.map((e) => e.message).join("; ");
      st.invalid.push({ op, message });
      if (st.loud) console.error(`[wandb emulator] INVALID GraphQL '${op}': ${message}`);
      return json({ errors: checked.errors.map((e) => e.toJSON()) }, 400);
    }
    for (const sel of checked.operation.selectionSet.selections) {
      if (sel.kind === "Field" && !sel.name.value.startsWith("__") && !(sel.name.value in root)) {
        st.unknown.push({ op, query: query.slice(0, 500) });
        if (st.loud) console.error(`[wandb emulator] UNKNOWN root field '${sel.name.value}' in '${op}'`);
        st.errors.push({ op, message: "unknown operation" });
        return json({ data: null, errors: [{ message: `emulator: unknown field '${sel.name.value}'` }] });
      }
    }
    const result = await execute({
      schema: wandbSchema,
      document: checked.document,
      operationName: checked.operation.name?.value,
      variableValues: checked.variables,
      rootValue: root,
    });
    if (result.errors?.length) {
      for (const e of result.errors) {
        st.errors.push({ op, message: e.message });
        if (!(e.originalError instanceof GqlError) && st.loud) {
          console.error(`[wandb emulator] '${op}': ${e.message}`);
        }
      }
    }
    return json(result);
  }

  function classify(req: Request, url: URL): { op: string; parts: string[] } {
    const p = url.pathname;
    if (p === "/graphql" || p === "/graphql/") return { op: "graphql", parts: [] };
    let m = /^\/files\/([^/]+)\/([^/]+)\/([^/]+)\/file_stream\/?$/.exec(p);
    if (m) return { op: "file_stream", parts: [m[1], m[2], m[3]] };
    if (p.startsWith("/__storage/")) {
      return { op: req.method === "PUT" ? "storage_put" : "storage_get", parts: p.slice(11).split("/") };
    }
    // The SDK's download URLs: V2 ends with the file's name only (wandb/wandb
    // wandb/sdk/artifacts/storage_policies/wandb_storage_policy.py `_file_url`); a nested path is not found.
    m = /^\/artifactsV2\/[^/]+\/[^/]+\/[^/]+\/[^/]+\/(?:[^/]+\/)?[^/]+\/([0-9a-f]{32})\/([^/]+)$/.exec(p) ??
      /^\/artifacts\/[^/]+\/([0-9a-f]{32})\/?$/.exec(p);
    if (m) return { op: "artifact_file_get", parts: ["blob", b64url(hexToB64(m[1])), ...m.slice(2)] };
    if (p === "/__emu/state") return { op: "__emu_state", parts: [] };
    return { op: "unknown_path", parts: [] };
  }

  async function handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const { op: kind, parts } = classify(req, url);
    if (kind === "__emu_state") return json(snapshot(st));
    let body: Uint8Array;
    try {
      body = req.method === "GET" || req.method === "HEAD" ? new Uint8Array() : await readBody(req);
    } catch {
      return new Response("cannot read body", { status: 400 });
    }
    let op = kind;
    if (kind === "graphql") {
      try {
        const parsed = JSON.parse(dec.decode(body));
        op = typeof parsed.operationName === "string" && parsed.operationName
          ? parsed.operationName
          : opFromQuery(String(parsed.query ?? ""));
      } catch {
        op = "graphql";
      }
    }
    st.counts[op] = (st.counts[op] ?? 0) + 1;
    const entry: LoggedRequest = { op, method: req.method, path: url.pathname, status: 0 };
    st.requests.push(entry);
    const fault = takeFault(faults, op);
    const respond = (r: Response, f?: string) => {
      entry.status = r.status;
      if (f) entry.fault = f;
      return r;
    };
    if (fault) {
      const injected = await faultResponse(faults, fault);
      if (injected) return respond(injected.response, injected.label);
    }
    let res: Response;
    if (kind === "graphql") res = await graphql(req, body, op);
    else if (kind === "file_stream") res = fileStream(st, req, body, parts);
    else if (kind === "storage_put") res = putStorage(st, req, body, parts, url);
    else if (kind === "storage_get") res = getStorage(st, parts);
    else if (kind === "artifact_file_get") res = artifactFileGet(st, parts);
    else {
      st.unknown.push({ op: `${req.method} ${url.pathname}`, query: "" });
      if (st.loud) console.error(`[wandb emulator] UNKNOWN path ${req.method} ${url.pathname}`);
      res = new Response("not found", { status: 404 });
    }
    return respond(res, fault?.delayMs ? "delay" : undefined);
  }

  function serve(): Promise<void> {
    return new Promise((resolve) => {
      server = Deno.serve({
        hostname: "127.0.0.1",
        port: st.port,
        onListen: (addr) => {
          st.port = addr.port;
          resolve();
        },
        onError: (e) => {
          if (!String(e).includes(DROPPED)) {
            console.error("[wandb emulator] handler error:", e);
          }
          return new Response(`emulator error: ${e}`, { status: 500 });
        },
      }, handle);
    });
  }

  async function down() {
    releaseHung(faults);
    if (server) {
      const s = server;
      server = null;
      await s.shutdown();
    }
  }

  await serve();
  return {
    get url() {
      return baseUrl(st);
    },
    get port() {
      return st.port;
    },
    state: () => snapshot(st),
    inject(op: string, fault: Fault) {
      queueFault(faults, op, fault);
    },
    clearFaults() {
      faults.pending.clear();
    },
    down,
    async up() {
      if (closed) throw new Error("the emulator is closed");
      if (!server) await serve();
    },
    async close() {
      closed = true;
      faults.pending.clear();
      await down();
      if (st.invalid.length) {
        throw new Error(
          `the W&B emulator got ${st.invalid.length} request(s) the real W&B refuses:\n` +
            st.invalid.map((x) => `  ${x.op}: ${x.message}`).join("\n"),
        );
      }
    },
    takeInvalid() {
      const taken = st.invalid;
      st.invalid = [];
      return taken;
    },
  };
}

/** The W&B artifact digest, exported for tests that build manifests by hand. */
export { manifestDigest };
/** Base64 MD5 of bytes, exported for tests. */
export { md5b64 };
/** JSON.parse that also reads W&B's bare NaN / Infinity tokens, exported for tests. */
export { parseLine } from "./_wandb_emu_file_stream.ts";
