/**
 * Shared types of the tracking module. The tracking module knows nothing of sentiment.
 * @module
 */

/**
 * Which backend a run writes to. `auto` replicates to W&B when credentials exist and W&B answers, else
 * the local store only; `wandb` asks for the W&B replica (the local store is always written first).
 */
export type TrackerKind = "auto" | "local" | "console" | "wandb" | "disabled";

/**
 * Every {@linkcode TrackerKind}, in the order error messages list them.
 *
 * @example
 * ```ts
 * import { TRACKER_KINDS } from "./types.ts";
 * console.log(TRACKER_KINDS.includes("local")); // true
 * ```
 */
export const TRACKER_KINDS: readonly TrackerKind[] = ["auto", "local", "console", "wandb", "disabled"];

/** How initRun treats an existing run with the given `id`, as W&B's `resume`. */
export type ResumeMode = "allow" | "must" | "never";

/** W&B's `mode`: "online" replicates to W&B, "offline" keeps the local store only, "disabled" tracks nothing. */
export type RunMode = "online" | "offline" | "disabled";

/** Options for {@linkcode initRun}. */
export interface InitRunOptions {
  /**
   * Run id (default WANDB_RUN_ID, else generated), W&B's rule: not empty, no space at either end, none of
   * `: ; , # ? / '`; also no `\`, control character, `.` or `..` (it names files in the store), at most 128
   * characters. An id that is in the store already is continued only with `resume`.
   */
  id?: string;
  /**
   * With `id`, as W&B's `resume` (default WANDB_RESUME): "allow" continues the run when it exists (else
   * starts it), "must" continues it and fails when it does not exist, "never" fails when it exists.
   * Without resume an existing id fails as with "never". A continued run keeps its id, start time,
   * history (steps go on after the last one), summary, output, artifacts and lineage; its config is
   * merged with the new one, and name, group, job type, tags and notes change only when given.
   */
  resume?: ResumeMode;
  /** W&B entity (team or user) the replica logs to (default WANDB_ENTITY, else the viewer's entity). */
  entity?: string;
  /**
   * W&B's mode (default WANDB_MODE): "online" is tracker "wandb", "offline" tracker "local",
   * "disabled" tracker "disabled". `tracker`, when given, wins.
   */
  mode?: RunMode;
  /** Project name (default: WANDB_PROJECT, else "sentilab"). */
  project?: string;
  /** Human-readable run name (default: WANDB_NAME, else generated). */
  name?: string;
  /** Group of runs this run belongs to (default: WANDB_RUN_GROUP). */
  group?: string;
  /** Kind of job, e.g. "evaluate", "train" (default: WANDB_JOB_TYPE). */
  jobType?: string;
  /** Free tags (default: WANDB_TAGS, comma-separated). */
  tags?: string[];
  /** Free notes (default: WANDB_NOTES). */
  notes?: string;
  /** Run configuration (JSON-serialisable). */
  config?: Record<string, unknown>;
  /** Backend choice (default "auto"). */
  tracker?: TrackerKind;
  /**
   * Store directory (default: SENTILAB_DIR, else `.sentilab` in WANDB_DIR, else `.sentilab` in the
   * working directory).
   */
  dir?: string;
  /**
   * Throw on tracking failures instead of warning once and going on. Without it, an invalid option (or
   * config entry) is dropped on its own, with one warning naming it, and the run keeps the others.
   */
  strict?: boolean;
  /** How the W&B replica behaves (tracker "wandb", or "auto" with credentials). */
  wandb?: WandbReplicaOptions;
  /**
   * Record the program's console output as the run's output (default true, false with WANDB_CONSOLE=off). From
   * initRun until finishRun, every line printed through console.log, info, debug (stdout) and warn, error
   * (stderr) is still printed as before, and also kept in the local store with its time and stream,
   * formatted as the console prints it (node:util format); lines longer than 10,000 characters are cut
   * (the rest is replaced by ` … (+N chars)`). W&B gets the lines as the run's `output.log`. Only runs on
   * the local store record (not the console or disabled backends); with several runs active, each records
   * what is printed while it is active. Nothing is redacted: do not print secrets. Lines printed in the
   * last 250 ms before the process is killed may be lost (metrics are not).
   */
  captureConsole?: boolean;
}

/**
 * Timing of the W&B replica. Environment overrides: SENTILAB_WANDB_CHECK_MS, SENTILAB_WANDB_FLUSH_MS,
 * SENTILAB_WANDB_INTERVAL_MS, SENTILAB_WANDB_HEARTBEAT_MS.
 */
