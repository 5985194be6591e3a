// Model loading safety: remote downloads are capped (Content-Length first, then the streamed body) and
// bounded in time with messages naming real options; model folders whose files come from different
// trainings are refused naming the file that disagrees. Servers bind 127.0.0.1 only, with a bounded
// lifetime and bounded bodies.
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadModel } from "../lib/models/mod.ts";
import { loadOnnxModel } from "../lib/models/onnx_model.ts";
import { type FeatureSpec, numFeaturesOf } from "../lib/models/_features.ts";
import { buildLinearOnnx } from "../lib/training/_onnx_export.ts";
import { runChild } from "./_task_env.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const CHUNK = new Uint8Array(64 * 1024).fill(0x61);
/** The most an "endless" body sends (so a client without a cap still ends). */
const ENDLESS_CAP = 64 * 1024 * 1024;

type Mode = "endless" | "large" | "hang";

async function withServer(
  mode: Mode,
  fn: (base: string, requests: string[]) => Promise<void>,
): Promise<void> {
  const lifetime = new AbortController();
  const timer = setTimeout(() => lifetime.abort(), 30_000);
  const release = Promise.withResolvers<void>();
  const requests: string[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: lifetime.signal, onListen() {} },
    async (req) => {
      requests.push(new URL(req.url).pathname);
      if (requests.length > 50) return new Response("too many", { status: 429 });
      if (mode === "hang") {
        await release.promise;
        return new Response("late", { status: 503 });
      }
      if (mode === "large") return new Response(new Uint8Array(3 * 1024 * 1024));
      let sent = 0;
      return new Response(
        new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent >= ENDLESS_CAP || lifetime.signal.aborted) return controller.close();
            sent += CHUNK.length;
            controller.enqueue(CHUNK);
          },
        }),
      );
    },
  );
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`, requests);
  } finally {
    release.resolve();
    clearTimeout(timer);
    lifetime.abort();
    await server.finished;
  }
}

Deno.test("remote model: an endless body is cut off at the limit, with a message naming how to raise it", async () => {
  await withServer("endless", async (base) => {
    await assert.rejects(
      loadModel(`${base}/m`, { maxBytes: 1024 * 1024, timeoutMs: 10_000 }),
      (e: Error) => {
        assert.match(
          e.message,
          new RegExp(`${base}/m/[a-z.]+: the body was cut off at 1 MB, over the limit of 1 MB`),
        );
        assert.match(e.message, /maxBytes option of loadModel, or SENTILAB_DOWNLOAD_MAX_MB=<megabytes>/);
        return true;
      },
    );
  });
});

Deno.test("remote model: a Content-Length over the limit is refused before the body is read", async () => {
  await withServer("large", async (base) => {
    // The variable is read in a child: process-wide env set here would reach test files running in
    // parallel in this process (models_remote_test failed on this 2 MB limit in a full run).
    const script = await Deno.makeTempFile({ suffix: ".ts" });
    try {
      await Deno.writeTextFile(
        script,
        `import { loadModel } from ${
          JSON.stringify(new URL("../lib/models/mod.ts", import.meta.url).href)
        };\n` +
          `try { await loadModel(${
            JSON.stringify(`${base}/m`)
          }, { timeoutMs: 10_000 }); console.log("loaded"); }\n` +
          `catch (e) { console.log((e as Error).message); }\n`,
      );
      const r = await runChild([script], { SENTILAB_DOWNLOAD_MAX_MB: "2" });
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stdout,
        /the server declares 3 MB \(Content-Length\), over the limit of 2 MB for one remote file/,
      );
    } finally {
      await Deno.remove(script);
    }
  });
});

Deno.test("remote model: a hung server times out with a message naming the option and the variable", async () => {
  await withServer("hang", async (base) => {
    await assert.rejects(loadModel(`${base}/m`, { timeoutMs: 300 }), (e: Error) => {
      assert.match(e.message, /no complete answer within 0\.3 s/);
      assert.match(e.message, /timeoutMs option of loadModel, or SENTILAB_DOWNLOAD_TIMEOUT_S=<seconds>/);
      assert.doesNotMatch(e.message, /raise timeoutMs/);
      return true;
    });
  });
});

async function copyDefault(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "sentilab_mismatch_" });
  for (const f of ["model.onnx", "features.json", "labels.json", "card.json"]) {
    await Deno.copyFile(join(ROOT, "models/default", f), join(dir, f));
  }
  return dir;
}

for (const delta of [-1, 1]) {
  Deno.test(`features.json with hashBits ${delta > 0 ? "+1" : "-1"} against model.onnx is refused naming features.json`, async () => {
    const dir = await copyDefault();
    try {
      const spec = JSON.parse(await Deno.readTextFile(join(dir, "features.json")));
      spec.hashBits += delta;
      await Deno.writeTextFile(join(dir, "features.json"), JSON.stringify(spec));
      await assert.rejects(loadOnnxModel(dir), (e: Error) => {
        assert.match(e.message, /features\.json disagrees with model\.onnx/);
        assert.match(
          e.message,
          new RegExp(`describes ${numFeaturesOf(spec)} features \\(hashBits ${spec.hashBits}\\)`),
        );
        return true;
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("labels.json against a model.onnx with another number of outputs is refused naming labels.json", async () => {
  const dir = await copyDefault();
  try {
    const spec = JSON.parse(await Deno.readTextFile(join(dir, "features.json"))) as FeatureSpec;
    const f = numFeaturesOf(spec);
    await Deno.writeFile(
      join(dir, "model.onnx"),
      buildLinearOnnx({
        weight: new Float32Array(f * 2),
        bias: new Float32Array(2),
        numFeatures: f,
        numClasses: 2,
      }),
    );
    await assert.rejects(
      loadOnnxModel(dir),
      /labels\.json lists 3 labels but .*model\.onnx outputs 2 classes/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
