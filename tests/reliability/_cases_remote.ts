// Remote model folders on loopback servers that never end, declare too much, hang, drip or hang up; model
// folders whose files come from different trainings; a sync to W&B (the loopback emulator) of a version whose
// stored file changed on disk.
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadModel } from "../../lib/models/mod.ts";
import { loadOnnxModel } from "../../lib/models/onnx_model.ts";
import { numFeaturesOf } from "../../lib/models/_features.ts";
import { buildLinearOnnx } from "../../lib/training/_onnx_export.ts";
import { finishRun, getArtifactVersion, initRun, logArtifact, syncRuns } from "../../lib/tracking/mod.ts";
import { ROOT } from "../_task_env.ts";
import { startEmulator } from "../wandb_emulator.ts";
import { type Case, type Outcome, rejects, withTemp } from "./_matrix.ts";

type Mode = "endless" | "large" | "hang" | "drip" | "hangup";

/** A loopback server (bounded lifetime and bodies) answering every path in `mode`. */
async function withServer(mode: Mode, fn: (base: string) => Promise<Outcome>): Promise<Outcome> {
  const life = new AbortController();
  const timer = setTimeout(() => life.abort(), 60_000);
  const release = Promise.withResolvers<void>();
  let requests = 0;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: life.signal, onListen() {} },
    async () => {
      if (++requests > 50) return new Response("too many", { status: 429 });
      if (mode === "hang") {
        await release.promise;
        return new Response("late", { status: 503 });
      }
      if (mode === "large") return new Response(new Uint8Array(3 * 1024 * 1024));
      let sent = 0;
      const limit = mode === "endless" ? 256 * 1024 * 1024 : mode === "drip" ? 600 : 10_000;
      return new Response(
        new ReadableStream<Uint8Array>({
          async pull(c) {
            if (life.signal.aborted || sent >= limit) return c.close();
            if (mode === "hangup" && sent >= 5000) return c.error(new Error("hang up"));
            if (mode === "drip") await new Promise((r) => setTimeout(r, 100));
            const n = mode === "drip" ? 1 : 64 * 1024;
            sent += n;
            c.enqueue(new Uint8Array(n).fill(0x61));
          },
        }),
        mode === "hangup" ? { headers: { "content-length": "100000" } } : undefined,
      );
    },
  );
  try {
    return await fn(`http://127.0.0.1:${server.addr.port}/m`);
  } finally {
    release.resolve();
    clearTimeout(timer);
    life.abort();
    await server.finished;
  }
}

async function mismatched(change: (dir: string) => Promise<void>, re: RegExp): Promise<Outcome> {
  return await withTemp(async (dir) => {
    for (const f of ["model.onnx", "features.json", "labels.json", "card.json"]) {
      await Deno.copyFile(join(ROOT, "models/default", f), join(dir, f));
    }
    await change(dir);
    return await rejects(() => loadOnnxModel(dir), re);
  });
}

async function hashBits(dir: string, delta: number): Promise<void> {
  const spec = JSON.parse(await Deno.readTextFile(join(dir, "features.json")));
  spec.hashBits += delta;
  await Deno.writeTextFile(join(dir, "features.json"), JSON.stringify(spec));
}