export interface WandbReplicaOptions {
  /** W&B API base URL (default WANDB_BASE_URL, else `https://api.wandb.ai`), as `wandb.Settings(base_url=)`. */
  baseUrl?: string;
  /**
   * API key (default WANDB_API_KEY, else the ~/.netrc entry for the base URL's host), as
   * `wandb.Settings(api_key=)`. Never stored, printed or put on a command line.
   */
  apiKey?: string;
  /** Time for the capability check (credentials + a `Viewer` query) at initRun, in ms (default 5000). */
  checkTimeoutMs?: number;
  /** Longest time finishRun waits for the uploader, in ms (default 5000); the rest waits for sync. */
  flushTimeoutMs?: number;
  /** Period of the background uploader, in ms (default 1000). */
  intervalMs?: number;
  /**
   * Longest quiet time of a live run on W&B's file_stream, in ms (default 25000): then an empty request
   * (a heartbeat, as the SDK posts at least every 30 s) tells W&B the run is alive, not crashed.
   */
  heartbeatMs?: number;
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
  /** Manifest format version. */
  version: 1;
  /** W&B storage policy. */
  storagePolicy: "wandb-storage-policy-v1";
  /** Storage policy configuration. */
  storagePolicyConfig: { storageLayout: "V2" };
  /** Path inside the artifact -> entry, sorted by path. */
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
  /** Free description. */
  description: string;
  /** JSON metadata. */
  metadata: Record<string, unknown>;
  /** The W&B-compatible manifest. */
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
  /**
   * Absolute local path of a file of this version (read-only content in the store). The stored content is
   * checked against its digest first (once while the file is unchanged on disk).
   * @throws {TrackingError} naming the version and file when it is missing or was changed on disk.
   */
  path(file: string): string;
  /** The file names of this version, sorted. */
  files(): string[];
  /**
   * Copies the files of this version into `dir` (created when missing), returns `dir`. Every file name is
   * checked to stay inside `dir` and every stored file against its digest before anything is written.
   * @throws {TrackingError} naming the version and file.
   */
  download(dir: string): Promise<string>;
}

/** The backend a run actually writes to, after fallbacks. */
export type BackendKind = "local" | "console" | "disabled" | "wandb";

/**
 * Status of a run in the store, as W&B names them: `finished` (exit code 0), `failed` (another exit code,
 * or an uncaught error), `killed` (SIGINT or SIGTERM), `crashed` (its process died where no handler could
 * see it: SIGKILL, power loss; found on the next open of the store).
 */
export type RunStatus = "running" | "finished" | "failed" | "killed" | "crashed";

/**
 * Every {@linkcode RunStatus}, in the order messages list them.
 *
 * @example
 * ```ts
 * import { RUN_STATUSES } from "./types.ts";
 * console.log(RUN_STATUSES.includes("killed")); // true
 * ```
 */
export const RUN_STATUSES: readonly RunStatus[] = ["running", "finished", "failed", "killed", "crashed"];

/** A live run, returned by `initRun` and passed to every logging function. */
export interface Run {
  /** Unique run id (8 characters, lowercase letters and digits). */
  readonly id: string;
  /** Project name. */
  readonly project: string;
  /** Human-readable run name. */
  readonly name: string;
  /** Group of runs, or null. */
  readonly group: string | null;
  /** Kind of job, or null. */
  readonly jobType: string | null;
  /** Free tags. */
  readonly tags: readonly string[];
  /** Free notes, or null. */
  readonly notes: string | null;
  /** The run configuration as logged. */
  readonly config: Record<string, unknown>;
  /** The backend this run writes to (after fallbacks). */
  readonly backend: BackendKind;
  /** Absolute path of the local store, or null when nothing is stored (console, disabled). */
  readonly storeDir: string | null;
  /** ISO time the run started. */
  readonly startedAt: string;
  /** Whether tracking failures throw instead of warning. */
  readonly strict: boolean;
  /** Whether this run continues an existing one (initRun's `resume`). */
  readonly resumed: boolean;
}

/** A run as recorded in the local store. */
export interface RunRecord {
  /** Run id. */
  id: string;
  /** Project name. */
  project: string;
  /** Run name. */
  name: string;
  /** Group, or null. */
  group: string | null;
  /** Job type, or null. */
  jobType: string | null;
  /** Tags. */
  tags: string[];
  /** Notes, or null. */
  notes: string | null;
  /** Configuration. */
  config: Record<string, unknown>;
  /** Summary values (set with `setSummary`, plus the last value of every metric once finished). */
  summary: Record<string, unknown>;
  /** Status. */
  status: RunStatus;
  /** ISO start time. */
  startedAt: string;
  /** ISO end time, or null while running / when crashed. */
  endedAt: string | null;
  /** Exit code given to `finishRun`, or null. */
  exitCode: number | null;
  /** Git commit of the working directory, or null outside a repository. */
  gitCommit: string | null;
  /** Whether tracked files had uncommitted changes, or null outside a repository. */
  gitDirty: boolean | null;
  /** Deno version (`Deno.version.deno`). */
  denoVersion: string;
  /** sha256 (hex) of the deno.lock found from the working directory upwards, or null. */
  lockDigest: string | null;
  /** Host name. */
  host: string;
  /** Process id of the run's process. */
  pid: number;
  /** Command line: the main module followed by its arguments. */
  argv: string[];
  /** Number of history rows. */
  historyCount: number;
  /** Highest logged step, or null. */
  lastStep: number | null;
}

