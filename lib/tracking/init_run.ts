import { collectEnvironment } from "./_env.ts";
import { TrackingError } from "./_errors.ts";
import { register, type RunState, setSilent, warnOnce } from "./_state.ts";
import { Store } from "./_store.ts";
import { Journal } from "./_journal.ts";
import { describe, nameProblem, toJson } from "./_validate.ts";
import { pairs, say } from "./_console.ts";
import { LIVE_RETRY, Uploader } from "./_uploader.ts";
import { startCapture } from "./_capture.ts";
import { watchRun } from "./_lifecycle.ts";
import { Metrics } from "./_metrics.ts";
import { endRun } from "./_end_run.ts";
import { connectWandb } from "./wandb/connect_wandb.ts";
import { getWandbResumeStatus } from "./wandb/get_wandb_resume_status.ts";
import type { WandbClient } from "./wandb/client.ts";
import { SyncLedger } from "./_sync_ledger.ts";
import type { RunEnvironment } from "./_env.ts";
import { resolveWandbSettings } from "./wandb/settings.ts";
import { envFlag, envValue, KNOWN_OPTIONS, withEnvironment } from "./_init_env.ts";
import {
  type BackendKind,
  type InitRunOptions,
  type ResumeMode,
  type Run,
  type RunMode,
  type RunRecord,
  TRACKER_KINDS,
  type TrackerKind,
  type WandbReplicaOptions,
} from "./types.ts";

export type { InitRunOptions } from "./types.ts";

const env = envValue;

function runId(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join("");
}

/**
 * The backend asked for: "wandb" means "try W&B" (the capability check decides). A tracker that stores
 * locally or nothing ("local", "console", "disabled") wins over the mode (option, else WANDB_MODE);
 * "offline" and "disabled" also keep "wandb" off the network, as WANDB_MODE always did; the mode decides
 * "auto".
 */
function chooseBackend(
  tracker: TrackerKind | undefined,
  mode: RunMode | undefined,
  wandb: WandbReplicaOptions | undefined,
): BackendKind {
  if (tracker === "local" || tracker === "console" || tracker === "disabled") return tracker;
  if (mode === "disabled") return "disabled";
  if (mode === "offline") return "local";
  if (mode === "online" || tracker === "wandb") return "wandb";
  // auto: W&B when credentials exist (WANDB_API_KEY or a ~/.netrc entry for the W&B host).
  try {
    resolveWandbSettings({ baseUrl: wandb?.baseUrl, apiKey: wandb?.apiKey });
    return "wandb";
  } catch {
    return "local";
  }
}

function msFrom(option: number | undefined, name: string, dflt: number): number {
  if (option !== undefined && Number.isFinite(option) && option >= 0) return option;
  const v = Number(env(name));
  return env(name) !== undefined && Number.isFinite(v) && v >= 0 ? v : dflt;
}

/** The descriptive fields of a run. */
interface Described {
  group: string | null;
  jobType: string | null;
  tags: string[];
  notes: string | null;
}

const RESUME_MODES: readonly ResumeMode[] = ["allow", "must", "never"];
const RUN_MODES: readonly RunMode[] = ["online", "offline", "disabled"];

