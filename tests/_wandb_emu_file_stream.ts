/**
 * The W&B emulator's file_stream endpoint (tests/wandb_emulator.ts): offsets and resends of history,
 * summary, console and event lines, the line cap, and what a completed run must carry of what the SDK
 * leaves at its end.
 * @module
 */
import { checkAuth, dec, json } from "./_wandb_emu_http.ts";
import type { EmuRun, EmuState } from "./_wandb_emu_state.ts";

/**
 * The longest file_stream line W&B's back end takes: 10 MiB - 100 KiB (wandb/wandb
 * core/internal/filestream/filestream.go `defaultMaxFileLineBytes`); a longer one is refused.
 */
const MAX_LINE_BYTES = (10 << 20) - (100 << 10);

/** JSON.parse that also reads the bare NaN / Infinity / -Infinity tokens W&B's SDKs send. */
export function parseLine(line: string): unknown {
  if (!/NaN|Infinity/.test(line)) return JSON.parse(line);
  const marker = `\u0000special:${crypto.randomUUID()}:`;
  let out = "";
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (inString) {
      out += c;
      if (c === "\\") out += line[++i] ?? "";
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
      continue;
    }
    const token = ["-Infinity", "Infinity", "NaN"].find((t) => line.startsWith(t, i));
    if (token) {
      out += JSON.stringify(marker + token);
      i += token.length - 1;
    } else out += c;
  }
  return JSON.parse(
    out,
    (_k, v) => (typeof v === "string" && v.startsWith(marker) ? Number(v.slice(marker.length)) : v),
  );
}

/** Writes lines at an offset of a line file, holes as null. */
function lineArray(arr: (string | null)[], offset: number, content: string[]) {
  for (let i = 0; i < content.length; i++) {
    while (arr.length < offset + i) arr.push(null);
    arr[offset + i] = content[i];
  }
}

/**
 * A file_stream POST: history, summary, console output and events at their offsets (a resend overwrites
 * the line), `uploaded` run files, heartbeats, and the completion with its exit code.
 */
export function fileStream(st: EmuState, req: Request, body: Uint8Array, parts: string[]): Response {
  if (!checkAuth(st, req)) return json({ error: "invalid API key" }, 401);
  const [entity, project, name] = parts.map(decodeURIComponent);
  const key = `${entity}/${project}/${name}`;
  const run = st.runs.get(key);
  if (!run) {
    st.errors.push({ op: "file_stream", message: `run ${key} not found` });
    return json({ error: `run ${key} not found` }, 404);
  }
  let msg: {
    files?: Record<string, { offset?: number; content?: string[] }>;
    uploaded?: string[];
    complete?: boolean;
    exitcode?: number;
  };
  try {
    msg = JSON.parse(dec.decode(body));
  } catch {
    st.errors.push({ op: "file_stream", message: "body is not JSON" });
    return json({ error: "body is not JSON" }, 400);
  }
  for (const [file, chunk] of Object.entries(msg.files ?? {})) {
    for (const line of chunk.content ?? []) {
      const bytes = new TextEncoder().encode(String(line)).length;
      if (bytes > MAX_LINE_BYTES) {
        const message = `a ${file} line of ${bytes} bytes is over the ${MAX_LINE_BYTES}-byte line cap`;
        st.invalid.push({ op: "file_stream", message });
        return json({ error: message }, 400);
      }
    }
    if (file === "output.log") {
      // The legacy console line format the W&B frontend parses: `[ERROR ]YYYY-MM-DDTHH:MM:SS.ffffff text`,
      // six fractional digits, UTC, no `Z` (wandb/wandb core/internal/runconsolelogs/runlogschangemodel.go
      // `LegacyFormat`).
      const bad = (chunk.content ?? []).find((l) =>
        !/^(ERROR )?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6} /.test(String(l))
      );
      if (bad !== undefined) {
        st.errors.push({
          op: "file_stream",
          message: `output.log line without the SDK's timestamp: ${bad}`,
        });
      }
    }
  }
  const empty = !msg.complete && !msg.uploaded?.length &&
    Object.values(msg.files ?? {}).every((c) => !(c.content ?? []).length);
  if (empty) run.heartbeats++;
  for (const name of msg.uploaded ?? []) if (!run.uploaded.includes(name)) run.uploaded.push(String(name));
  for (const [file, chunk] of Object.entries(msg.files ?? {})) {
    const offset = Number(chunk.offset ?? 0);
    const content = (chunk.content ?? []).map(String);
    if (file === "wandb-history.jsonl") {
      let parsed: Record<string, unknown>[];
      try {
        parsed = content.map((l) => parseLine(l) as Record<string, unknown>);
      } catch {
        st.errors.push({ op: "file_stream", message: `a history line at offset ${offset} is not JSON` });
        return json({ error: "history line is not JSON" }, 400);
      }
      for (let i = 0; i < parsed.length; i++) {
        while (run.history.length < offset + i) run.history.push(null);
        while (run.historyWrites.length <= offset + i) run.historyWrites.push(0);
        run.history[offset + i] = parsed[i];
        run.historyWrites[offset + i]++;
      }
    } else if (file === "wandb-summary.json") {
      try {
        if (content.length) run.summary = parseLine(content[content.length - 1]) as Record<string, unknown>;
        const held = (run.summary._wandb as Record<string, unknown> | undefined)?.runtime;
        if (typeof held === "number" && held > run.heldRuntime) run.heldRuntime = held;
      } catch {
        st.errors.push({ op: "file_stream", message: "the summary is not JSON" });
        return json({ error: "summary is not JSON" }, 400);
      }
    } else if (file === "output.log") {
      lineArray(run.output, offset, content);
    } else if (file === "wandb-events.jsonl") {
      lineArray(run.events, offset, content);
    } else {
      st.errors.push({ op: "file_stream", message: `unknown file_stream file '${file}'` });
    }
  }
  if (msg.complete) {
    run.complete = true;
    run.exitcode = typeof msg.exitcode === "number" ? msg.exitcode : 0;
    run.exitGaps = exitGaps(run, st.allowDroppedLines);
  }
  return json({ exitcode: null, limits: {} });
}

