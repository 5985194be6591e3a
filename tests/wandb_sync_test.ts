/**
 * `syncRuns` / `deno task sync` against a W&B that stops answering: after the first timeout or network
 * failure the other runs are skipped, not each tried for a full time budget. `deno task runs` names the
 * other W&B base URLs a run was synced to.
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { createHash } from "node:crypto";
import {
  finishRun,
  getArtifactVersion,
  initRun,
  logArtifact,
  logMetrics,
  logTable,
  syncRuns,
} from "../lib/tracking/mod.ts";
import { startEmulator } from "./wandb_emulator.ts";

const KEY = "s".repeat(20) + "sEcReT" + "t".repeat(14);
const ROOT = fileURLToPath(new URL("../", import.meta.url));
const FAST = { timeoutMs: 300, maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 10, deadlineMs: 5000 };

/** Three finished local runs, oldest first. */
async function threeRuns(dir: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const run = await initRun({
      dir,
      tracker: "local",
      project: "stop",
      name: `r${i}`,
      captureConsole: false,
    });
    logMetrics(run, { loss: 1 / (i + 1) });
    await finishRun(run);
    ids.push(run.id);
  }
  return ids;
}

Deno.test("sync --all against a hung file_stream: the first run fails, the others are skipped", async () => {
  const emu = await startEmulator({ apiKey: KEY, loud: false });
  const dir = await Deno.makeTempDir({ prefix: "sentilab_sync_" });
  try {
    const ids = await threeRuns(dir);
    emu.inject("file_stream", { hang: true, times: Infinity });
    const report = await syncRuns({ dir, retry: FAST, baseUrl: emu.url, apiKey: KEY });
    assert.deepEqual(report.runs.map((r) => r.runId), ids);
    assert.deepEqual(report.runs.map((r) => r.outcome), ["failed", "skipped", "skipped"]);
    assert.match(report.runs[0].reason!, /did not answer 'file_stream'/);
    for (const r of report.runs.slice(1)) {
      assert.equal(r.reason, "W&B stopped answering; run sync again later");
      assert.equal(r.pending.historyRows, 1);
    }
    assert.equal(report.failed, 1);
    // Bounded: one run's attempts at file_stream, nothing at all for the other two.
    const counts = emu.state().counts;
    assert.equal(counts.file_stream, FAST.maxAttempts);
    assert.equal(counts.UpsertBucket, 1);

    // W&B answers again: the next sync sends all three, each once.
    emu.clearFaults();
    const again = await syncRuns({ dir, retry: FAST, baseUrl: emu.url, apiKey: KEY });
    assert.deepEqual(again.runs.map((r) => r.outcome), ["synced", "synced", "synced"]);
    const s = emu.state();
    for (const id of ids) assert.equal(s.runs[`emu-user/stop/${id}`].history.length, 1);
  } finally {
    await emu.close();
    await Deno.remove(dir, { recursive: true });
  }
});

/** `deno task runs --dir DIR` with WANDB_BASE_URL = `base`: the W&B column per run id. */
async function wandbColumn(dir: string, base: string, ids: string[]): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "tasks/runs.ts", "--dir", dir],
    env: { NO_COLOR: "1", RUST_BACKTRACE: "0", WANDB_BASE_URL: base, SENTILAB_DIR: dir },
    clearEnv: true,
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const lines = text.split("\n");
  const at = lines[0].indexOf("W&B"), end = lines[0].indexOf("SUMMARY");
  return ids.map((id) => lines.find((l) => l.startsWith(id))!.slice(at, end).trim());
}