/** Why `id` cannot be a run id (W&B's rule, wandb/sdk/wandb_settings.py validate_run_id), or null. */
function runIdProblem(id: unknown): string | null {
  if (typeof id !== "string" || id.length === 0) return "a run id is a non-empty string";
  if (id.trim() !== id) return "a run id cannot start or end with whitespace";
  if (/[:;,#?/'\\]/.test(id)) return "a run id cannot contain any of : ; , # ? / ' \\";
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(id) || id === "." || id === "..") {
    return "a run id cannot be . or .. or hold control characters";
  }
  if (id.length > 128) return "a run id is at most 128 characters";
  return null;
}

/** Options after validation, the config's JSON, and what was dropped (non-strict mode only). */
interface CheckedOptions {
  opts: InitRunOptions;
  configJson: string;
  /** One entry per dropped option: "what ('value'): why". */
  dropped: string[];
}

/**
 * Validates the options. With `strict`, the first problem throws; otherwise each invalid option (or config
 * entry) is dropped on its own, so the run keeps every valid one, and the problems are returned.
 */
function checkOptions(options: InitRunOptions, strict: boolean): CheckedOptions {
  const ctx = "Cannot start run";
  const dropped: string[] = [];
  const opts: InitRunOptions = { ...options };
  const problem = (message: string, drop: () => void, instead = "") => {
    if (strict) throw new TrackingError(`${ctx}: ${message}`);
    dropped.push(message + instead);
    drop();
  };
  for (const key of Object.keys(options)) {
    if (!(KNOWN_OPTIONS as readonly string[]).includes(key)) {
      problem(
        `unknown option '${key}' (initRun knows ${KNOWN_OPTIONS.join(", ")})`,
        () => delete (opts as Record<string, unknown>)[key],
        " (ignored)",
      );
    }
  }
  if (options.id !== undefined) {
    const bad = runIdProblem(options.id);
    if (bad) {
      problem(`option 'id' (${describe(options.id)}): ${bad}`, () => delete opts.id, " (a new id is used)");
    }
  }
  if (options.resume !== undefined && !RESUME_MODES.includes(options.resume)) {
    problem(
      `option 'resume' ('${options.resume}') is not one of ${RESUME_MODES.join(", ")}`,
      () => delete opts.resume,
    );
  }
  if (options.mode !== undefined && !RUN_MODES.includes(options.mode)) {
    problem(
      `option 'mode' ('${options.mode}') is not one of ${RUN_MODES.join(", ")}`,
      () => delete opts.mode,
    );
  }
  if (options.entity !== undefined && nameProblem(options.entity, "name")) {
    problem(
      `option 'entity' (${describe(options.entity)}): ${
        nameProblem(options.entity, "name")!.replace("names", "values")
      }`,
      () => delete opts.entity,
    );
  }
  if (options.tracker !== undefined && !TRACKER_KINDS.includes(options.tracker)) {
    problem(
      `tracker '${options.tracker}' is not one of ${TRACKER_KINDS.join(", ")}`,
      () => delete opts.tracker,
      ` (using "auto")`,
    );
  }
  if (options.dir !== undefined && typeof options.dir !== "string") {
    problem(`option 'dir' must be a path string, got ${describe(options.dir)}`, () => delete opts.dir);
  }
  for (const field of ["project", "name", "group", "jobType"] as const) {
    const v = options[field];
    if (v === undefined) continue;
    const bad = nameProblem(v, "name");
    if (bad) {
      const instead = field === "project" || field === "name" ? " (the default is used)" : "";
      problem(
        `option '${field}' ('${v}'): ${bad.replace("names", "values")}`,
        () => delete opts[field],
        instead,
      );
    }
  }
  if (options.tags !== undefined) {
    if (!Array.isArray(options.tags) || options.tags.some((t) => typeof t !== "string" || t.length === 0)) {
      problem(`option 'tags' must be an array of non-empty strings`, () => delete opts.tags);
    }
  }
  if (options.captureConsole !== undefined && typeof options.captureConsole !== "boolean") {
    problem(
      `option 'captureConsole' must be true or false, got ${describe(options.captureConsole)}`,
      () => delete opts.captureConsole,
      " (capturing, the default)",
    );
  }
  if (options.notes !== undefined && typeof options.notes !== "string") {
    problem(`option 'notes' must be a string`, () => delete opts.notes);
  }
  const config = options.config ?? {};
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    problem(`option 'config' must be an object of key -> value`, () => delete opts.config);
    return { opts, configJson: "{}", dropped };
  }
  const kept: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    try {
      toJson(v, `config.${k}`, ctx);
      kept[k] = v;
    } catch (e) {
      if (strict) throw e;
      dropped.push((e as Error).message.slice(ctx.length + 2));
    }
  }
  return { opts, configJson: JSON.stringify(kept), dropped };
}

