/**
 * Conformance: the unmodified npm:@wandb/sdk 0.5.1 client runs init/log/finish against the emulator in a
 * subprocess (hard-killed after a bounded time: it installs signal handlers and can hang), and what it
 * logged comes out right in the emulator's state. This shows the emulator speaks W&B's protocol, not only
 * ours.
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import { startEmulator } from "./wandb_emulator.ts";

const ROOT = fromFileUrl(new URL("..", import.meta.url));
const CHILD = fromFileUrl(new URL("./wandb_sdk_child.ts", import.meta.url));
const KEY = "c".repeat(40);

/** Runs the SDK child; SIGKILLs it after `killAfterMs`. */
async function runChild(baseUrl: string, killAfterMs: number, env: Record<string, string> = {}) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CHILD],
    cwd: ROOT,
    env: { WANDB_BASE_URL: baseUrl, WANDB_API_KEY: KEY, NO_COLOR: "1", WANDB_MODE: "", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, killAfterMs);
  const out = await child.output();
  clearTimeout(timer);
  const dec = new TextDecoder();
  return { code: out.code, killed, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("@wandb/sdk 0.5.1 init/log/finish: history, summary, config and exit code land in the emulator", async () => {
  const emu = await startEmulator({ apiKey: KEY, entity: "sdk-user" });
  try {
    const r = await runChild(emu.url, 60_000, { CHILD_EXIT_CODE: "3" });
    assert.equal(r.killed, false, `the SDK child hung:\n${r.stderr}`);
    assert.equal(r.code, 0, r.stderr);
    const runId = /DONE (\S+)/.exec(r.stdout)?.[1];
    assert.ok(runId, r.stdout);
    const s = emu.state();
    const run = s.runs[`sdk-user/conformance/${runId}`];
    assert.ok(run, `no run sdk-user/conformance/${runId} in ${Object.keys(s.runs)}`);
    assert.equal(run.displayName, "sdk-run");
    assert.deepEqual(run.config, { lr: 0.01, layers: [2, 3] });
    const history = run.history.map((h) => {
      assert.ok(h, "no hole in the history");
      const { _runtime, _timestamp, ...rest } = h;
      assert.equal(typeof _runtime, "number");
      assert.equal(typeof _timestamp, "number");
      return rest;
    });
    assert.deepEqual(history.slice(0, 3), [
      { loss: 0.9, acc: 0.5, _step: 0 },
      { loss: 0.6, acc: 0.7, _step: 1 },
      { loss: 0.3, _step: 10 },
    ]);
    // commit:false merges {acc: 0.9} into the next row
    assert.equal(history.length, 4);
    assert.equal(history[3].acc, 0.9);
    assert.equal(history[3].loss, 0.2);
    assert.ok(Number(history[3]._step) >= 10);
    assert.equal(run.summary.loss, 0.2);
    assert.equal(run.summary.acc, 0.9);
    assert.equal(run.complete, true);
    assert.equal(run.exitcode, 3);
    assert.ok(run.historyWrites.every((n) => n === 1), "each history line written once");
    assert.equal(s.counts.Viewer, 1);
    assert.equal(s.counts.UpsertBucket, 1);
    assert.ok(s.counts.file_stream >= 2);
    assert.deepEqual(s.unknown, []);
    assert.equal(s.authFailures, 0);
  } finally {
    await emu.close();
  }
});

Deno.test("@wandb/sdk 0.5.1 under a 500 storm on Viewer sends one request and hangs (hard-killed)", async () => {
  const emu = await startEmulator({ apiKey: KEY });
  emu.inject("Viewer", { status: 500, times: Infinity });
  try {
    const r = await runChild(emu.url, 5_000);
    assert.equal(r.killed, true, "the SDK should still be waiting on its broken retry");
    assert.equal(emu.state().counts.Viewer, 1, "its 'retry' re-awaits the same promise: one request only");
    assert.equal(emu.state().counts.UpsertBucket, undefined);
  } finally {
    await emu.close();
  }
});

Deno.test("@wandb/sdk 0.5.1 with a server that never answers Viewer hangs in init (hard-killed)", async () => {
  const emu = await startEmulator({ apiKey: KEY, loud: false });
  emu.inject("Viewer", { hang: true, times: Infinity });
  try {
    const r = await runChild(emu.url, 5_000);
    assert.equal(r.killed, true, "no request timeout: still waiting after 5 s");
    assert.equal(emu.state().counts.Viewer, 1);
    assert.equal(emu.state().counts.UpsertBucket, undefined);
  } finally {
    await emu.close();
  }
});

Deno.test("@wandb/sdk 0.5.1 drops history silently when file_stream answers 500: exit 0, nothing logged", async () => {
  const emu = await startEmulator({ apiKey: KEY, loud: false });
  emu.inject("file_stream", { status: 500, times: Infinity });
  try {
    const r = await runChild(emu.url, 30_000);
    assert.equal(r.killed, false, r.stderr);
    assert.equal(r.code, 0, "the program believes everything was logged");
    assert.match(r.stdout, /^DONE /m);
    const runId = r.stdout.match(/DONE (\w+)/)![1];
    const run = Object.values(emu.state().runs).find((x) => x.id === runId || x.name === runId)!;
    assert.ok(run, "the run was created");
    assert.deepEqual(run.history, [], "every history line was lost");
    assert.equal(run.complete, false, "the completion was lost too");
    const fs = emu.state().requests.filter((q) => q.op === "file_stream");
    assert.ok(fs.length >= 1 && fs.every((q) => q.status === 500), "each post got a 500 and was not retried");
    assert.doesNotMatch(r.stdout + r.stderr, /500|file_stream|error/i, "and nothing was said about it");
  } finally {
    await emu.close();
  }
});
