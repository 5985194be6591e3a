// The W&B replica: replays what the local store holds for a run to W&B, and remembers in the store what
// got through, so that a replay (the live uploader, `deno task sync`, a sync after a crash) sends only
// what is missing and never duplicates a history line or an artifact version.
//
// Progress per run and target (the W&B base URL) lives in `sync_state(run_id, target, kind, cursor)`:
//   run       hash of what UpsertBucket sent (name, group, job type, tags, notes, config)
//   files     hash of config.yaml + wandb-metadata.json as uploaded
//   history   id of the last history row sent;  lines  next line offset of wandb-history.jsonl
//   output    id of the last console line sent;  output_lines  next line offset of output.log
//   table:N   table N was logged (run_table artifact, media/table run file, history line: the line of the
//             metrics row of its step when that row was not sent yet, else a line of its own)
//   link:N    lineage link N (artifact output or input) was replayed
//   summary   hash of the summary sent;  exit  the completion was sent
// and the ids W&B gave (artifact versions, table values) in `sync_values(target, key, value)`.
// Every cursor is written right after the request it records succeeded, so a crash in between only
// resends that request: file_stream lines are written at their offsets (a resend overwrites itself) and
// CreateArtifact deduplicates by digest.
import { createHash } from "node:crypto";
import type { Store } from "./_store.ts";
import type { ArtifactVersion } from "./types.ts";
import { b64ToHex } from "./_hash.ts";
import { logWandbTable } from "./wandb/log_wandb_table.ts";
import { saveWandbArtifact } from "./wandb/save_wandb_artifact.ts";
import { sendWandbFileStream } from "./wandb/send_wandb_file_stream.ts";
import { uploadWandbRunFiles } from "./wandb/upload_wandb_run_files.ts";
import { upsertWandbRun, type WandbRunInfo } from "./wandb/upsert_wandb_run.ts";
import { useWandbArtifact } from "./wandb/use_wandb_artifact.ts";
import { wandbRunMetadataFiles } from "./wandb/wandb_run_metadata_files.ts";
import type { RetryOptions, WandbClient } from "./wandb/client.ts";
import type { WandbRun } from "./wandb/types.ts";
import type { TableFileValue } from "./wandb/log_wandb_table.ts";
import { WandbError } from "./wandb/errors.ts";

type Row = Record<string, unknown>;

/** Where to replicate: a checked W&B connection. */
export interface Replica {
  client: WandbClient;
  entity: string;
  /** Sync target key in the store: the W&B base URL. */
  target: string;
}

/** What one replay sent. */
export interface ReplayCounts {
  /** UpsertBucket calls. */
  runs: number;
  /** Run file uploads (config.yaml, wandb-metadata.json). */
  files: number;
  /** History rows posted. */
  historyRows: number;
  /** Console output lines posted (output.log). */
  outputLines: number;
  /** Tables logged. */
  tables: number;
  /** Artifact versions saved (new or deduplicated by the server). */
  artifacts: number;
  /** UseArtifact edges. */
  uses: number;
  /** Summary posts. */
  summaries: number;
  /** Completions sent. */
  finished: number;
}

/** What is not on W&B yet for one run. */
export interface RunPending {
  /** Run id. */
  runId: string;
  /** The run's metadata (config, tags, ...) needs an UpsertBucket. */
  run: boolean;
  /** config.yaml / wandb-metadata.json need uploading. */
  files: boolean;
  /** History rows not sent. */
  historyRows: number;
  /** Console output lines not sent. */
  outputLines: number;
  /** Keys of tables not logged. */
  tables: string[];
  /** Artifact versions to save (`name:vN`), outputs of the run. */
  outputs: string[];
  /** Artifact versions to mark as used (`name:vN`), inputs of the run. */
  inputs: string[];
  /** The summary changed since it was sent. */
  summary: boolean;
  /** The completion (exit code) is not sent. */
  exit: boolean;
  /** Nothing at all reached this target yet. */
  never: boolean;
  /** Records W&B can never take (skipped for good), with the reason. */
  skipped: string[];
}