/**
 * Whether `prior` (the stored run with the asked id, or null) is to be continued, by `resume` as W&B: a
 * run that exists is continued with "allow" or "must"; otherwise (no resume, "never") that is an error,
 * as is "must" for a run that does not exist, and a run still running in another process. Errors throw
 * with `strict`, else warn once (the run starts anew: a new id when the asked one is taken).
 */
function resumable(
  prior: RunRecord | null,
  opts: InitRunOptions,
  strict: boolean,
  remoteDecides: boolean,
): boolean {
  const problem = (message: string, instead: string) => {
    if (strict) throw new TrackingError(`Cannot start run: ${message}`);
    warnOnce(`initRun-resume:${message}`, `initRun: ${message}; ${instead}`);
    return false;
  };
  if (prior === null) {
    // With W&B asked for, W&B may hold the run: its resume status decides (resumeFromWandb).
    if (opts.resume !== "must" || remoteDecides) return false;
    return problem(
      `resume "must" but there is no run '${opts.id}' in the store to resume`,
      `starting run '${opts.id}' anew`,
    );
  }
  if (opts.resume !== "allow" && opts.resume !== "must") {
    return problem(
      `run '${prior.id}' exists already (${prior.status}); pass resume: "allow" (or WANDB_RESUME=allow) ` +
        `to continue it`,
      "starting a new run with a new id",
    );
  }
  if (prior.status === "running") {
    return problem(
      `run '${prior.id}' is still running (process ${prior.pid} on ${prior.host}); it can be resumed once ` +
        `it has ended`,
      "starting a new run with a new id",
    );
  }
  return true;
}

/** A resume problem: an error with `strict`, else one warning. */
function resumeProblem(
  strict: boolean,
  message: string,
  instead = "the run is logged to the local store only",
): void {
  if (strict) throw new TrackingError(`Cannot start run: ${message}`);
  warnOnce(`initRun-resume:${message}`, `initRun: ${message}; ${instead}`);
}

/**
 * The W&B SDK's resume flow (wandb/wandb core/internal/runbranch/resume.go): asks W&B what it holds of the
 * run (RunResumeStatus). When W&B has it and `resume` allows, the run goes on from there: new history and
 * console lines after the lines W&B holds (the sync ledger's offsets), steps after its last one, the
 * config's keys not given now and the summary's keys not set locally taken from W&B, its tags and notes
 * when none were given. When W&B has it and `resume` is "never" (or not given), nothing is sent to it
 * (the SDK refuses to start); when W&B lacks it and `resume` is "must", that is the SDK's error too.
 */
async function resumeFromWandb(
  c: {
    client: WandbClient;
    entity: string;
    store: Store;
    id: string;
    project: string;
    resumed: boolean;
    opts: InitRunOptions;
    strict: boolean;
    environment: RunEnvironment;
  },
  now: { name: string; described: Described; config: Record<string, unknown> },
): Promise<
  {
    send: boolean;
    resumed: boolean;
    described: Described;
    config: Record<string, unknown>;
    startingStep: number;
  }
> {
  const same = { send: true, resumed: false, described: now.described, config: now.config, startingStep: 0 };
  const remote = await getWandbResumeStatus(c.client, { entity: c.entity, project: c.project, id: c.id }, {
    retry: LIVE_RETRY,
  });
  const allow = c.opts.resume === "allow" || c.opts.resume === "must";
  if (!remote) {
    if (c.opts.resume === "must" && !c.resumed) {
      endRefused(
        c.store,
        c.id,
        `resume "must" but there is no run '${c.id}' in the store or on W&B to resume`,
      );
      resumeProblem(c.strict, `resume "must" but there is no run '${c.id}' in the store or on W&B to resume`);
    }
    return same;
  }
  if (!allow) {
    const message =
      `run '${c.id}' exists on W&B (${c.entity}/${c.project}); pass resume: "allow" to continue it`;
    endRefused(c.store, c.id, message);
    resumeProblem(c.strict, message, "nothing of this run is sent to W&B");
    return { ...same, send: false };
  }
  const described: Described = { ...now.described };
  if (!c.resumed) {
    if (c.opts.tags === undefined) described.tags = remote.tags;
    if (c.opts.notes === undefined) described.notes = remote.notes;
  }
  // MergeResumedConfig (runconfig.go): the old config's top-level keys not set now.
  const config = { ...remote.config, ...now.config };
  c.store.resumeRun(c.id, {
    name: now.name,
    ...described,
    configJson: JSON.stringify(config),
    env: c.environment,
  });
  const local = c.store.getRun(c.id)?.summary ?? {};
  const summary = Object.fromEntries(Object.entries(remote.summary).filter(([k]) => !(k in local)));
  if (Object.keys(summary).length) c.store.mergeSummary(c.id, summary);
  new SyncLedger(c.store, c.client.baseUrl).continueAt(c.id, remote.historyLineCount, remote.logLineCount);
  return { send: true, resumed: true, described, config, startingStep: remote.startingStep };
}

