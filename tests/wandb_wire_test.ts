/**
 * What sentilab puts on the wire matches what W&B's own SDK puts there (wandb/wandb, read for each rule):
 * the retry policy, the artifact save flow (FULL manifest through CreateArtifactManifest, clientID /
 * sequenceClientID), download URLs by file name, `uploaded` after run files, heartbeats on a quiet live run,
 * and a line over the server's cap refused locally with one warning naming its key.
 * @module
 */
import assert from "node:assert/strict";
import {
  createWandbClient,
  downloadWandbArtifact,
  getWandbArtifact,
  resolveWandbSettings,
  type RetryEvent,
  saveWandbArtifact,
  sendWandbFileStream,
  upsertWandbRun,
} from "../lib/tracking/wandb/mod.ts";
import { finishRun, initRun, logMetrics, logTable, setSummary, syncRuns } from "../lib/tracking/mod.ts";
import { startEmulator } from "./wandb_emulator.ts";

const KEY = "w".repeat(20) + "sEcReT" + "z".repeat(14);
const FAST = { timeoutMs: 2000, maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 10, deadlineMs: 10_000 };

Deno.test("retries follow the SDK's policy: final 4xx, other 4xx/5xx retried, Retry-After as seconds or a date", async () => {
  const emu = await startEmulator({ apiKey: KEY, loud: false });
  try {
    const events: RetryEvent[] = [];
    const client = createWandbClient(resolveWandbSettings({ apiKey: KEY, baseUrl: emu.url }), {
      retry: FAST,
      onRetry: (e) => events.push(e),
    });
    const run = await upsertWandbRun(client, { id: "retry1", entity: "emu-user", project: "p" });
    const viewer = () => client.graphql("Viewer", "query Viewer { viewer { entity } }", {});
    // final: 400, 401 (auth), 403, 404, 409, 410, 413, 422, 501 (clients/retry_policy.go)
    for (const status of [400, 404, 409, 410, 413, 422, 501]) {
      emu.inject("Viewer", { status });
      await assert.rejects(viewer(), (e: Error & { status?: number }) => e.status === status);
    }
    assert.equal(events.length, 0, "no retry of a final status");
    // retried: 408, 425, 429, 500, 503 ...
    for (const status of [408, 425, 429, 500, 503]) {
      emu.inject("Viewer", { status });
      await viewer();
    }
    assert.deepEqual(events.map((e) => e.status), [408, 425, 429, 500, 503]);
    // UpsertBucket retries a 409 (UpsertBucketRetryPolicy)
    emu.inject("UpsertBucket", { status: 409 });
    await upsertWandbRun(client, { id: run.id, entity: "emu-user", project: "p" });
    assert.equal(events.at(-1)!.status, 409);
    // Retry-After as seconds and as an HTTP date
    emu.inject("Viewer", { status: 503, retryAfter: "1" });
    await viewer();
    assert.equal(events.at(-1)!.delayMs, 1000);
    emu.inject("Viewer", { status: 503, retryAfter: new Date(Date.now() + 2000).toUTCString() });
    await viewer();
    const d = events.at(-1)!.delayMs;
    assert.ok(d > 0 && d <= 2000, `an HTTP-date Retry-After gives the time until then (${d} ms)`);
  } finally {
    await emu.close();
  }
});