export const REMOTE_CASES: Case[] = [
  {
    group: "remote",
    name: "model URL with an endless body (maxBytes 1 MB)",
    expected: "cut off at the limit; says how to raise it",
    run: () =>
      withServer(
        "endless",
        (base) =>
          rejects(
            () => loadModel(base, { maxBytes: 1 << 20, timeoutMs: 20_000 }),
            /cut off at 1 MB.*maxBytes.*SENTILAB_DOWNLOAD_MAX_MB/,
          ),
      ),
  },
  {
    group: "remote",
    name: "model URL declaring 3 MB (Content-Length), limit 2 MB",
    expected: "refused before the body is read",
    run: () =>
      withServer(
        "large",
        (base) => rejects(() => loadModel(base, { maxBytes: 2 << 20 }), /declares 3 MB \(Content-Length\)/),
      ),
  },
  {
    group: "remote",
    name: "model URL that never answers (timeoutMs 300)",
    expected: "timeout naming timeoutMs / SENTILAB_DOWNLOAD_TIMEOUT_S",
    run: () =>
      withServer(
        "hang",
        (base) =>
          rejects(
            () => loadModel(base, { timeoutMs: 300 }),
            /no complete answer within 0\.3 s.*SENTILAB_DOWNLOAD_TIMEOUT_S/,
          ),
      ),
  },
  {
    group: "remote",
    name: "model URL dripping a byte per 100 ms (timeoutMs 500)",
    expected: "timeout over the whole body, not per read",
    run: () =>
      withServer(
        "drip",
        (base) => rejects(() => loadModel(base, { timeoutMs: 500 }), /no complete answer within 0\.5 s/),
      ),
  },
  {
    group: "remote",
    name: "model URL hanging up mid-body",
    expected: "a clear error naming the URL",
    run: () =>
      withServer(
        "hangup",
        (base) =>
          rejects(() => loadModel(base, { timeoutMs: 5000 }), /http:\/\/127\.0\.0\.1:\d+\/m\/[a-z.]+: /),
      ),
  },
  {
    group: "model files",
    name: "features.json hashBits - 1 against model.onnx",
    expected: "refused: features.json disagrees with model.onnx",
    run: () => mismatched((d) => hashBits(d, -1), /features\.json disagrees with model\.onnx/),
  },
  {
    group: "model files",
    name: "features.json hashBits + 1 against model.onnx",
    expected: "refused: features.json disagrees with model.onnx",
    run: () => mismatched((d) => hashBits(d, 1), /features\.json disagrees with model\.onnx/),
  },
  {
    group: "model files",
    name: "labels.json (3 labels) against a 2-class model.onnx",
    expected: "refused: labels.json disagrees with model.onnx",
    run: () =>
      mismatched(async (d) => {
        const f = numFeaturesOf(JSON.parse(await Deno.readTextFile(join(d, "features.json"))));
        const onnx = buildLinearOnnx({
          weight: new Float32Array(f * 2),
          bias: new Float32Array(2),
          numFeatures: f,
          numClasses: 2,
        });
        await Deno.writeFile(join(d, "model.onnx"), onnx);
      }, /labels\.json disagrees with model\.onnx/),
  },
  {
    group: "model files",
    name: "model.onnx truncated",
    expected: "refused: not a valid ONNX file, restore or retrain",
    run: () =>
      mismatched(async (d) => {
        const bytes = await Deno.readFile(join(d, "model.onnx"));
        await Deno.writeFile(join(d, "model.onnx"), bytes.subarray(0, 1000));
      }, /model\.onnx is not a valid ONNX file.*restore the folder/),
  },
  {
    group: "blobs",
    name: "blob changed on disk: sync to W&B (loopback emulator)",
    expected: "run failed naming data:v0 and a.txt; nothing altered sent",
    run: () =>
      withTemp(async (dir) => {
        const key = "k".repeat(40);
        const emu = await startEmulator({ apiKey: key, loud: false });
        try {
          await Deno.writeTextFile(`${dir}/a.txt`, "the right content\n");
          const run = await initRun({ dir: `${dir}/store`, tracker: "local", captureConsole: false });
          await logArtifact(run, { name: "data", type: "dataset", files: [`${dir}/a.txt`] });
          await finishRun(run);
          const digest =
            getArtifactVersion("data:v0", { dir: `${dir}/store` })!.manifest.contents["a.txt"].digest;
          const hex = Buffer.from(digest, "base64").toString("hex"); // files/ab/abcd... (_store.ts)
          const blob = `${dir}/store/files/${hex.slice(0, 2)}/${hex}`;
          chmodSync(blob, 0o644);
          writeFileSync(blob, "tampered!!!!!!!!!!\n");
          const report = await syncRuns({
            dir: `${dir}/store`,
            baseUrl: emu.url,
            apiKey: key,
            retry: { timeoutMs: 2000, maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10, deadlineMs: 5000 },
          });
          const r = report.runs[0];
          const tampered = createHash("md5").update("tampered!!!!!!!!!!\n").digest("base64");
          const sent = tampered in emu.state().blobs;
          return {
            observed: `${r.outcome}: ${r.reason ?? ""}${sent ? " (altered content uploaded)" : ""}`,
            pass: r.outcome === "failed" &&
              /data:v0: file 'a\.txt' was changed on disk/.test(r.reason ?? "") &&
              !sent,
          };
        } finally {
          await emu.close();
        }
      }),
  },
];
