/**
 * The W&B emulator's state as plain data (tests/wandb_emulator.ts): runs, artifacts and their collections,
 * stored blobs and manifests, the upload URLs handed out, and the request log and counters. Every handler
 * takes it as a parameter; {@linkcode snapshot} is what `state()` and `/__emu/state` return.
 * @module
 */

/** One logged request. */
export interface LoggedRequest {
  /** Operation: the GraphQL operation name, or `file_stream`, `storage_put`, `storage_get`, ... */
  op: string;
  method: string;
  path: string;
  status: number;
  /** The fault applied, if any. */
  fault?: string;
}

/** A run as the emulator holds it. */
export interface EmuRun {
  id: string;
  entity: string;
  project: string;
  name: string;
  displayName: string;
  /** The config with Python's `{value, desc}` wrapping removed. */
  config: Record<string, unknown>;
  /** The config exactly as sent (parsed). */
  rawConfig: unknown;
  group: string | null;
  jobType: string | null;
  tags: string[];
  notes: string | null;
  /** UpsertBucket's `commit` (the git commit of the code), or null. */
  commit: string | null;
  /** History lines in order; a hole is `null`. */
  history: (Record<string, unknown> | null)[];
  /** How many times each history line was written (more than once = a resend at the same offset). */
  historyWrites: number[];
  summary: Record<string, unknown>;
  output: (string | null)[];
  events: (string | null)[];
  complete: boolean;
  exitcode: number | null;
  /** Run files: name -> size, base64 MD5 and the text of the file. */
  files: Record<string, { size: number; md5: string; text: string }>;
  /** Artifact ids logged by the run (committed). */
  outputs: string[];
  /** Artifact ids used by the run. */
  inputs: string[];
  upserts: number;
  /** Run files announced as uploaded on file_stream (`{"uploaded": [...]}`), in order, deduplicated. */
  uploaded: string[];
  /** file_stream requests that carried nothing (heartbeats). */
  heartbeats: number;
  /**
   * What the run's completion lacked of what W&B's SDK always sends when a run ends (empty when it matches;
   * see `exitGaps` in tests/_wandb_emu_file_stream.ts): not refused, since the server takes any summary,
   * but a W&B user would see a different run.
   */
  exitGaps: string[];
  /** The largest `_wandb.runtime` a summary of the run carried (0 before any): its runtime never goes back. */
  heldRuntime: number;
}

/** One artifact version. */
export interface EmuArtifact {
  id: string;
  entity: string;
  project: string;
  collection: string;
  type: string;
  digest: string;
  state: "PENDING" | "COMMITTED";
  versionIndex: number | null;
  description: string | null;
  metadata: Record<string, unknown>;
  aliases: string[];
  pendingAliases: string[];
  manifestId: string | null;
  manifest: Record<string, unknown> | null;
  createdBy: string | null;
  usedBy: string[];
  createdAt: string;
  /** `clientID` / `sequenceClientID` of CreateArtifactInput as sent (null when not sent). */
  clientId: string | null;
  sequenceClientId: string | null;
  /** `baseArtifactID` of its CreateArtifactManifest as sent (null when not sent). */
  baseArtifactId: string | null;
}

/** The emulator's state, as JSON. */
export interface EmulatorState {
  runs: Record<string, EmuRun>;
  artifacts: Record<string, EmuArtifact>;
  /** `entity/project/collection` -> type and artifact ids in creation order. */
  collections: Record<string, { type: string; ids: string[] }>;
  /** Stored blobs: base64 MD5 -> size. */
  blobs: Record<string, number>;
  requests: LoggedRequest[];
  /** Requests per operation. */
  counts: Record<string, number>;
  /** Requests to operations the emulator does not know. */
  unknown: { op: string; query: string }[];
  /** Requests whose API key was wrong (only when `apiKey` is set). */
  authFailures: number;
  /** Errors the emulator reported to clients (GraphQL errors, 4xx). */
  errors: { op: string; message: string }[];
  /**
   * Requests the real W&B would refuse outright: GraphQL documents or variables that do not validate against
   * its schema, upload PUTs with headers other than the server's `uploadHeaders`, file_stream lines over the
   * cap. `close()` throws when this is not empty.
   */
  invalid: { op: string; message: string }[];
}