/** With `strict`, the run just inserted is ended as failed before the error is thrown (not left running). */
function endRefused(store: Store, id: string, message: string): void {
  try {
    store.finishRun(id, {
      exitCode: 1,
      status: "failed",
      lastValues: {},
      explicit: [],
      error: { message, stack: message },
    });
  } catch { /* the error that follows says what matters */ }
}

/**
 * Starts a run. The backend is chosen from `options.tracker` when given, else from `mode` (option, else
 * WANDB_MODE): "disabled" gives a no-op run, "offline" the local store only, "online" W&B; else "auto".
 * With `"wandb"` (or `"auto"` when W&B credentials exist: WANDB_API_KEY or a ~/.netrc entry for the W&B
 * host) every record is still written to the local store first; W&B is a replica. The capability check
 * (credentials and a `Viewer` query answered within `wandb.checkTimeoutMs`, default 5 s) decides: when it
 * passes, the run's backend is "wandb" and a background uploader sends the records on a timer (logging
 * calls never wait for it); when it fails, one warning names the reason (never the key) and the run goes
 * on locally, to be uploaded later by `deno task sync`. When the store cannot be written the run falls
 * back to the console backend with one warning. An invalid option is dropped alone (one warning names it;
 * the run keeps every valid option; an unknown option is named the same way) unless `strict: true`.
 * Unless `captureConsole: false`, what the program prints through `console` until the run ends is also
 * recorded as the run's output (W&B's `output.log`). The run records its config, start time, git commit
 * and dirty flag, Deno version, deno.lock digest, host and command line.
 *
 * Like `wandb.init`: `id` with `resume` ("allow" | "must" | "never") continues an ended run of the store
 * (history steps go on after the last one, summary and config merge, output, artifacts and lineage stay
 * attached); `mode` ("online" | "offline" | "disabled") picks the backend when `tracker` is not given;
 * `entity` is the W&B entity. Unset options are read from the environment as the W&B SDK reads it:
 * WANDB_RUN_ID, WANDB_RESUME, WANDB_NAME, WANDB_NOTES, WANDB_TAGS (comma-separated), WANDB_RUN_GROUP,
 * WANDB_JOB_TYPE, WANDB_PROJECT, WANDB_ENTITY, WANDB_MODE, WANDB_CONSOLE=off (no console capture),
 * WANDB_DIR (the store goes in WANDB_DIR/.sentilab unless SENTILAB_DIR or `dir` says otherwise) and
 * WANDB_SILENT=true (no tracking warnings). Explicit options win over the environment.
 *
 * A run not ended with {@linkcode finishRun} is ended by the program's end (see finishRun).
 *
 * @param options Id, resume, project, name, config, tracker or mode, store dir, strict mode (see
 * {@linkcode InitRunOptions}).
 * @returns The run to pass to the logging functions.
 * @throws {TrackingError} only with `strict: true`, for invalid options or an unusable store.
 *
 * @example
 * ```ts
 * import { finishRun, initRun, logMetrics } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * const run = await initRun({ project: "demo", config: { lr: 0.01 }, dir });
 * logMetrics(run, { loss: 0.5 });
 * await finishRun(run);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function initRun(options: InitRunOptions = {}): Promise<Run> {
  const strict = options?.strict === true;
  if (envFlag("WANDB_SILENT")) setSilent(true);
  let checked: CheckedOptions;
  try {
    checked = checkOptions(withEnvironment(options ?? {}), strict);
  } catch (e) {
    if (strict) throw e;
    // Not even the options object could be read: start a run with the defaults.
    checked = { opts: {}, configJson: "{}", dropped: [(e as Error).message] };
  }
  const { opts, configJson, dropped } = checked;
  if (dropped.length > 0) {
    warnOnce(
      `initRun: ${dropped.join("; ")}`,
      `initRun: dropped ${
        dropped.length === 1 ? "an invalid option" : `${dropped.length} invalid options`
      } ` +
        `(the run keeps the others): ${dropped.join("; ")}\n` +
        `  (pass strict: true to initRun to make this an error)`,
    );
  }
  if (opts.mode !== undefined && options?.mode !== undefined && opts.tracker !== undefined) {
    // Only an explicit mode that a local tracker overrides is worth a warning.
    const local = opts.tracker === "local" || opts.tracker === "console" || opts.tracker === "disabled";
    if (local && { online: "wandb", offline: "local", disabled: "disabled" }[opts.mode] !== opts.tracker) {
      warnOnce(
        `initRun-mode:${opts.tracker}:${opts.mode}`,
        `initRun: tracker '${opts.tracker}' and mode '${opts.mode}' disagree: tracker '${opts.tracker}' is used`,
      );
    }
  }
  let backend = chooseBackend(opts.tracker, opts.mode, opts.wandb);
  let id = opts.id ?? runId();
  let project = opts.project ?? "sentilab";
  let name = opts.name ?? `run-${id}`;
  let startedAt = new Date().toISOString();
  let described = {
    group: opts.group ?? null,
    jobType: opts.jobType ?? null,
    tags: [...(opts.tags ?? [])],
    notes: opts.notes ?? null,
  };
  let config: Record<string, unknown> = JSON.parse(configJson);
  let resumed = false;
  let environment: RunEnvironment | null = null;
  let store: Store | null = null;
  let journal: Journal | null = null;
  const wanted = backend === "wandb";
  if (wanted) backend = "local";
  if (backend === "local") {
    try {
      store = Store.open(opts.dir);
      const prior = opts.id === undefined ? null : store.getRun(opts.id);
      environment = await collectEnvironment();
      if (resumable(prior, opts, strict, wanted)) {
        // Continue the run (W&B's resume): the stored fields stay unless given again; config merges.
        const p = prior!;
        project = p.project;
        name = opts.name ?? p.name;
        startedAt = p.startedAt;
        described = {
          group: opts.group ?? p.group,
          jobType: opts.jobType ?? p.jobType,
          tags: opts.tags ? [...opts.tags] : p.tags,
          notes: opts.notes ?? p.notes,
        };
        config = { ...p.config, ...config };
        store.resumeRun(id, { name, ...described, configJson: JSON.stringify(config), env: environment });
        if (opts.entity) store.setRunEntity(id, opts.entity);
        SyncLedger.reopen(store, id);
        resumed = true;
      } else {
        if (prior) {
          // Not resumable (a warning said why): a new run, with a new id.
          id = runId();
          if (opts.name === undefined) name = `run-${id}`;
        }
        store.insertRun({ id, project, name, ...described, configJson, startedAt, env: environment });
        if (opts.entity) store.setRunEntity(id, opts.entity);
      }
      journal = new Journal(store.dir, id, store.journalSeq(id));
    } catch (e) {
      if (strict) throw e;
      store = null;
      backend = "console";
      warnOnce(
        `store-unwritable:${(e as Error).message}`,
        `${
          (e as Error).message
        }\n  Falling back to the console backend: this run prints its records instead of storing them.`,
      );
    }
  }
  const storeDir = store?.dir ?? null;
  let startStep = resumed && store ? store.lastStep(id) + 1 : 0;
  let uploader: Uploader | null = null;
  const flushTimeoutMs = msFrom(opts.wandb?.flushTimeoutMs, "SENTILAB_WANDB_FLUSH_MS", 5000);
  if (wanted && storeDir !== null) {
    // Everything is written locally first; W&B is a replica, used when it answers the capability check.
    try {
      const { client, entity } = await connectWandb({
        baseUrl: opts.wandb?.baseUrl,
        apiKey: opts.wandb?.apiKey,
        // A resumed run goes on in the entity it was started for.
        entity: opts.entity ?? store?.runEntity(id) ?? undefined,
        timeoutMs: msFrom(opts.wandb?.checkTimeoutMs, "SENTILAB_WANDB_CHECK_MS", 5000),
        retry: LIVE_RETRY,
      });
      let send = true;
      if (opts.id !== undefined && store && environment) {
        const r = await resumeFromWandb(
          { client, entity, store, id, project, resumed, opts, strict, environment },
          { name, described, config },
        );
        send = r.send;
        if (r.resumed) {
          resumed = true;
          described = r.described;
          config = r.config;
          startStep = Math.max(startStep, r.startingStep);
        }
      }
      if (!send) throw new Error("skip");
      uploader = new Uploader(
        storeDir,
        { client, entity, target: client.baseUrl },
        id,
        msFrom(opts.wandb?.intervalMs, "SENTILAB_WANDB_INTERVAL_MS", 1000),
        msFrom(opts.wandb?.heartbeatMs, "SENTILAB_WANDB_HEARTBEAT_MS", 25_000),
      );
      backend = "wandb";
    } catch (e) {
      if (e instanceof TrackingError) throw e; // strict resume problems
      if ((e as Error).message === "skip") {
        // A warning said why (resumeFromWandb): the run stays in the local store only.
      } else {
        const reason = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, " ");
        // One warning per process and kind of problem (the message carries timings that vary).
        warnOnce(
          `wandb-unavailable:${(e as { kind?: string }).kind ?? "error"}`,
          `W&B not used (${reason}); run ${id} is logged to the local store only: ` +
            `upload it later with \`deno task sync ${id}\``,
        );
        if (opts.resume === "must" && !resumed) {
          resumeProblem(
            strict,
            `resume "must" but run '${id}' is not in the store and W&B could not be asked`,
          );
        }
      }
    }
  }
  const run: Run = Object.freeze({
    id,
    project,
    name,
    ...described,
    tags: Object.freeze([...described.tags]),
    config,
    backend,
    storeDir: store?.dir ?? null,
    startedAt,
    strict,
    resumed,
  });
  // A resumed run goes on after its last step (or W&B's), with its metric definitions.
  const state: RunState = {
    backend,
    // Looked up on each use, so a store closed (or deleted and recreated) meanwhile is reopened.
    get store() {
      return storeDir === null ? null : Store.connect(storeDir);
    },
    journal,
    step: startStep,
    rowOpen: false,
    finished: false,
    metrics: new Metrics(resumed && store ? store.metricDefinitions(id) : []),
    summaryKeys: new Set(),
    warned: new Set(),
    uploader,
    flushTimeoutMs,
  };
  register(run, state);
  // A run the program does not finish is ended by the program's end: see _lifecycle.ts.
  if (backend !== "disabled") watchRun(run, (end) => endRun(run, end));
  if (journal !== null && opts.captureConsole !== false) {
    startCapture(run, {
      write: (line) => state.journal?.appendOutput(line),
      onError: (e) =>
        warnOnce(
          `capture:${id}`,
          `run ${id} stopped recording console output: ${(e as Error).message ?? e} (printing goes on)`,
        ),
    });
  }
  if (backend === "console") {
    say(
      run,
      `started (project ${project}, id ${id})${configJson === "{}" ? "" : " config " + pairs(run.config)}`,
    );
  }
  return run;
}