Deno.test("artifact save: the real SDK's flow, clientIDs, only uploadHeaders, downloads by file name", async () => {
  const emu = await startEmulator({ apiKey: KEY, loud: false });
  const dir = await Deno.makeTempDir({ prefix: "sentilab_wire_" });
  try {
    const client = createWandbClient(resolveWandbSettings({ apiKey: KEY, baseUrl: emu.url }), {
      retry: FAST,
    });
    const run = await upsertWandbRun(client, { id: "wire1", entity: "emu-user", project: "p" });
    const files = [
      { name: "dir/sub/a.txt", data: "nested" },
      { name: "\u{1F600}.txt", data: "smile" },
      { name: "\uFF5E.txt", data: "tilde" },
    ];
    const v0 = await saveWandbArtifact(client, run, { name: "wire", type: "dataset", files });
    const v1 = await saveWandbArtifact(client, run, {
      name: "wire",
      type: "dataset",
      files: [...files, { name: "b.txt", data: "b" }],
    });
    assert.deepEqual([v0.versionIndex, v1.versionIndex], [0, 1]);
    const s = emu.state();
    // two CreateArtifactManifest per new version (the first without digest, the FULL one with it), no Update
    assert.equal(s.counts.CreateArtifactManifest, 4);
    assert.equal(s.counts.UpdateArtifactManifest, undefined);
    const a0 = s.artifacts[v0.id], a1 = s.artifacts[v1.id];
    for (const a of [a0, a1]) {
      assert.match(a.clientId ?? "", /^[a-z0-9]{128}$/);
      assert.match(a.sequenceClientId ?? "", /^[a-z0-9]{128}$/);
    }
    assert.notEqual(a0.clientId, a1.clientId);
    // a nested file downloads by the SDK's URL (file name only)
    const got = await getWandbArtifact(client, "wire:v1", { entity: "emu-user", project: "p" });
    assert.ok(got);
    await downloadWandbArtifact(client, got, `${dir}/out`);
    assert.equal(await Deno.readTextFile(`${dir}/out/dir/sub/a.txt`), "nested");
    assert.equal(await Deno.readTextFile(`${dir}/out/\u{1F600}.txt`), "smile");
    const gets = emu.state().requests.filter((r) => r.op === "artifact_file_get").map((r) => r.path);
    assert.ok(gets.some((p) => p.endsWith("/a.txt") && !p.includes("/dir/")), gets.join("\n"));
    assert.deepEqual(emu.state().invalid, []);
  } finally {
    await emu.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("download URLs name the file as the SDK's requests/urllib3 put it on the wire, and keep #, ? and %", async () => {
  const emu = await startEmulator({ apiKey: KEY, loud: false });
  const dir = await Deno.makeTempDir({ prefix: "sentilab_wire_" });
  try {
    const client = createWandbClient(resolveWandbSettings({ apiKey: KEY, baseUrl: emu.url }), {
      retry: FAST,
    });
    const run = await upsertWandbRun(client, { id: "wire2", entity: "emu-user", project: "p" });
    // The SDK's `_file_url` puts `entry.path.name` in raw (wandb/sdk/artifacts/storage_policies/
    // wandb_storage_policy.py); urllib3's parse_url percent-encodes what is not a path character
    // (src/urllib3/util/url.py `_encode_invalid_chars`, `_PATH_CHARS`) and requests' requote_uri leaves the
    // rest (src/requests/utils.py). The wire form of each name, where the SDK keeps the name whole:
    const names: [string, string][] = [
      ["a b$&+,;=:@[x]~!'()*.txt", "a%20b$&+,;=:@%5Bx%5D~!'()*.txt"],
      ["\u00e9t\u00e9 \u{1F600}.txt", "%C3%A9t%C3%A9%20%F0%9F%98%80.txt"],
      ["100%.txt", "100%25.txt"],
      // where the SDK loses part of the name (a fragment, a query, an escape), ours keeps it
      ["x#y?.txt", "x%23y%3F.txt"],
      ["%41.txt", "%2541.txt"],
    ];
    const files = names.map(([name], i) => ({ name: `sub/${name}`, data: `file ${i}` }));
    await saveWandbArtifact(client, run, { name: "names", type: "dataset", files });
    const got = await getWandbArtifact(client, "names:v0", { entity: "emu-user", project: "p" });
    assert.ok(got);
    await downloadWandbArtifact(client, got, `${dir}/out`);
    for (const [i, [name]] of names.entries()) {
      assert.equal(await Deno.readTextFile(`${dir}/out/sub/${name}`), `file ${i}`, name);
    }
    const gets = emu.state().requests.filter((r) => r.op === "artifact_file_get").map((r) =>
      r.path.slice(r.path.lastIndexOf("/") + 1)
    );
    assert.deepEqual(gets.sort(), names.map(([, wire]) => wire).sort());
    assert.deepEqual(emu.state().errors, []);
  } finally {
    await emu.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sync: `uploaded` after run files; a line over W&B's cap is not sent, one warning names its key", async () => {
  const emu = await startEmulator({ apiKey: KEY, loud: false });
  const dir = await Deno.makeTempDir({ prefix: "sentilab_wire_" });
  try {
    const run = await initRun({ dir, tracker: "local", project: "cap", captureConsole: false });
    logMetrics(run, { loss: 0.5 });
    logMetrics(run, { loss: 0.3 });
    await logTable(run, "preds", { columns: ["text", "pred"], rows: [["good", "positive"]] });
    // 12 values under the 1 MB limit of one value: a summary line of ~11 MB, over W&B's cap
    const big: Record<string, string> = { blob: "x".repeat(950_000) };
    for (let i = 0; i < 11; i++) big[`part${i}`] = "y".repeat(900_000);
    setSummary(run, { ...big, accuracy: 0.9 });
    await finishRun(run);
    const report = await syncRuns({ dir, retry: FAST, baseUrl: emu.url, apiKey: KEY });
    assert.equal(report.runs[0].outcome, "synced", String(report.runs[0].reason));
    const skipped = report.runs[0].skippedForGood;
    assert.equal(skipped.length, 1);
    assert.match(
      skipped[0],
      /the summary is \d+ bytes, over W&B's 10383360-byte line cap \(largest key 'blob'\)/,
    );
    const remote = emu.state().runs[`emu-user/cap/${run.id}`];
    assert.deepEqual(remote.history.map((h) => h?.loss ?? null).filter((x) => x !== null), [0.5, 0.3]);
    assert.deepEqual(remote.summary, {}, "the summary over the cap is not sent");
    assert.equal(remote.complete, true, "the exit is not held up");
    assert.deepEqual(remote.uploaded.slice(0, 2), ["config.yaml", "wandb-metadata.json"]);
    assert.ok(remote.uploaded.some((f) => /^media\/table\/preds_\d+_[0-9a-f]{20}\.table\.json$/.test(f)));
    assert.deepEqual(emu.state().invalid, []);
    // the skipped line holds nothing up: a second sync sends nothing
    const before = emu.state().counts.file_stream;
    const again = await syncRuns({ dir, retry: FAST, baseUrl: emu.url, apiKey: KEY });
    assert.equal(again.runs[0].outcome, "up-to-date");
    assert.equal(emu.state().counts.file_stream, before);
  } finally {
    await emu.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a quiet live run gets heartbeats on file_stream", async () => {
  const emu = await startEmulator({ apiKey: KEY, loud: false });
  const dir = await Deno.makeTempDir({ prefix: "sentilab_wire_" });
  try {
    const run = await initRun({
      dir,
      tracker: "wandb",
      project: "beat",
      captureConsole: false,
      wandb: { intervalMs: 20, heartbeatMs: 150, baseUrl: emu.url, apiKey: KEY },
    });
    logMetrics(run, { loss: 1 });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && (emu.state().runs[`emu-user/beat/${run.id}`]?.heartbeats ?? 0) < 2) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(emu.state().runs[`emu-user/beat/${run.id}`].heartbeats >= 2, "heartbeats while quiet");
    await finishRun(run);
    assert.equal(emu.state().runs[`emu-user/beat/${run.id}`].complete, true);
  } finally {
    await emu.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("file_stream: a history line over the cap is dropped and reported; the lines after it take its offset", async () => {
  const emu = await startEmulator({ apiKey: KEY, loud: false });
  try {
    const client = createWandbClient(resolveWandbSettings({ apiKey: KEY, baseUrl: emu.url }), {
      retry: FAST,
    });
    const run = await upsertWandbRun(client, { id: "cap2", entity: "emu-user", project: "p" });
    const res = await sendWandbFileStream(client, run, {
      history: {
        offset: 0,
        rows: [{ a: 1, _step: 0 }, { a: 2, big: [1, 2, 3, 4, 5, 6, 7, 8], _step: 1 }, { a: 3, _step: 2 }],
      },
    }, { maxLineBytes: 40 });
    assert.deepEqual(res.dropped, [{ what: "history", index: 1, key: "big", bytes: 41 }]);
    assert.equal(res.historyEnd, 2);
    assert.deepEqual(emu.state().runs["emu-user/p/cap2"].history.map((h) => h?.a), [1, 3]);
  } finally {
    await emu.close();
  }
});