/**
 * What a completed run's summary and files lack of what W&B's SDK always leaves when a run ends
 * (wandb/wandb core/internal/stream/handler.go): `handleExit` calls `updateRunTiming`, which sets
 * `_wandb.runtime` and `_runtime` to the same whole seconds (`int(runTimer.Elapsed().Seconds())`; the W&B UI
 * shows `_wandb.runtime` as the run's Runtime); every history flush put the line's `_step` and `_timestamp`
 * into the summary (`flushPartialHistory` -> `updateSummary`), so they are the last line's; and the sender
 * uploads the final summary as the run file `wandb-summary.json` before it completes the run
 * (core/internal/stream/sender.go `finishRunSync` -> `uploadSummaryFile`; core/internal/runfiles/
 * saved_file.go announces it in `uploaded`).
 *
 * Two rules for a run W&B held before: a line the SDK flushed but file_stream skipped for being over the
 * line cap (core/internal/filestream/updatehistory.go) had already gone into the summary
 * (`flushPartialHistory` -> `updateSummary`, before the line is sent), so the summary's `_step` may be past
 * the last line W&B holds (accepted only with `allowDroppedLines`, which a test of that case turns on, so
 * that every other test still finds a summary ahead of the lines sent); and a resumed run's clock goes on from the runtime W&B held
 * (core/internal/runbranch/resume.go reads it, `handleRequestRunStart` starts `timer.New(run.Runtime)`), so
 * `_wandb.runtime` never goes back below a runtime a summary of the run carried.
 */
export function exitGaps(run: EmuRun, allowDroppedLines = false): string[] {
  const gaps: string[] = [];
  const s = run.summary;
  const w = s._wandb as Record<string, unknown> | undefined;
  const runtime = w && typeof w === "object" ? w.runtime : undefined;
  if (!Number.isSafeInteger(runtime) || (runtime as number) < 0) {
    gaps.push(`summary _wandb.runtime is ${JSON.stringify(runtime)}, not whole seconds >= 0`);
  }
  if (s._runtime !== runtime) {
    gaps.push(
      `summary _runtime ${JSON.stringify(s._runtime)} is not _wandb.runtime (${JSON.stringify(runtime)})`,
    );
  }
  if (typeof runtime === "number" && runtime < run.heldRuntime) {
    gaps.push(`summary _wandb.runtime ${runtime} went back below the ${run.heldRuntime} s W&B held`);
  }
  const last = run.history.findLast((h) => h !== null);
  const droppedAfter = allowDroppedLines && typeof s._step === "number" && typeof last?._step === "number" &&
    s._step > last._step;
  if (last && !droppedAfter) {
    for (const k of ["_step", "_timestamp"]) {
      if (s[k] !== last[k]) {
        gaps.push(
          `summary ${k} ${JSON.stringify(s[k])} is not the last history line's (${JSON.stringify(last[k])})`,
        );
      }
    }
  }
  const file = run.files["wandb-summary.json"];
  if (!file || !run.uploaded.includes("wandb-summary.json")) {
    gaps.push("the run file wandb-summary.json was not uploaded (and announced) before the completion");
  } else {
    let same = false;
    try {
      same = JSON.stringify(parseLine(file.text)) === JSON.stringify(s);
    } catch { /* not JSON: not the same */ }
    if (!same) gaps.push("the run file wandb-summary.json is not the final summary");
  }
  return gaps;
}