/** Options of {@linkcode replayRun}. */
export interface ReplayOptions {
  signal?: AbortSignal;
  retry?: RetryOptions;
  /** Most history rows per file_stream post. */
  maxLinesPerRequest?: number;
  /** Called when a record is skipped for good (W&B can never take it). */
  onSkip?: (reason: string) => void;
}

/** A zeroed counter set. */
export function emptyCounts(): ReplayCounts {
  return {
    runs: 0,
    files: 0,
    historyRows: 0,
    outputLines: 0,
    tables: 0,
    artifacts: 0,
    uses: 0,
    summaries: 0,
    finished: 0,
  };
}

/** Adds `b` into `a`. */
export function addCounts(a: ReplayCounts, b: ReplayCounts): void {
  for (const k of Object.keys(a) as (keyof ReplayCounts)[]) a[k] += b[k];
}

function hash48(text: string): number {
  return parseInt(createHash("sha256").update(text).digest("hex").slice(0, 12), 16);
}

function cursor(store: Store, runId: string, target: string, kind: string): number | null {
  const r = store.stmt("SELECT cursor FROM sync_state WHERE run_id = ? AND target = ? AND kind = ?").get(
    runId,
    target,
    kind,
  ) as Row | undefined;
  return r ? Number(r.cursor) : null;
}

function setCursor(store: Store, runId: string, target: string, kind: string, value: number): void {
  store.stmt(
    "INSERT OR REPLACE INTO sync_state(run_id, target, kind, cursor, updated_at) VALUES (?, ?, ?, ?, ?)",
  ).run(runId, target, kind, value, new Date().toISOString());
}

function value(store: Store, target: string, key: string): string | null {
  const r = store.stmt("SELECT value FROM sync_values WHERE target = ? AND key = ?").get(target, key) as
    | Row
    | undefined;
  return r ? String(r.value) : null;
}

function setValue(store: Store, target: string, key: string, v: string): void {
  store.stmt("INSERT OR REPLACE INTO sync_values(target, key, value, updated_at) VALUES (?, ?, ?, ?)").run(
    target,
    key,
    v,
    new Date().toISOString(),
  );
}

function runRow(store: Store, runId: string): Row | undefined {
  return store.stmt("SELECT * FROM runs WHERE id = ?").get(runId) as Row | undefined;
}

/** The UpsertBucket payload of a stored run (without the entity). */
function runInfo(r: Row): Omit<WandbRunInfo, "entity"> {
  const argv = JSON.parse(String(r.argv)) as string[];
  const info: Omit<WandbRunInfo, "entity"> = {
    id: String(r.id),
    project: String(r.project),
    name: String(r.name),
    tags: JSON.parse(String(r.tags)),
    config: JSON.parse(String(r.config)),
    host: String(r.host),
  };
  if (r.grp !== null) info.group = String(r.grp);
  if (r.job_type !== null) info.jobType = String(r.job_type);
  if (r.notes !== null) info.notes = String(r.notes);
  if (argv[0]) info.program = argv[0];
  return info;
}

function metadataFiles(r: Row) {
  const argv = JSON.parse(String(r.argv)) as string[];
  return wandbRunMetadataFiles({
    config: JSON.parse(String(r.config)),
    program: argv[0] || undefined,
    args: argv.slice(1),
    startedAt: String(r.started_at),
    host: String(r.host),
  });
}

function filesHash(r: Row): number {
  return hash48(metadataFiles(r).map((f) => `${f.name}\n${f.data}`).join("\n"));
}

/** The summary W&B should show: the stored summary plus the latest table value per key. */
function summaryOf(store: Store, target: string, r: Row): Record<string, unknown> {
  const summary: Record<string, unknown> = JSON.parse(String(r.summary));
  const tables = store.stmt("SELECT id, key FROM tables WHERE run_id = ? AND complete = 1 ORDER BY id").all(
    String(r.id),
  ) as Row[];
  for (const t of tables) {
    const v = value(store, target, `table:${t.id}`);
    if (v !== null && !(String(t.key) in JSON.parse(String(r.summary)))) {
      summary[String(t.key)] = JSON.parse(v);
    }
  }
  return summary;
}