Deno.test("deno task runs: a run synced to another W&B base URL says so, not 'local only'", async () => {
  const emu = await startEmulator({ apiKey: KEY, loud: false });
  const dir = await Deno.makeTempDir({ prefix: "sentilab_sync_" });
  const other = "http://127.0.0.1:9";
  try {
    const ids = await threeRuns(dir);
    emu.inject("file_stream", { hang: true, times: Infinity });
    await syncRuns({ dir, retry: FAST, baseUrl: emu.url, apiKey: KEY });
    // r0 got its metadata through, not its history; r1 and r2 nothing.
    assert.deepEqual(await wandbColumn(dir, other, ids), [
      `pending at ${emu.url}`,
      "local only",
      "local only",
    ]);
    emu.clearFaults();
    await syncRuns({ dir, retry: FAST, baseUrl: emu.url, apiKey: KEY });
    assert.deepEqual(await wandbColumn(dir, other, ids), ids.map(() => `synced to ${emu.url}`));
    assert.deepEqual(await wandbColumn(dir, emu.url, ids), ["synced", "synced", "synced"]);
  } finally {
    await emu.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sync: tables logged at the step of a metrics row go into that row's history line", async () => {
  const emu = await startEmulator({ apiKey: KEY, loud: false });
  const dir = await Deno.makeTempDir({ prefix: "sentilab_sync_" });
  try {
    const run = await initRun({ dir, tracker: "local", project: "merge", captureConsole: false });
    const table = { columns: ["text", "pred"], rows: [["good", "positive"]] };
    logMetrics(run, { acc: 0.5 });
    await logTable(run, "preds", table); // the current step: 0
    logMetrics(run, { acc: 0.6 });
    await logTable(run, "other", table, { step: 1 });
    await logTable(run, "third", table, { step: 1 });
    await logTable(run, "late", table, { step: 0 }); // its row went out before it: a line of its own
    await finishRun(run);
    const report = await syncRuns({ dir, retry: FAST, baseUrl: emu.url, apiKey: KEY });
    assert.equal(report.runs[0].outcome, "synced", report.runs[0].reason ?? "");
    assert.equal(report.sent.tables, 4);
    const remote = emu.state().runs[`emu-user/merge/${run.id}`];
    const shape = remote.history.map((l) =>
      Object.fromEntries(
        Object.entries(l!).filter(([k]) => !k.startsWith("_") || k === "_step").map((
          [k, v],
        ) => [k, typeof v === "object" ? (v as { _type: string })._type : v]),
      )
    );
    assert.deepEqual(shape, [
      { acc: 0.5, preds: "table-file", _step: 0 },
      { acc: 0.6, other: "table-file", third: "table-file", _step: 1 },
      { late: "table-file", _step: 0 },
    ]);
    assert.ok(remote.historyWrites.every((n) => n === 1), "no line sent twice");
    for (const k of ["preds", "other", "third", "late"]) {
      assert.equal((remote.summary[k] as { _type: string })._type, "table-file", k);
    }
    const before = emu.state().counts.file_stream;
    const again = await syncRuns({ dir, retry: FAST, baseUrl: emu.url, apiKey: KEY });
    assert.equal(again.runs[0].outcome, "up-to-date");
    assert.equal(emu.state().counts.file_stream, before);
  } finally {
    await emu.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sync: a stored blob changed on disk is not sent; the error names the version and file; re-logging repairs it", async () => {
  const emu = await startEmulator({ apiKey: KEY, loud: false });
  const dir = await Deno.makeTempDir({ prefix: "sentilab_sync_" });
  try {
    const src = `${dir}/weights.txt`;
    await Deno.writeTextFile(src, "the weights as trained\n");
    const run = await initRun({ dir, tracker: "local", project: "blob", captureConsole: false });
    await logArtifact(run, { name: "weights", type: "model", files: [src] });
    await finishRun(run);
    // The stored copy is changed on disk (read-only files can still be replaced by their owner).
    const v = getArtifactVersion("weights:v0", { dir })!;
    const digest = v.manifest.contents["weights.txt"].digest;
    const hex = Array.from(atob(digest), (c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join("");
    const blob = `${dir}/files/${hex.slice(0, 2)}/${hex}`;
    await Deno.chmod(blob, 0o644);
    const altered = "the weights, tampered\n";
    await Deno.writeTextFile(blob, altered);

    const first = await syncRuns({ dir, retry: FAST, baseUrl: emu.url, apiKey: KEY });
    assert.equal(first.runs[0].outcome, "failed");
    assert.match(first.runs[0].reason ?? "", /weights:v0.*'weights\.txt'/);
    const alteredMd5 = md5Base64(new TextEncoder().encode(altered));
    const state = emu.state();
    assert.ok(!(alteredMd5 in state.blobs), "the altered content was uploaded");
    assert.deepEqual(Object.values(state.artifacts).filter((a) => a.state === "COMMITTED"), []);

    // Logging the right content again repairs the blob; the next sync sends the version.
    const again = await initRun({ dir, tracker: "local", project: "blob", captureConsole: false });
    await logArtifact(again, { name: "weights", type: "model", files: [src] });
    await finishRun(again);
    const second = await syncRuns({ dir, retry: FAST, baseUrl: emu.url, apiKey: KEY });
    for (const r of second.runs) assert.equal(r.outcome, "synced", r.reason ?? "");
    const after = emu.state();
    assert.equal(after.blobs[digest], "the weights as trained\n".length);
    const committed = Object.values(after.artifacts).filter((a) => a.state === "COMMITTED");
    assert.deepEqual(committed.map((a) => [a.collection, a.digest === committed[0].digest]), [[
      "weights",
      true,
    ]]);
  } finally {
    await emu.close();
    await Deno.remove(dir, { recursive: true });
  }
});

/** Base64 MD5 of bytes (the W&B digest form), from node:crypto. */
function md5Base64(data: Uint8Array): string {
  return createHash("md5").update(data).digest("base64");
}
