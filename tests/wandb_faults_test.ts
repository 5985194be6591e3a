/**
 * Our W&B client when the server misbehaves: 500 storms, 429 with RateLimit-Reset, connection refused,
 * a server that dies and comes back, hung and dropped requests, malformed JSON, GraphQL errors, a storage
 * URL that rejects the PUT, a corrupt download, and the API key never leaking into anything printed or
 * thrown. Every loop is bounded (attempts and deadline); backoffs are milliseconds.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  connectWandb,
  downloadWandbArtifact,
  getWandbArtifact,
  logWandbTable,
  type RetryEvent,
  saveWandbArtifact,
  sendWandbFileStream,
  uploadWandbRunFiles,
  upsertWandbRun,
  type WandbClient,
  WandbError,
} from "../lib/tracking/wandb/mod.ts";
import { type Emulator, startEmulator } from "./wandb_emulator.ts";

const KEY = "f".repeat(30) + "SECRETkey9";
const FAST = { timeoutMs: 1000, maxAttempts: 6, baseDelayMs: 5, maxDelayMs: 20, deadlineMs: 10_000 };

interface Ctx {
  emu: Emulator;
  client: WandbClient;
  entity: string;
  retries: RetryEvent[];
}

async function withEmulator(fn: (ctx: Ctx) => Promise<void>, retry = FAST) {
  const emu = await startEmulator({ apiKey: KEY, loud: false });
  const retries: RetryEvent[] = [];
  try {
    const { client, entity } = await connectWandb({
      env: { WANDB_API_KEY: KEY, WANDB_BASE_URL: emu.url },
      retry,
      onRetry: (e) => retries.push(e),
    });
    await fn({ emu, client, entity, retries });
  } finally {
    await emu.close();
  }
}

const isKind = (kind: string) => (e: unknown) => e instanceof WandbError && e.kind === kind;

Deno.test("a storm of 500s on UpsertBucket is retried with backoff, then the run exists once", async () => {
  await withEmulator(async ({ emu, client, entity, retries }) => {
    emu.inject("UpsertBucket", { status: 500, times: 4 });
    const run = await upsertWandbRun(client, { id: "storm", entity, project: "p", tags: ["t"] });
    assert.equal(run.id, "storm");
    assert.equal(emu.state().counts.UpsertBucket, 5);
    assert.equal(retries.length, 4);
    assert.ok(retries.every((r) => r.status === 500 && r.op === "UpsertBucket" && r.delayMs <= 20));
    assert.deepEqual(retries.map((r) => r.attempt), [1, 2, 3, 4]);
    assert.equal(Object.keys(emu.state().runs).length, 1);
  });
});

Deno.test("an endless 500 storm gives up within the attempt budget with a transient error", async () => {
  await withEmulator(async ({ emu, client, entity }) => {
    emu.inject("UpsertBucket", { status: 503, times: Infinity });
    await assert.rejects(upsertWandbRun(client, { id: "never", entity, project: "p" }), (e: unknown) => {
      assert.ok(e instanceof WandbError);
      assert.equal(e.kind, "http");
      assert.equal(e.status, 503);
      assert.equal(e.transient, true);
      assert.match(e.message, /HTTP 503.*gave up after .* s/);
      return true;
    });
    assert.equal(emu.state().counts.UpsertBucket, FAST.maxAttempts);
  });
});

Deno.test("a deadline shorter than the backoff stops the retries early", async () => {
  await withEmulator(async ({ emu, client, entity }) => {
    emu.inject("UpsertBucket", { status: 500, times: Infinity });
    await assert.rejects(
      upsertWandbRun(client, { id: "dl", entity, project: "p" }, {
        retry: { maxAttempts: 50, baseDelayMs: 100, maxDelayMs: 100, deadlineMs: 250 },
      }),
      /gave up/,
    );
    // Each backoff is 50..100 ms (half jitter of 100 ms) and no retry is started that would end past the
    // 250 ms deadline, so at most 1 + 4 attempts fit even when every delay draws its 50 ms minimum;
    // without the deadline all 50 attempts would be sent.
    assert.ok(emu.state().counts.UpsertBucket <= 5, `sent ${emu.state().counts.UpsertBucket}`);
  });
});

Deno.test("429 with RateLimit-Reset is honoured, and history lands once", async () => {
  await withEmulator(async ({ emu, client, entity, retries }) => {
    const run = await upsertWandbRun(client, { id: "rl", entity, project: "p" });
    emu.inject("file_stream", { status: 429, rateLimitReset: 1 });
    emu.inject("file_stream", { status: 429, retryAfter: "0" });
    await sendWandbFileStream(client, run, { history: { offset: 0, rows: [{ a: 1, _step: 0 }] } });
    assert.deepEqual(retries.map((r) => [r.status, r.delayMs]), [[429, 1000], [429, 0]]);
    const s = emu.state().runs[`${entity}/p/rl`];
    assert.deepEqual(s.history, [{ a: 1, _step: 0 }]);
    assert.deepEqual(s.historyWrites, [1]);
  });
});

Deno.test("connection refused at start: a network error naming the host, bounded attempts", async () => {
  const emu = await startEmulator({ apiKey: KEY, loud: false });
  const url = emu.url;
  await emu.close();
  const retries: RetryEvent[] = [];
  await assert.rejects(
    connectWandb({
      env: { WANDB_API_KEY: KEY, WANDB_BASE_URL: url },
      retry: FAST,
      onRetry: (e) => retries.push(e),
    }),
    (e: unknown) => {
      assert.ok(isKind("network")(e), String(e));
      assert.match((e as Error).message, new RegExp(`Cannot reach W&B at ${url.replaceAll(".", "\\.")}`));
      return true;
    },
  );
  assert.equal(retries.length, FAST.maxAttempts - 1, "bounded by maxAttempts");
});

Deno.test("the server dying mid-run and coming back: the retried post lands once", async () => {
  await withEmulator(async ({ emu, client, entity, retries }) => {
    const run = await upsertWandbRun(client, { id: "die", entity, project: "p" });
    await sendWandbFileStream(client, run, { history: { offset: 0, rows: [{ x: 0, _step: 0 }] } });
    await emu.down();
    const sending = sendWandbFileStream(client, run, { history: { offset: 1, rows: [{ x: 1, _step: 1 }] } }, {
      retry: { maxAttempts: 200, baseDelayMs: 10, maxDelayMs: 10, deadlineMs: 10_000 },
    });
    while (retries.length < 2) await new Promise((r) => setTimeout(r, 5));
    await emu.up();
    await sending;
    const s = emu.state().runs[`${entity}/p/die`];
    assert.deepEqual(s.history, [{ x: 0, _step: 0 }, { x: 1, _step: 1 }]);
    assert.deepEqual(s.historyWrites, [1, 1]);
    assert.ok(retries.every((r) => /Cannot reach W&B/.test(r.reason)));
  });
});

Deno.test("an abort signal (a bounded flush at exit) cancels a request and its retries at once", async () => {
  await withEmulator(async ({ emu, client, entity }) => {
    const run = await upsertWandbRun(client, { id: "abort", entity, project: "p" });
    emu.inject("file_stream", { hang: true, times: Infinity });
    const flush = AbortSignal.timeout(100);
    await assert.rejects(
      sendWandbFileStream(client, run, { summary: { a: 1 } }, {
        signal: flush,
        retry: { timeoutMs: 60_000 },
      }),
      (e: unknown) => e instanceof WandbError && e.transient && /'file_stream' was cancelled/.test(e.message),
    );
    assert.equal(emu.state().counts.file_stream, 1);
  });
});

Deno.test("a hung request times out and is retried", async () => {
  await withEmulator(async ({ emu, client, entity, retries }) => {
    const run = await upsertWandbRun(client, { id: "hang", entity, project: "p" });
    emu.inject("file_stream", { hang: true });
    await sendWandbFileStream(client, run, { summary: { a: 1 } }, { retry: { timeoutMs: 150 } });
    assert.equal(retries.length, 1);
    assert.match(retries[0].reason, /did not answer 'file_stream' within 150 ms/);
    assert.deepEqual(emu.state().runs[`${entity}/p/hang`].summary, { a: 1 });
  });
});

Deno.test("a dropped connection is retried; the artifact is committed once", async () => {
  await withEmulator(async ({ emu, client, entity, retries }) => {
    const run = await upsertWandbRun(client, { id: "drop", entity, project: "p" });
    emu.inject("CommitArtifact", { drop: true });
    emu.inject("CreateArtifactFiles", { drop: true });
    const saved = await saveWandbArtifact(client, run, {
      name: "d",
      type: "dataset",
      files: [{ name: "a", data: "a" }],
    });
    assert.equal(saved.versionIndex, 0);
    assert.equal(retries.length, 2);
    const s = emu.state();
    assert.equal(s.counts.CommitArtifact, 2);
    assert.deepEqual(s.collections[`${entity}/p/d`].ids, [saved.id]);
  });
});

Deno.test("file transfers retry only 429 and 5xx; GraphQL retries every 4xx but the final ones", async () => {
  await withEmulator(async ({ emu, client, entity, retries }) => {
    // GraphQL: RetryMostFailures (core/internal/clients/retry_policy.go) retries a 408
    emu.inject("UpsertBucket", { status: 408 });
    const run = await upsertWandbRun(client, { id: "ft", entity, project: "p" });
    assert.equal(emu.state().counts.UpsertBucket, 2);
    // storage PUTs: FileTransferRetryPolicy (core/internal/filetransfer/file_transfer_retry_policy.go) is
    // retryablehttp's base policy: a 408 or 412 from the upload URL is final, a 503 is retried
    for (const status of [408, 412]) {
      emu.inject("storage_put", { status });
      await assert.rejects(
        uploadWandbRunFiles(client, run, [{ name: "config.yaml", data: `s: ${status}` }]),
        new RegExp(`run file 'config.yaml'.*HTTP ${status}`),
      );
    }
    assert.equal(emu.state().counts.storage_put, 2);
    emu.inject("storage_put", { status: 503 });
    await uploadWandbRunFiles(client, run, [{ name: "config.yaml", data: "s: 503" }]);
    assert.equal(emu.state().counts.storage_put, 4);
    assert.deepEqual(retries.map((r) => [r.op, r.status]), [["UpsertBucket", 408], ["upload", 503]]);
  });
});

Deno.test("malformed JSON from the server is a clear protocol error, not retried", async () => {
  await withEmulator(async ({ emu, client, entity }) => {
    emu.inject("UpsertBucket", { body: "<html><body>Sign in</body></html>" });
    await assert.rejects(upsertWandbRun(client, { id: "mj", entity, project: "p" }), (e: unknown) => {
      assert.ok(isKind("protocol")(e));
      assert.match((e as Error).message, /'UpsertBucket'.*not JSON.*<html><body>Sign in.*WANDB_BASE_URL/);
      return true;
    });
    assert.equal(emu.state().counts.UpsertBucket, 1);
  });
});

Deno.test("GraphQL errors are surfaced with the operation and the server's message", async () => {
  await withEmulator(async ({ emu, client, entity }) => {
    emu.inject("UpsertBucket", { graphqlErrors: ["permission denied for project p", "second"] });
    await assert.rejects(
      upsertWandbRun(client, { id: "ge", entity, project: "p" }),
      (e: unknown) =>
        isKind("graphql")(e) &&
        (e as Error).message === "W&B rejected 'UpsertBucket': permission denied for project p; second",
    );
    // a real resolver error: using an artifact id that does not exist
    const run = await upsertWandbRun(client, { id: "ge", entity, project: "p" });
    const { useWandbArtifact } = await import("../lib/tracking/wandb/mod.ts");
    await assert.rejects(
      useWandbArtifact(client, run, "QXJ0aWZhY3Q6OTk5"),
      /W&B rejected 'UseArtifact': .*not found/,
    );
  });
});

Deno.test("an upload URL that rejects the PUT: a clear upload error naming the file, no commit", async () => {
  await withEmulator(async ({ emu, client, entity }) => {
    const run = await upsertWandbRun(client, { id: "up", entity, project: "p" });
    emu.inject("storage_put", { status: 403, body: "<Error>SignatureDoesNotMatch</Error>" });
    await assert.rejects(
      saveWandbArtifact(client, run, {
        name: "m",
        type: "model",
        files: [{ name: "model.onnx", data: "onnx" }],
      }),
      (e: unknown) => {
        assert.ok(isKind("upload")(e), String(e));
        assert.match((e as Error).message, /'model.onnx' of artifact 'm'.*HTTP 403.*SignatureDoesNotMatch/);
        return true;
      },
    );
    assert.equal(emu.state().counts.CommitArtifact, undefined);
    emu.inject("storage_put", { status: 400 });
    await assert.rejects(
      uploadWandbRunFiles(client, run, [{ name: "config.yaml", data: "a: 1" }]),
      /run file 'config.yaml'/,
    );
    // the next attempt (e.g. by sync) succeeds and creates v0
    const saved = await saveWandbArtifact(client, run, {
      name: "m",
      type: "model",
      files: [{ name: "model.onnx", data: "onnx" }],
    });
    assert.equal(saved.versionIndex, 0);
  });
});

Deno.test("a corrupt download fails the digest check and leaves no file", async () => {
  await withEmulator(async ({ emu, client, entity }) => {
    const run = await upsertWandbRun(client, { id: "dg", entity, project: "p" });
    await saveWandbArtifact(client, run, {
      name: "ds",
      type: "dataset",
      files: [{ name: "data.jsonl", data: '{"a":1}\n' }],
    });
    const a = await getWandbArtifact(client, "ds:latest", { entity, project: "p" });
    assert.ok(a);
    const dir = await Deno.makeTempDir();
    try {
      emu.inject("artifact_file_get", { body: '{"a":2}\n' });
      await assert.rejects(downloadWandbArtifact(client, a, dir), (e: unknown) => {
        assert.ok(isKind("digest")(e));
        assert.match(
          (e as Error).message,
          /'data.jsonl' of artifact 'ds:v0' has MD5 .* but its manifest says/,
        );
        return true;
      });
      assert.deepEqual([...Deno.readDirSync(dir)], []);
      assert.deepEqual(await downloadWandbArtifact(client, a, dir), ["data.jsonl"]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("the API key never appears in anything printed, thrown, retried or stored", async () => {
  const printed: string[] = [];
  const originals = { ...console };
  for (const m of ["log", "warn", "error", "info", "debug"] as const) {
    console[m] = (...args: unknown[]) =>
      printed.push(args.map((a) => Deno.inspect(a, { depth: 10 })).join(" "));
  }
  const thrown: unknown[] = [];
  const catching = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      thrown.push(e);
    }
  };
  let stateDump = "";
  let retriesSeen: RetryEvent[] = [];
  const dir = await Deno.makeTempDir();
  try {
    await withEmulator(async ({ emu, client, entity, retries }) => {
      retriesSeen = retries;
      console.log(client, client.settings);
      const run = await upsertWandbRun(client, {
        id: "leak",
        entity,
        project: "p",
        config: { a: 1 },
        notes: "n",
      });
      await sendWandbFileStream(client, run, {
        history: { offset: 0, rows: [{ a: 1, _step: 0 }] },
        summary: { a: 1 },
      });
      const { value } = await logWandbTable(client, run, "t", { columns: ["c"], rows: [[1]] }, { step: 0 });
      await sendWandbFileStream(client, run, {
        history: { offset: 1, rows: [{ t: value, _step: 1 }] },
        exitCode: 0,
      });
      const saved = await saveWandbArtifact(client, run, {
        name: "x",
        type: "model",
        files: [{ name: "f", data: "f" }],
      });
      emu.inject("UpsertBucket", {
        status: 400,
        body: `bad request from key ${KEY} / ${btoa(`api:${KEY}`)}`,
      });
      await catching(upsertWandbRun(client, { id: "leak", entity, project: "p" }));
      emu.inject("UpsertBucket", { status: 500, times: 2, body: `echo ${KEY}` });
      await catching(upsertWandbRun(client, { id: "leak", entity, project: "p" }));
      emu.inject("UpsertBucket", { graphqlErrors: [`invalid key ${KEY}`] });
      await catching(upsertWandbRun(client, { id: "leak", entity, project: "p" }));
      emu.inject("UpsertBucket", { body: `not json ${KEY}` });
      await catching(upsertWandbRun(client, { id: "leak", entity, project: "p" }));
      emu.inject("storage_put", { status: 403, body: KEY });
      await catching(
        saveWandbArtifact(client, run, { name: "y", type: "model", files: [{ name: "g", data: "g" }] }),
      );
      emu.inject("artifact_file_get", { body: KEY });
      const a = await getWandbArtifact(client, "x:latest", { entity, project: "p" });
      await catching(downloadWandbArtifact(client, a!, dir));
      await downloadWandbArtifact(client, a!, dir);
      assert.equal(saved.versionIndex, 0);
      stateDump = JSON.stringify(emu.state());
      const viaHttp = await fetch(`${emu.url}/__emu/state`).then((r) => r.text());
      stateDump += viaHttp;
    });
    await emu404(thrown);
  } finally {
    Object.assign(console, originals);
  }
  const files: string[] = [];
  for await (const f of Deno.readDir(dir)) files.push(await Deno.readTextFile(join(dir, f.name)));
  await Deno.remove(dir, { recursive: true });
  assert.ok(thrown.length >= 6, `expected the injected failures to throw, got ${thrown.length}`);
  assert.ok(retriesSeen.length >= 1);
  const everything = [
    ...printed,
    ...thrown.flatMap((
      e,
    ) => [String(e), (e as Error).stack ?? "", Deno.inspect(e, { depth: 10 }), JSON.stringify(e)]),
    JSON.stringify(retriesSeen),
    stateDump,
    ...files,
  ].join("\n");
  for (const secret of [KEY, btoa(`api:${KEY}`), "SECRETkey9"]) {
    assert.ok(
      !everything.includes(secret),
      `leaked ${secret.slice(0, 4)}...: ${
        everything.slice(everything.indexOf(secret) - 200, everything.indexOf(secret) + 50)
      }`,
    );
  }
  assert.ok(everything.includes("***"), "the echoed key was redacted, not dropped silently");
});

/** A refused key also must not leak: the emulator answers 401. */
async function emu404(thrown: unknown[]) {
  const emu = await startEmulator({ apiKey: "another-key", loud: false });
  try {
    await connectWandb({ env: { WANDB_API_KEY: KEY, WANDB_BASE_URL: emu.url }, retry: FAST });
  } catch (e) {
    thrown.push(e);
  } finally {
    await emu.close();
  }
}
