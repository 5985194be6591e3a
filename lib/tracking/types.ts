/**
 * Shared types of the tracking module. The tracking module knows nothing of sentiment.
 * @module
 */

/** Which backend a run writes to. `auto` picks W&B when configured and reachable, else the local store. */
export type TrackerKind = "auto" | "local" | "console" | "wandb" | "disabled";

/** Options for {@linkcode initRun}. */
export interface InitRunOptions {
  /** Project name (default: WANDB_PROJECT, else "sentilab"). */
  project?: string;
  /** Human-readable run name (default: generated). */
  name?: string;
  /** Group of runs this run belongs to. */
  group?: string;
  /** Kind of job, e.g. "evaluate", "train". */
  jobType?: string;
  /** Free tags. */
  tags?: string[];
  /** Free notes. */
  notes?: string;
  /** Run configuration (JSON-serialisable). */
  config?: Record<string, unknown>;
  /** Backend choice (default "auto"). */
  tracker?: TrackerKind;
  /** Store directory (default: SENTILAB_DIR, else `.sentilab` in the working directory). */
  dir?: string;
  /** Throw on tracking failures instead of warning once and going on. */
  strict?: boolean;
}

/** A file entry of a W&B-compatible artifact manifest. */
export interface ManifestEntry {
  /** base64 (standard, padded) of the raw MD5 of the file. */
  digest: string;
  /** Size in bytes. */
  size: number;
}

/** A W&B-compatible artifact manifest (version 1). */
export interface ArtifactManifest {
  version: 1;
  storagePolicy: "wandb-storage-policy-v1";
  storagePolicyConfig: { storageLayout: "V2" };
  contents: Record<string, ManifestEntry>;
}

/** What to log as an artifact: files or folders on disk plus description and metadata. */
export interface ArtifactSpec {
  /** Collection name: 1..128 characters, no `/`, `:` or `..`. */
  name: string;
  /** Artifact type, e.g. "model", "dataset", "video". */
  type: string;
  /** Free description. */
  description?: string;
  /** JSON-serialisable metadata. */
  metadata?: Record<string, unknown>;
  /**
   * Files or folders to include. A string adds a file under its base name, or a folder's files under
   * their paths relative to that folder; `{ path, name }` adds a file or folder under `name`.
   */
  files: Array<string | { path: string; name?: string }>;
}

/** One stored version of an artifact. */
export interface ArtifactVersion {
  /** Collection name. */
  name: string;
  /** Artifact type. */
  type: string;
  /** Version index (0-based): `name:v{version}`. */
  version: number;
  /** `name:vN`. */
  ref: string;
  /** Artifact digest, computed exactly as W&B computes it (hex MD5 over the sorted manifest). */
  digest: string;
  /** Custom aliases and `latest` (never version aliases). */
  aliases: string[];
  description: string;
  metadata: Record<string, unknown>;
  manifest: ArtifactManifest;
  /** Total size of the files in bytes. */
  size: number;
  /** Number of files. */
  fileCount: number;
  /** ISO time this version was created. */
  createdAt: string;
  /** Id of the run that first logged this version, if any. */
  createdBy: string | null;
}

/** An artifact version used by a run, with its files readable locally. */
export interface UsedArtifact extends ArtifactVersion {
  /** Absolute local path of a file of this version (read-only content in the store). */
  path(file: string): string;
  /** The file names of this version, sorted. */
  files(): string[];
  /** Copies the files of this version into `dir` (created when missing), returns `dir`. */
  download(dir: string): Promise<string>;
}
