import { collectEnvironment, type RunEnvironment } from "./_env.ts";
import { TrackingError } from "./_errors.ts";
import { register, type RunState, setSilent, warnOnce } from "./_state.ts";
import { Store } from "./_store.ts";
import { Journal } from "./_journal.ts";
import { pairs, say } from "./_console.ts";
import { LIVE_RETRY, Uploader } from "./_uploader.ts";
import { startCapture } from "./_capture.ts";
import { watchRun } from "./_lifecycle.ts";
import { Metrics } from "./_metrics.ts";
import { endRun } from "./_end_run.ts";
import { connectWandb } from "./wandb/connect_wandb.ts";
import { SyncLedger } from "./_sync_ledger.ts";
import { resolveWandbSettings } from "./wandb/settings.ts";
import { envFlag, envValue, withEnvironment } from "./_init_env.ts";
import { type CheckedOptions, checkOptions } from "./_init_options.ts";
import { resumable, resumeFromWandb, resumeProblem } from "./_resume.ts";
import type { BackendKind, InitRunOptions, Run, RunMode, TrackerKind, WandbReplicaOptions } from "./types.ts";

export type { InitRunOptions } from "./types.ts";

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
  const v = Number(envValue(name));
  return envValue(name) !== undefined && Number.isFinite(v) && v >= 0 ? v : dflt;
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
    const { options: filled, variables } = withEnvironment(options ?? {});
    checked = checkOptions(filled, strict, variables);
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
      const prior = opts.id === undefined ? null : store.runs.getRun(opts.id);
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
        // A new session: its clock goes on from the runtime the run had (the gap is not counted).
        store.runs.startSession(id, new Date().toISOString());
        store.runs.resumeRun(id, {
          name,
          ...described,
          configJson: JSON.stringify(config),
          env: environment,
        });
        if (opts.entity) store.runs.setRunEntity(id, opts.entity);
        SyncLedger.reopen(store, id);
        resumed = true;
      } else {
        if (prior) {
          // Not resumable (a warning said why): a new run, with a new id.
          id = runId();
          if (opts.name === undefined) name = `run-${id}`;
        }
        store.runs.insertRun({ id, project, name, ...described, configJson, startedAt, env: environment });
        if (opts.entity) store.runs.setRunEntity(id, opts.entity);
      }
      journal = new Journal(store.dir, id, store.runs.journalSeq(id));
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
  let startStep = resumed && store ? (store.runs.historyStats(id)?.lastStep ?? -1) + 1 : 0;
  let uploader: Uploader | null = null;
  const flushTimeoutMs = msFrom(opts.wandb?.flushTimeoutMs, "SENTILAB_WANDB_FLUSH_MS", 5000);
  if (wanted && storeDir !== null) {
    // Everything is written locally first; W&B is a replica, used when it answers the capability check.
    try {
      const { client, entity } = await connectWandb({
        baseUrl: opts.wandb?.baseUrl,
        apiKey: opts.wandb?.apiKey,
        // A resumed run goes on in the entity it was started for.
        entity: opts.entity ?? store?.runs.runEntity(id) ?? undefined,
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
    metrics: new Metrics(resumed && store ? store.runs.metricDefinitions(id) : []),
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