function wandbRun(entity: string, r: Row): WandbRun {
  return {
    entity,
    project: String(r.project),
    id: String(r.id),
    name: String(r.name),
    storageId: "",
    url: "",
  };
}

interface Link {
  id: number;
  runId: string;
  name: string;
  version: number;
  direction: "output" | "input";
}

function links(store: Store, runId: string): Link[] {
  return (store.stmt("SELECT * FROM artifact_links WHERE run_id = ? ORDER BY id").all(runId) as Row[]).map((
    l,
  ) => ({
    id: Number(l.id),
    runId: String(l.run_id),
    name: String(l.name),
    version: Number(l.version),
    direction: String(l.direction) as "output" | "input",
  }));
}

/** Everything not on the target yet for one run (no network). */
export function pendingFor(store: Store, target: string, runId: string): RunPending | null {
  const r = runRow(store, runId);
  if (!r) return null;
  const c = (kind: string) => cursor(store, runId, target, kind);
  const lastId = c("history") ?? 0;
  const h = store.stmt("SELECT COUNT(*) AS n FROM history WHERE run_id = ? AND id > ?").get(
    runId,
    lastId,
  ) as Row;
  const o = store.stmt("SELECT COUNT(*) AS n FROM output WHERE run_id = ? AND id > ?").get(
    runId,
    c("output") ?? 0,
  ) as Row;
  const tables = (store.stmt("SELECT id, key FROM tables WHERE run_id = ? AND complete = 1 ORDER BY id").all(
    runId,
  ) as Row[]).filter((t) => c(`table:${t.id}`) === null).map((t) => String(t.key));
  const outputs: string[] = [], inputs: string[] = [];
  for (const l of links(store, runId)) {
    if (c(`link:${l.id}`) === null) {
      (l.direction === "output" ? outputs : inputs).push(`${l.name}:v${l.version}`);
    } else if (l.direction === "input") {
      const custom = (store.getVersion(l.name, l.version)?.aliases ?? []).filter((a) => a !== "latest")
        .sort();
      const sent = value(store, target, `aliases:${String(r.project)}:${l.name}:${l.version}`);
      if (custom.length && sent !== JSON.stringify(custom)) inputs.push(`${l.name}:v${l.version} (aliases)`);
    }
  }
  const never = (store.stmt("SELECT COUNT(*) AS n FROM sync_state WHERE run_id = ? AND target = ?").get(
    runId,
    target,
  ) as Row).n === 0;
  const summary = summaryOf(store, target, r);
  return {
    runId,
    run: c("run") !== hash48(JSON.stringify(runInfo(r))),
    files: c("files") !== filesHash(r),
    historyRows: Number(h.n),
    outputLines: Number(o.n),
    tables,
    outputs,
    inputs,
    summary: Object.keys(summary).length > 0 && c("summary") !== hash48(JSON.stringify(summary)),
    exit: String(r.status) !== "running" && c("exit") === null,
    never,
    skipped: (store.stmt("SELECT value FROM sync_values WHERE target = ? AND key LIKE ? ORDER BY key").all(
      target,
      `skipped:${runId}:%`,
    ) as Row[]).map((v) => String(v.value)),
  };
}

/** True when nothing is pending. */
export function isSynced(p: RunPending): boolean {
  return !p.run && !p.files && p.historyRows === 0 && p.outputLines === 0 && p.tables.length === 0 &&
    p.outputs.length === 0 &&
    p.inputs.length === 0 && !p.summary && !p.exit;
}

/** Reads a stored table's rows by table id. */
function tableRows(store: Store, tableId: number): unknown[][] {
  const rows: unknown[][] = [];
  for (
    const c of store.stmt("SELECT data FROM table_chunks WHERE table_id = ? ORDER BY first_idx").all(
      tableId,
    ) as Row[]
  ) {
    for (const row of JSON.parse(String(c.data)) as unknown[][]) rows.push(row);
  }
  return rows;
}

