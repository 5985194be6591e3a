/**
 * Plain data types of the W&B client, shaped so that a replayer of the local store can fill them.
 * @module
 */

/** A run on W&B, as returned by {@linkcode upsertWandbRun}. */
export interface WandbRun {
  /** Entity (user or team). */
  entity: string;
  /** Project name. */
  project: string;
  /** Run id (the `name` of W&B's bucket), e.g. `k3j5x9qa`. */
  id: string;
  /** Display name. */
  name: string;
  /** The server's id of the run (base64 `Run:n`). */
  storageId: string;
  /** Link to the run in the W&B app (best guess from the base URL). */
  url: string;
}

/** A file of an artifact to save: a path on disk, or bytes in memory. */
export interface WandbArtifactFile {
  /** Path inside the artifact, `/`-separated, e.g. `model/model.onnx`. */
  name: string;
  /** File on disk (read when uploading). */
  path?: string;
  /** Contents in memory (instead of `path`). */
  data?: Uint8Array | string;
  /** base64 MD5, when already known (e.g. from the local store's manifest); computed otherwise. */
  digest?: string;
  /** Size in bytes, when already known. */
  size?: number;
}

/** An artifact version on W&B. */
export interface WandbArtifact {
  /** Server id (base64 `Artifact:n`). */
  id: string;
  /** Entity. */
  entity: string;
  /** Project. */
  project: string;
  /** Collection name. */
  name: string;
  /** Artifact type. */
  type: string;
  /** Version index: the artifact is `name:v{versionIndex}`. */
  versionIndex: number;
  /** Artifact digest (hex MD5 over the manifest, W&B's MANIFEST_MD5). */
  digest: string;
  /** Aliases on this version (`latest`, custom ones). */
  aliases: string[];
  /** Description. */
  description: string | null;
  /** Metadata. */
  metadata: Record<string, unknown>;
  /** Manifest entries: path -> base64 MD5, size and the artifact the content was first stored by. */
  manifest: Record<string, { digest: string; size: number; birthArtifactID?: string }>;
}

/** What {@linkcode saveWandbArtifact} did. */
export interface SavedArtifact {
  /** Server id of the version. */
  id: string;
  /** Entity. */
  entity: string;
  /** Project. */
  project: string;
  /** Collection name. */
  name: string;
  /** Artifact type. */
  type: string;
  /** Version index, when the server told it. */
  versionIndex: number | null;
  /** Artifact digest (hex MD5). */
  digest: string;
  /** True when the server already had a committed version with this digest (nothing was uploaded). */
  deduplicated: boolean;
  /** Files uploaded in this call. */
  uploaded: number;
  /** Files the server already had (not uploaded). */
  skipped: number;
}

/** A table, as columns and rows. */
export interface WandbTable {
  /** Column names. */
  columns: string[];
  /** Rows, each with one cell per column: an array or any iterable read once (e.g. a generator). */
  rows: Iterable<unknown[]>;
}
