/**
 * Remote ONNX model folders: what happens when mod.ts is imported from a URL and `loadModel("default")`
 * reads `config/models.yaml` and `models/default` over HTTP. A snapshot of the project's models/default is
 * served on 127.0.0.1 (with a registry pointing at it) by a server with a bounded lifetime and request count.
 */
import assert from "node:assert/strict";
import { extname, join, normalize, resolve, sep } from "node:path";
import { loadModel } from "../lib/models/mod.ts";
import { datasetArtifactName } from "../lib/data/mod.ts";
import { finishRun, getRun, initRun, listArtifactVersions } from "../lib/tracking/mod.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const TEXTS = [
  "I love this, it is wonderful",
  "This is terrible, I hate it",
  "The meeting is at noon.",
  "",
  "😀 très bien",
];
const MAX_REQUESTS = 200;
const LIFETIME_MS = 60_000;

interface Site {
  /** Base URL of the served folder, without a trailing `/`. */
  base: string;
  /** The local copy that is served (`models/default` and `config/models.yaml` inside). */
  root: string;
  /** Requests seen, as `GET /path`. */
  requests: string[];
  /** Paths answered with this status instead of the file. */
  faults: Map<string, number>;
  /** Paths whose answer waits until the site closes (to exercise timeouts). */
  stalls: Set<string>;
}

/**
 * Copies models/default into a temp folder (a snapshot: another job may retrain the real one meanwhile),
 * writes a registry next to it, serves it on 127.0.0.1 and cleans everything up afterwards.
 */
async function withSite(fn: (site: Site) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "sentilab-remote-" });
  const modelDir = join(root, "site", "models", "default");
  await Deno.mkdir(modelDir, { recursive: true });
  for await (const entry of Deno.readDir(join(ROOT, "models", "default"))) {
    if (entry.isFile) {
      await Deno.copyFile(join(ROOT, "models", "default", entry.name), join(modelDir, entry.name));
    }
  }
  await Deno.mkdir(join(root, "site", "config"));
  await Deno.writeTextFile(
    join(root, "site", "config", "models.yaml"),
    "models:\n  default:\n    type: onnx\n    folder: ../models/default\n    labels: [negative, neutral, positive]\n" +
      "  words:\n    type: lexicon\n",
  );
  const siteRoot = join(root, "site");
  const requests: string[] = [];
  const faults = new Map<string, number>();
  const stalls = new Set<string>();
  const closing = Promise.withResolvers<void>();
  const lifetime = new AbortController();
  const timer = setTimeout(() => lifetime.abort(), LIFETIME_MS);
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: lifetime.signal, onListen() {} },
    async (req) => {
      const rel = normalize(decodeURIComponent(new URL(req.url).pathname)).replace(/^\/+/, "");
      requests.push(`${req.method} /${rel}`);
      if (requests.length > MAX_REQUESTS) return new Response("too many requests", { status: 429 });
      if (stalls.has(`/${rel}`)) {
        await closing.promise;
        return new Response("late", { status: 503 });
      }
      const fault = faults.get(`/${rel}`);
      if (fault) return new Response("fault", { status: fault });
      const path = resolve(siteRoot, rel);
      if (!path.startsWith(siteRoot + sep)) return new Response("outside", { status: 403 });
      try {
        return new Response(await Deno.readFile(path), {
          headers: {
            "content-type": extname(path) === ".json" ? "application/json" : "application/octet-stream",
          },
        });
      } catch {
        return new Response("not found", { status: 404 });
      }
    },
  );
  try {
    await fn({ base: `http://127.0.0.1:${server.addr.port}`, root: siteRoot, requests, faults, stalls });
  } finally {
    closing.resolve();
    clearTimeout(timer);
    await server.shutdown();
    await Deno.remove(root, { recursive: true });
  }
}

async function scores(
  model: { scoreBatch(t: readonly string[]): Promise<Float32Array[]> },
): Promise<number[][]> {
  return (await model.scoreBatch(TEXTS)).map((row) => [...row]);
}

Deno.test("remote model: loadModel(url) and loadModel(name, { registry: url }) score exactly as the local folder", async () => {
  await withSite(async ({ base, root, requests }) => {
    const localDir = join(root, "models", "default");
    const local = await loadModel(localDir);
    const byUrl = await loadModel(`${base}/models/default`);
    const byName = await loadModel("default", { registry: `${base}/config/models.yaml` });
    try {
      const want = await scores(local);
      assert.deepEqual(await scores(byUrl), want);
      assert.deepEqual(await scores(byName), want);
      assert.equal(byUrl.type, "onnx");
      assert.equal(byUrl.dir, `${base}/models/default`);
      assert.equal(byName.name, "default");
      assert.equal(byName.dir, `${base}/models/default`);
      assert.deepEqual(byName.labels, local.labels);
      assert.deepEqual(byName.card, local.card);
      assert.equal(byName.description, local.description);
      // Each remote load fetched the three required files and the optional card, nothing more.
      for (const f of ["model.onnx", "features.json", "labels.json", "card.json"]) {
        assert.equal(requests.filter((r) => r === `GET /models/default/${f}`).length, 2, f);
      }
      assert.ok(requests.includes("GET /config/models.yaml"));
      assert.ok(!requests.some((r) => r.endsWith("model_card.md")), "model_card.md is fetched only to log");
      // The lexicon entry of the same remote registry still loads.
      const words = await loadModel("words", { registry: `${base}/config/models.yaml` });
      assert.equal(words.type, "lexicon");
      await words.close();
    } finally {
      await local.close();
      await byUrl.close();
      await byName.close();
    }
  });
});