/** The files of a stored version, read from the store's blobs, as W&B artifact files. */
function storedFiles(store: Store, v: ArtifactVersion) {
  return Object.entries(v.manifest.contents).map(([path, e]) => ({
    name: path,
    path: store.blobPath(b64ToHex(e.digest)),
    digest: e.digest,
    size: e.size,
  }));
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw signal.reason ?? new Error("aborted");
}

/** Replays one run to W&B: sends what the store holds and the target has not got. */
export async function replayRun(
  store: Store,
  rep: Replica,
  runId: string,
  options: ReplayOptions = {},
  counts: ReplayCounts = emptyCounts(),
): Promise<ReplayCounts> {
  const { target, client, entity } = rep;
  const req = { signal: options.signal, retry: options.retry };
  const r0 = runRow(store, runId);
  if (!r0) return counts;
  const upserted = new Set<string>();

  /** Upserts a run when its metadata changed since the last upsert (also runs that create artifacts). */
  const ensureRun = async (r: Row): Promise<WandbRun> => {
    const id = String(r.id);
    const info = runInfo(r);
    const h = hash48(JSON.stringify(info));
    if (!upserted.has(id) && cursor(store, id, target, "run") !== h) {
      await upsertWandbRun(client, { ...info, entity }, req);
      setCursor(store, id, target, "run", h);
      counts.runs++;
    }
    upserted.add(id);
    return wandbRun(entity, r);
  };

  /** Saves version name:vN as `by` (creator) unless the target has it; returns the W&B artifact id. */
  const saveVersion = async (
    by: Row,
    name: string,
    version: number,
    use: boolean,
  ): Promise<{ id: string; used: boolean }> => {
    // Saved again even when the target has it: the server deduplicates by digest (one request) and moves
    // the aliases, as the local store did when this run logged identical content.
    const key = `artifact:${String(by.project)}:${name}:${version}`;
    const v = store.getVersion(name, version);
    if (!v) throw new Error(`artifact ${name}:v${version} is missing from the store`);
    const run = await ensureRun(by);
    const aliases = v.aliases.filter((a) => a !== "latest");
    const saved = await saveWandbArtifact(client, run, {
      name,
      type: v.type,
      description: v.description || undefined,
      metadata: v.metadata,
      aliases,
      files: storedFiles(store, v),
    }, { ...req, use });
    setValue(store, target, key, JSON.stringify({ id: saved.id, versionIndex: saved.versionIndex }));
    setValue(
      store,
      target,
      `aliases:${String(by.project)}:${name}:${version}`,
      JSON.stringify(aliases.sort()),
    );
    counts.artifacts++;
    if (use) counts.uses++;
    return { id: saved.id, used: use };
  };

  /** The W&B id of name:vN in `project`, saving it first (by its producer when known) if needed. */
  const idOf = async (
    project: string,
    name: string,
    version: number,
    user: Row,
  ): Promise<{ id: string; used: boolean } | null> => {
    const known = value(store, target, `artifact:${project}:${name}:${version}`);
    if (known !== null) return { id: (JSON.parse(known) as { id: string }).id, used: false };
    const producer = store.stmt(
      `SELECT l.id AS link_id, r.* FROM artifact_links l JOIN runs r ON r.id = l.run_id
       WHERE l.name = ? AND l.version = ? AND l.direction = 'output' AND r.project = ? ORDER BY l.id LIMIT 1`,
    ).get(name, version, project) as Row | undefined;
    if (producer && String(producer.id) !== String(user.id)) {
      // A producer still running uploads it itself (saving it from here as well could race its save into
      // two versions on W&B): this use waits for it.
      if (String(producer.status) === "running") return null;
      const saved = await saveVersion(producer, name, version, false);
      setCursor(store, String(producer.id), target, `link:${producer.link_id}`, 1);
      return saved;
    }
    // Nobody logged it as an output: it was stored by a use (useArtifact with a spec). Its first user is
    // its creator on W&B too (logged and used, as Python's use_artifact of a new artifact does).
    const creator = store.stmt(
      `SELECT l.id AS link_id, r.* FROM artifact_versions v JOIN runs r ON r.id = v.created_by
       JOIN artifact_links l ON l.run_id = r.id AND l.name = v.name AND l.version = v.version
       WHERE v.name = ? AND v.version = ? AND r.project = ? AND l.direction = 'input'`,
    ).get(name, version, project) as Row | undefined;
    if (creator && String(creator.id) !== String(user.id)) {
      if (String(creator.status) === "running") return null;
      await saveVersion(creator, name, version, true);
      setCursor(store, String(creator.id), target, `link:${creator.link_id}`, 1);
      return await idOf(project, name, version, user);
    }
    return await saveVersion(user, name, version, true);
  };

  /**
   * Aliases a run put on an existing version it used (useArtifact(ref, { aliases })): moved on W&B by a
   * save of the same content without `latest` (the server deduplicates it, nothing is uploaded).
   */
  const syncAliases = async (l: Link) => {
    const v = store.getVersion(l.name, l.version);
    const custom = (v?.aliases ?? []).filter((a) => a !== "latest").sort();
    const aliasKey = `aliases:${String(r0.project)}:${l.name}:${l.version}`;
    if (!v || !custom.length || value(store, target, aliasKey) === JSON.stringify(custom)) return;
    await saveWandbArtifact(client, await ensureRun(r0), {
      name: l.name,
      type: v.type,
      aliases: custom,
      files: storedFiles(store, v),
    }, { ...req, latest: false });
    setValue(store, target, aliasKey, JSON.stringify(custom));
    counts.artifacts++;
  };

  const r = r0;
  const run = await ensureRun(r);
  throwIfAborted(options.signal);

  const fh = filesHash(r);
  if (cursor(store, runId, target, "files") !== fh) {
    await uploadWandbRunFiles(client, run, metadataFiles(r), req);
    setCursor(store, runId, target, "files", fh);
    counts.files += 2;
  }

  // One item failing for good does not hold up the others: a record W&B can never take (the client
  // refuses it before sending: a name or key outside W&B's alphabet) is skipped for good, its reason kept;
  // an error from the server (a GraphQL error, a rejected upload) is reported and retried by the next
  // sync; a transient one (network, 5xx, timeout) ends the pass, the next pass retries.
  const problems: unknown[] = [];
  const item = async (kind: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (e) {
      if (options.signal?.aborted || (e instanceof WandbError && e.transient)) throw e;
      if (e instanceof WandbError && e.kind === "config") {
        store.transaction(() => {
          setCursor(store, runId, target, kind, -1);
          setValue(store, target, `skipped:${runId}:${kind}`, e.message);
        });
        options.onSkip?.(e.message);
        return;
      }
      problems.push(e);
    }
  };
  for (const l of links(store, runId)) {
    throwIfAborted(options.signal);
    await item(`link:${l.id}`, async () => {
      const done = cursor(store, runId, target, `link:${l.id}`);
      if (done !== null) {
        if (done !== -1 && l.direction === "input") await syncAliases(l);
        return;
      }
      if (l.direction === "output") {
        await saveVersion(r, l.name, l.version, false);
      } else {
        const found = await idOf(String(r.project), l.name, l.version, r);
        if (found === null) return; // its producer is live elsewhere: its own uploader saves it first
        if (!found.used) {
          await useWandbArtifact(client, run, found.id, req);
          counts.uses++;
        }
        await syncAliases(l);
      }
      setCursor(store, runId, target, `link:${l.id}`, 1);
    });
  }

  // History and tables, in the order they were logged; one line offset for both.
  const startMs = Date.parse(String(r.started_at));
  let lines = cursor(store, runId, target, "lines") ?? 0;
  let lastId = cursor(store, runId, target, "history") ?? 0;
  const maxLines = options.maxLinesPerRequest ?? 1000;
  const pendingTables = (store.stmt(
    "SELECT * FROM tables WHERE run_id = ? AND complete = 1 ORDER BY id",
  ).all(runId) as Row[]).filter((t) => cursor(store, runId, target, `table:${t.id}`) === null);
  const line = (h: Row, extra: Record<string, unknown> = {}) => ({
    ...JSON.parse(String(h.data)),
    ...extra,
    _step: Number(h.step),
    _runtime: Math.max(0, (Number(h.ts) - startMs) / 1000),
    _timestamp: Number(h.ts) / 1000,
  });
  /** Sends the unsent rows logged up to `untilMs`, stopping before the row `beforeId`. */
  const sendHistory = async (untilMs: number, beforeId = Number.MAX_SAFE_INTEGER) => {
    for (;;) {
      throwIfAborted(options.signal);
      const rows = store.stmt(
        `SELECT id, step, ts, data FROM history WHERE run_id = ? AND id > ? AND id < ? AND ts <= ?
         ORDER BY id LIMIT ?`,
      ).all(runId, lastId, beforeId, untilMs, maxLines) as Row[];
      if (rows.length === 0) return;
      await sendWandbFileStream(client, run, {
        history: { offset: lines, rows: rows.map((h) => line(h)) },
      }, { ...req, maxLinesPerRequest: maxLines });
      lines += rows.length;
      lastId = Number(rows[rows.length - 1].id);
      store.transaction(() => {
        setCursor(store, runId, target, "lines", lines);
        setCursor(store, runId, target, "history", lastId);
      });
      counts.historyRows += rows.length;
    }
  };
  const tableSent = (tableId: number) => {
    setCursor(store, runId, target, `table:${tableId}`, 1);
    store.stmt("UPDATE tables SET synced_at = ? WHERE id = ?").run(new Date().toISOString(), tableId);
    counts.tables++;
    counts.artifacts++;
  };
  // A table logged at the step of a metrics row not sent yet goes into that row's line (one line per
  // step, as W&B shows it); its values wait in `held` while later tables of the same step join them.
  let held: { row: Row; values: Record<string, unknown>; tables: number[] } | null = null;
  const sendHeld = async () => {
    if (!held) return;
    const h = held;
    held = null;
    await sendWandbFileStream(
      client,
      run,
      { history: { offset: lines, rows: [line(h.row, h.values)] } },
      req,
    );
    lines++;
    lastId = Number(h.row.id);
    store.transaction(() => {
      setCursor(store, runId, target, "lines", lines);
      setCursor(store, runId, target, "history", lastId);
      for (const id of h.tables) tableSent(id);
    });
    counts.historyRows++;
  };
  for (const t of pendingTables) {
    const at = Date.parse(String(t.created_at));
    const step = Number(t.step);
    const key = String(t.key);
    if (held) {
      const between = (store.stmt(
        "SELECT COUNT(*) AS n FROM history WHERE run_id = ? AND id > ? AND ts <= ?",
      ).get(runId, Number(held.row.id), at) as Row).n;
      if (step !== Number(held.row.step) || Number(between) > 0 || key in held.values) await sendHeld();
    }
    let into: Row | undefined = held?.row;
    if (!held) {
      into = store.stmt(
        `SELECT id, step, ts, data FROM history WHERE run_id = ? AND id > ? AND ts <= ? AND step = ?
         ORDER BY id DESC LIMIT 1`,
      ).get(runId, lastId, at, step) as Row | undefined;
      if (into && key in JSON.parse(String(into.data))) into = undefined; // a metric of the same name
      await sendHistory(at, into ? Number(into.id) : Number.MAX_SAFE_INTEGER);
    }
    let tv: TableFileValue | null = null;
    await item(`table:${t.id}`, async () => {
      tv = (await logWandbTable(client, run, key, {
        columns: JSON.parse(String(t.columns)),
        rows: tableRows(store, Number(t.id)),
      }, { step, ...req })).value;
    });
    if (tv === null) continue;
    setValue(store, target, `table:${t.id}`, JSON.stringify(tv));
    if (into) {
      held ??= { row: into, values: {}, tables: [] };
      held.values[key] = tv;
      held.tables.push(Number(t.id));
      continue;
    }
    await sendWandbFileStream(client, run, {
      history: {
        offset: lines,
        rows: [{
          [key]: tv,
          _step: step,
          _runtime: Math.max(0, (at - startMs) / 1000),
          _timestamp: at / 1000,
        }],
      },
    }, req);
    lines++;
    store.transaction(() => {
      setCursor(store, runId, target, "lines", lines);
      tableSent(Number(t.id));
    });
  }
  await sendHeld();
  await sendHistory(Number.MAX_SAFE_INTEGER);

  // Console output: output.log lines at their own offsets, W&B's form `[ERROR ]<ISO time> <text>`
  // (ERROR marks stderr, as the Python SDK writes it).
  let outLines = cursor(store, runId, target, "output_lines") ?? 0;
  let lastOut = cursor(store, runId, target, "output") ?? 0;
  const sendOutput = async () => {
    for (;;) {
      throwIfAborted(options.signal);
      const rows = store.stmt(
        "SELECT id, ts, stream, line FROM output WHERE run_id = ? AND id > ? ORDER BY id LIMIT ?",
      ).all(runId, lastOut, maxLines) as Row[];
      if (rows.length === 0) return;
      await sendWandbFileStream(client, run, {
        output: {
          offset: outLines,
          lines: rows.map((o) =>
            `${String(o.stream) === "stderr" ? "ERROR " : ""}${new Date(Number(o.ts)).toISOString()} ${
              String(o.line)
            }`
          ),
        },
      }, { ...req, maxLinesPerRequest: maxLines });
      outLines += rows.length;
      lastOut = Number(rows[rows.length - 1].id);
      store.transaction(() => {
        setCursor(store, runId, target, "output_lines", outLines);
        setCursor(store, runId, target, "output", lastOut);
      });
      counts.outputLines += rows.length;
    }
  };
  await sendOutput();

  // Summary and completion, from a fresh read (the run may have finished meanwhile).
  const r2 = runRow(store, runId)!;
  const summary = summaryOf(store, target, r2);
  const sh = hash48(JSON.stringify(summary));
  if (Object.keys(summary).length > 0 && cursor(store, runId, target, "summary") !== sh) {
    throwIfAborted(options.signal);
    await sendWandbFileStream(client, run, { summary }, req);
    setCursor(store, runId, target, "summary", sh);
    counts.summaries++;
  }
  if (problems.length) {
    const first = problems[0] instanceof Error ? problems[0].message : String(problems[0]);
    throw new WandbError(
      "protocol",
      problems.length === 1 ? first : `${first} (and ${problems.length - 1} more)`,
      {
        cause: problems[0],
      },
    );
  }
  const status = String(r2.status);
  if (status !== "running" && cursor(store, runId, target, "exit") === null) {
    const caughtUp = (store.stmt("SELECT COUNT(*) AS n FROM history WHERE run_id = ? AND id > ?").get(
          runId,
          lastId,
        ) as Row).n === 0 &&
      (store.stmt("SELECT COUNT(*) AS n FROM output WHERE run_id = ? AND id > ?").get(runId, lastOut) as Row)
          .n === 0;
    if (caughtUp) {
      throwIfAborted(options.signal);
      // A crashed run (its process died without finishRun) is completed as failed, exit code 1.
      const exitCode = r2.exit_code === null ? 1 : Number(r2.exit_code);
      await sendWandbFileStream(client, run, { exitCode }, req);
      setCursor(store, runId, target, "exit", exitCode);
      counts.finished++;
      const now = new Date().toISOString();
      store.transaction(() => {
        store.stmt("UPDATE runs SET synced_at = ? WHERE id = ?").run(now, runId);
        store.stmt("UPDATE artifact_links SET synced_at = ? WHERE run_id = ?").run(now, runId);
        store.stmt(
          `UPDATE artifact_versions SET synced_at = ? WHERE created_by = ?`,
        ).run(now, runId);
      });
    }
  }
  return counts;
}
