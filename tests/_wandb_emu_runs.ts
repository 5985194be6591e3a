/**
 * The W&B emulator's runs (tests/wandb_emulator.ts): the viewer, UpsertBucket (create or update a run),
 * run-file upload URLs and a run as the SDKs read it back.
 * @module
 */
import { GqlError } from "./_wandb_emu_http.ts";
import { storageUrl } from "./_wandb_emu_storage.ts";
import { type EmuState, getRun, nextId } from "./_wandb_emu_state.ts";

/** A config as sent with Python's `{value, desc}` wrapping removed (and without `_wandb`). */
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

// ---------------------------------------------------------------- GraphQL resolvers
/** `viewer`: the user of the API key, whose entity is the default one. */
export function viewer(st: EmuState) {
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
export function upsertBucket(st: EmuState, v: Record<string, unknown>) {
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
      heldRuntime: 0,
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
export function createRunFiles(st: EmuState, input: Record<string, unknown>) {
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

/**
 * `project(...) { bucket(name) }`: the run as the SDKs read it, for a resume and for run-file upload URLs
 * (`files(names)`, @wandb/sdk's RunUploadUrls), or null when there is no such run.
 */
export function runBucket(st: EmuState, entity: string, project: string, name: string) {
  const run = getRun(st, entity, project, name);
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
      const r = createRunFiles(st, {
        entityName: entity,
        projectName: project,
        runName: name,
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
}