/** One row of a run's metric history. */
export interface HistoryRow {
  /** Store-wide increasing id (for replay/sync). */
  id: number;
  /** Step. */
  step: number;
  /** ISO time the row was logged. */
  time: string;
  /** Metric values. */
  values: Record<string, number>;
}

/** A table logged by a run (without rows). */
export interface TableInfo {
  /** Table key. */
  key: string;
  /**
   * Which table of the run under this key: 0 for the first logged, counting up in logging order (a run that
   * logs "predictions" at three steps has versions 0, 1 and 2; on W&B each is a version of the run's
   * `run-<id>-<key>` table artifact, where identical contents share one).
   */
  version: number;
  /** Column names. */
  columns: string[];
  /** Number of rows. */
  rowCount: number;
  /** Step of the run when the table was logged. */
  step: number;
  /** ISO time the table was logged. */
  createdAt: string;
}

/** A page of table rows. */
export interface TablePage extends TableInfo {
  /** Index of the first row of this page. */
  offset: number;
  /** The rows of this page. */
  rows: unknown[][];
}

/** One artifact collection (all versions of one name). */
export interface ArtifactSummary {
  /** Collection name. */
  name: string;
  /** Artifact type. */
  type: string;
  /** Number of versions. */
  versionCount: number;
  /** Version the `latest` alias points at, or null. */
  latest: number | null;
  /** Alias -> version index. */
  aliases: Record<string, number>;
  /** Total size of all versions' files in bytes (shared files counted per version). */
  size: number;
}

/** A lineage link between a run and an artifact version. */
export interface LineageLink {
  /** Run id. */
  runId: string;
  /** Run name (null when the run is unknown to this store). */
  runName: string | null;
  /** Run project (null when unknown). */
  project: string | null;
  /** `output`: the run logged (produced) the version; `input`: the run used it. */
  direction: "output" | "input";
  /** True when the run logged content identical to an existing version (no new version was made). */
  deduplicated: boolean;
  /** ISO time of the link. */
  time: string;
}

/** Which runs produced and which used an artifact version. */
export interface ArtifactLineage {
  /** `name:vN`. */
  ref: string;
  /** Runs that logged this version (first creator and identical re-logs). */
  producedBy: LineageLink[];
  /** Runs that used this version as an input. */
  usedBy: LineageLink[];
}

/** A file that differs between two artifact versions. */
export interface ArtifactFileChange {
  /** Path in the manifest. */
  path: string;
  /** Entry in the first version, or null when added. */
  from: ManifestEntry | null;
  /** Entry in the second version, or null when removed. */
  to: ManifestEntry | null;
}

/** Difference between two artifact versions. */
export interface ArtifactDiff {
  /** `name:vN` of the first version. */
  from: string;
  /** `name:vN` of the second version. */
  to: string;
  /** Files only in the second version. */
  added: ArtifactFileChange[];
  /** Files only in the first version. */
  removed: ArtifactFileChange[];
  /** Files in both with a different digest. */
  changed: ArtifactFileChange[];
  /** Number of identical files. */
  unchanged: number;
}

/** Options of the typed artifact helpers (`logModelArtifact`, `logDatasetArtifact`, `logVideoArtifact`). */
export interface TypedArtifactOptions {
  /** Artifact name: 1..128 characters, no `/`, `:` or `..`. */
  name: string;
  /** JSON-serialisable metadata. */
  metadata?: Record<string, unknown>;
  /** Free description. */
  description?: string;
  /** Custom aliases. */
  aliases?: string[];
  /** Record the artifact as an input of the run (used) instead of an output (logged). */
  use?: boolean;
}

/** A run with everything the store knows about it. */
export interface RunDetails extends RunRecord {
  /** Tables the run logged (latest per key last). */
  tables: TableInfo[];
  /** Artifact versions the run logged. */
  produced: ArtifactVersion[];
  /** Artifact versions the run used. */
  used: ArtifactVersion[];
}

/** Where the read functions read from. */
export interface ReadOptions {
  /** Store directory (default: SENTILAB_DIR, else `.sentilab` in the working directory). */
  dir?: string;
  /**
   * Read without writing anything (no crash check written, no schema set up): for viewers and stores on
   * read-only media. A run whose process died is then reported as crashed but stays "running" in the store.
   * A store the process cannot write is read this way even without this option.
   */
  readOnly?: boolean;
}