Deno.test("remote model: with a run, the remote folder is logged with the local folder's digest (one version)", async () => {
  await withSite(async ({ base, root }) => {
    const store = join(root, "..", "store");
    const run = await initRun({ dir: store, tracker: "local", project: "remote", strict: true });
    const models = [
      await loadModel(join(root, "models", "default"), { run }),
      await loadModel("default", { run, registry: `${base}/config/models.yaml` }),
      await loadModel(`${base}/models/default/`, { run }),
    ];
    for (const m of models) await m.close();
    await finishRun(run);
    const versions = listArtifactVersions("default", { dir: store });
    assert.equal(versions.length, 1, `one version, got ${versions.map((v) => v.digest).join(", ")}`);
    const local: string[] = [];
    for await (const e of Deno.readDir(join(root, "models", "default"))) local.push(e.name);
    assert.deepEqual(Object.keys(versions[0].manifest.contents).sort(), local.sort());
    assert.equal(versions[0].type, "model");
    assert.deepEqual(getRun(run.id, { dir: store })!.used.map((u) => u.ref), ["default:v0"]);
  });
});

Deno.test("remote model: an HTTP error or a timeout names the URL and the status; nothing is left open", async () => {
  await withSite(async ({ base, faults, stalls }) => {
    faults.set("/models/default/features.json", 404);
    await assert.rejects(
      loadModel(`${base}/models/default`),
      (e: Error) => {
        assert.ok(e.message.includes(`${base}/models/default/features.json`), e.message);
        assert.match(e.message, /feature spec .* is missing \(HTTP 404 Not Found\)/);
        assert.match(e.message, /serves a model folder written by deno task train/);
        return true;
      },
    );
    await assert.rejects(
      loadModel("default", { registry: `${base}/config/models.yaml` }),
      new RegExp(
        `${base}/config/models\\.yaml:2: model "default": .*${base}/models/default/features\\.json is missing \\(HTTP 404`,
      ),
    );
    faults.clear();
    faults.set("/models/default/model.onnx", 500);
    await assert.rejects(
      loadModel(`${base}/models/default`),
      new RegExp(`cannot fetch ${base}/models/default/model\\.onnx: HTTP 500 Internal Server Error`),
    );
    faults.clear();
    // A missing optional card is fine; a card answering an error status is not ignored.
    faults.set("/models/default/card.json", 404);
    const noCard = await loadModel(`${base}/models/default`);
    assert.equal(noCard.card, null);
    await noCard.close();
    faults.clear();
    faults.set("/config/models.yaml", 404);
    await assert.rejects(
      loadModel("default", { registry: `${base}/config/models.yaml` }),
      new RegExp(`${base}/config/models\\.yaml: cannot read the model registry: HTTP 404`),
    );
    faults.clear();
    stalls.add("/models/default/labels.json");
    await assert.rejects(
      loadModel(`${base}/models/default`, { timeoutMs: 300 }),
      new RegExp(`${base}/models/default/labels\\.json: no complete answer within 0\\.3 s`),
    );
  });
});

Deno.test("remote model: deno task evaluate --model URL evaluates it and records it as the same model artifact", async () => {
  await withSite(async ({ base, root }) => {
    const home = join(root, "..");
    const store = join(home, "store");
    const data = join(home, "data.csv");
    await Deno.writeTextFile(
      data,
      "text,label\nI love it,positive\nThis is awful,negative\nIt opens at nine,neutral\n",
    );
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const closed = `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`;
    listener.close();
    const env: Record<string, string> = {
      NO_COLOR: "1",
      SENTILAB_DIR: store,
      HOME: home,
      WANDB_BASE_URL: closed,
      // Deno's cache, so that the child with HOME moved to a temp dir still finds the npm packages.
      DENO_DIR: Deno.env.get("DENO_DIR") ??
        JSON.parse(new TextDecoder().decode(
          (await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] }).output()).stdout,
        )).denoDir,
    };
    if (Deno.env.get("PATH")) env.PATH = Deno.env.get("PATH")!;
    const task = async (model: string) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "tasks/evaluate.ts", "--model", model, "--data", data, "--json"],
        cwd: ROOT,
        env,
        clearEnv: true,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 0, stderr);
      return JSON.parse(new TextDecoder().decode(out.stdout));
    };
    const remote = await task(`${base}/models/default`);
    const local = await task(join(root, "models", "default"));
    assert.deepEqual(remote.run.inputs, [`dataset ${datasetArtifactName(data)}:v0`, "model default:v0"]);
    assert.deepEqual(local.run.inputs, remote.run.inputs);
    assert.deepEqual(remote.metrics, local.metrics);
    assert.equal(listArtifactVersions("default", { dir: store }).length, 1);
  });
});