/** A stored upload: its bytes and the artifact whose upload first brought them (null for none). */
export interface EmuBlob {
  bytes: Uint8Array;
  birth: string | null;
}

/** An artifact manifest: its artifact, its uploaded bytes (null until the PUT), digest and type. */
export interface EmuManifest {
  artifactId: string;
  bytes: Uint8Array | null;
  digest: string;
  type: string;
}

/** Everything the emulator holds, mutated by the handlers. */
export interface EmuState {
  /** The viewer's default entity. */
  defaultEntity: string;
  /** Print unknown operations and handler errors to stderr. */
  loud: boolean;
  /** A completed run's summary `_step` may be past the last history line held (lines dropped over the cap). */
  allowDroppedLines: boolean;
  /** When set, requests carrying another API key are rejected with 401. */
  apiKey: string | undefined;
  /** The bound port (0 until the server first listens); storage URLs are built from it. */
  port: number;
  runs: Map<string, EmuRun>;
  artifacts: Map<string, EmuArtifact>;
  collections: Map<string, { type: string; ids: string[] }>;
  blobs: Map<string, EmuBlob>;
  manifests: Map<string, EmuManifest>;
  /** Storage URL (path and query) -> the `uploadHeaders` the server gave with it. */
  uploadHeaders: Map<string, string[]>;
  requests: LoggedRequest[];
  counts: Record<string, number>;
  unknown: { op: string; query: string }[];
  errors: { op: string; message: string }[];
  invalid: { op: string; message: string }[];
  authFailures: number;
  /** The last id number handed out (ids and cursors count up from it). */
  seq: number;
}

/** A fresh, empty state. */
export function newEmuState(
  options: { entity?: string; loud?: boolean; apiKey?: string; port?: number; allowDroppedLines?: boolean },
): EmuState {
  return {
    defaultEntity: options.entity ?? "emu-user",
    loud: options.loud ?? true,
    allowDroppedLines: options.allowDroppedLines ?? false,
    apiKey: options.apiKey,
    port: options.port ?? 0,
    runs: new Map(),
    artifacts: new Map(),
    collections: new Map(),
    blobs: new Map(),
    manifests: new Map(),
    uploadHeaders: new Map(),
    requests: [],
    counts: {},
    unknown: [],
    errors: [],
    invalid: [],
    authFailures: 0,
    seq: 0,
  };
}

/** The next id of a kind, as W&B spells ids: base64 of `Kind:n`. */
export function nextId(st: EmuState, kind: string): string {
  return btoa(`${kind}:${++st.seq}`);
}

/** The server's base URL, e.g. `http://127.0.0.1:40123`. */
export function baseUrl(st: EmuState): string {
  return `http://127.0.0.1:${st.port}`;
}

/** The run `entity/project/name`, if it exists. */
export function getRun(st: EmuState, entity: string, project: string, name: string): EmuRun | undefined {
  return st.runs.get(`${entity}/${project}/${name}`);
}

/** The key of an artifact collection in {@linkcode EmuState.collections}. */
export function collectionKey(entity: string, project: string, name: string): string {
  return `${entity}/${project}/${name}`;
}

/** A deep copy of the state, as JSON. */
export function snapshot(st: EmuState): EmulatorState {
  const blobSizes: Record<string, number> = {};
  for (const [k, b] of st.blobs) blobSizes[k] = b.bytes.length;
  return structuredClone({
    runs: Object.fromEntries(st.runs),
    artifacts: Object.fromEntries(st.artifacts),
    collections: Object.fromEntries(st.collections),
    blobs: blobSizes,
    requests: st.requests,
    counts: st.counts,
    unknown: st.unknown,
    authFailures: st.authFailures,
    errors: st.errors,
    invalid: st.invalid,
  });
}
