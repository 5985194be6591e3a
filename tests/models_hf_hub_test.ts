// hf:OWNER/NAME[@REVISION] against a loopback Hub (tests/hub_server.ts): the Hugging Face cache layout,
// offline use, redirects, 404, 401 and tokens, a hung server, resumed and damaged downloads, and
// deno task evaluate recording the model's repository, revision and file digests.
import assert from "node:assert/strict";
import { ROOT, runTask } from "./_task_env.ts";
import { join } from "node:path";
import { loadModel } from "../lib/models/mod.ts";
import { getRun, listArtifactVersions } from "../lib/tracking/mod.ts";
import { writeTinyHfModel } from "./hf_fixtures.ts";
import { type FakeRepo, startFakeHub } from "./hub_server.ts";

const ENV = ["HF_ENDPOINT", "HF_HOME", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_TOKEN", "HF_HUB_OFFLINE"];

/** The files of a tiny Optimum export (ONNX at onnx/model_quantized.onnx), as the Hub would hold them. */
async function tinyRepoFiles(): Promise<Record<string, Uint8Array>> {
  const dir = await Deno.makeTempDir({ prefix: "sentilab-hub-src-" });
  try {
    await writeTinyHfModel(dir, {
      tokenizer: "wordpiece",
      id2label: { 0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2" },
      layout: "onnx",
    });
    const files: Record<string, Uint8Array> = {};
    for (
      const f of [
        "config.json",
        "tokenizer.json",
        "tokenizer_config.json",
        "README.md",
        "onnx/model_quantized.onnx",
      ]
    ) {
      files[f] = await Deno.readFile(join(dir, f));
    }
    return files;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function withHub(
  repos: Record<string, FakeRepo>,
  options: Parameters<typeof startFakeHub>[1],
  fn: (ctx: { hub: ReturnType<typeof startFakeHub>; home: string }) => Promise<void>,
): Promise<void> {
  const saved = Object.fromEntries(ENV.map((k) => [k, Deno.env.get(k)]));
  const home = await Deno.makeTempDir({ prefix: "sentilab-hf-home-" });
  const hub = startFakeHub(repos, options);
  try {
    for (const k of ENV) Deno.env.delete(k);
    Deno.env.set("HF_ENDPOINT", hub.url);
    Deno.env.set("HF_HOME", home);
    await fn({ hub, home });
  } finally {
    await hub.close();
    for (const [k, v] of Object.entries(saved)) v === undefined ? Deno.env.delete(k) : Deno.env.set(k, v);
    await Deno.remove(home, { recursive: true });
  }
}

async function label(model: Awaited<ReturnType<typeof loadModel>>, text: string): Promise<string> {
  const [row] = await model.scoreBatch([text]);
  return model.labels[row.indexOf(Math.max(...row))];
}

Deno.test("hf:OWNER/NAME downloads into the Hugging Face cache layout, then works offline", async () => {
  const files = await tinyRepoFiles();
  await withHub({ "acme/tiny-bert": { files } }, {}, async ({ hub, home }) => {
    const model = await loadModel("hf:acme/tiny-bert");
    assert.equal(model.type, "hf-onnx");
    assert.equal(model.name, "acme/tiny-bert");
    assert.equal(await label(model, "a great movie"), "positive");
    await model.close();
    const commit = hub.commitOf("acme/tiny-bert");
    const repoDir = join(home, "hub", "models--acme--tiny-bert");
    assert.equal(await Deno.readTextFile(join(repoDir, "refs", "main")), commit);
    const snap = join(repoDir, "snapshots", commit);
    assert.equal(model.dir, snap);
    const hub0 = model.card!.hub as { commit: string; files: Record<string, string> };
    assert.equal(hub0.commit, commit);
    assert.deepEqual(Object.keys(hub0.files).sort(), [
      "README.md",
      "config.json",
      "onnx/model_quantized.onnx",
      "tokenizer.json",
      "tokenizer_config.json",
    ]);
    // snapshots hold relative symlinks to blobs named by the ETag (sha256 for the LFS file)
    const onnxEtag = hub0.files["onnx/model_quantized.onnx"];
    assert.match(onnxEtag, /^[0-9a-f]{64}$/);
    assert.equal(await Deno.readLink(join(snap, "onnx/model_quantized.onnx")), `../../../blobs/${onnxEtag}`);
    assert.equal(await Deno.readLink(join(snap, "config.json")), `../../blobs/${hub0.files["config.json"]}`);
    assert.deepEqual(
      await Deno.readFile(join(repoDir, "blobs", onnxEtag)),
      files["onnx/model_quantized.onnx"],
    );
    // the token never sent to the storage, no model.onnx at the root: 404 EntryNotFound, then the next layout
    assert.ok(
      hub.log.some((l) => l.method === "HEAD" && l.path === "/acme/tiny-bert/resolve/main/model.onnx"),
    );

    const downloads = () => hub.log.filter((l) => l.method === "GET").length;
    const before = downloads();
    await (await loadModel("hf:acme/tiny-bert")).close();
    assert.equal(downloads(), before, "cached files are not downloaded again");

    Deno.env.set("HF_HUB_OFFLINE", "1");
    const requests = hub.log.length;
    const offline = await loadModel("hf:acme/tiny-bert");
    assert.equal(await label(offline, "awful and boring"), "negative");
    await offline.close();
    assert.equal(hub.log.length, requests, "offline: no request at all");
    await assert.rejects(
      loadModel("hf:acme/other"),
      /hf:acme\/other: not in the Hugging Face cache.*HF_HUB_OFFLINE/,
    );
    await assert.rejects(
      loadModel(`hf:acme/tiny-bert@v2`),
      /not in the Hugging Face cache/,
    );
  });
});

Deno.test("hf: relative redirects of a renamed repository; 404 names what is missing; revisions", async () => {
  const files = await tinyRepoFiles();
  const noTokenizer = { ...files };
  delete noTokenizer["tokenizer.json"];
  await withHub(
    { "acme/tiny-bert": { files }, "acme/half": { files: noTokenizer } },
    { renamed: { "acme/old-name": "acme/tiny-bert" } },
    async ({ hub }) => {
      const moved = await loadModel("hf:acme/old-name");
      assert.equal(await label(moved, "love it"), "positive");
      await moved.close();
      assert.ok(hub.log.some((l) => l.path.startsWith("/acme/old-name/")));
      const commit = hub.commitOf("acme/tiny-bert");
      const pinned = await loadModel(`hf:acme/tiny-bert@${commit}`);
      assert.equal((pinned.card!.hub as { commit: string }).commit, commit);
      await pinned.close();
      await assert.rejects(loadModel("hf:acme/tiny-bert@nope"), /revision nope not found in acme\/tiny-bert/);
      await assert.rejects(loadModel("hf:acme/half"), /hf:acme\/half: the repository has no tokenizer\.json/);
      await assert.rejects(loadModel("hf:not a repo"), /expected hf:OWNER\/NAME/);
    },
  );
});

Deno.test("hf: a private repository needs HF_TOKEN (401 otherwise); the token is never printed or stored", async () => {
  const files = await tinyRepoFiles();
  const secret = "hf_sentilabTestSecret123";
  await withHub({ "acme/private": { files, token: secret } }, {}, async ({ hub, home }) => {
    await assert.rejects(loadModel("hf:acme/private"), (e: Error) => {
      assert.match(e.message, /repository not found, private or gated \(HTTP 401\).*set HF_TOKEN/);
      return true;
    });
    Deno.env.set("HF_TOKEN", "hf_wrongWrongWrong");
    await assert.rejects(loadModel("hf:acme/private"), (e: Error) => {
      assert.match(e.message, /the token given was refused/);
      assert.ok(!e.message.includes("hf_wrongWrongWrong"));
      return true;
    });
    Deno.env.set("HF_TOKEN", secret);
    const model = await loadModel("hf:acme/private");
    await model.close();
    assert.ok(
      hub.log.filter((l) => l.path.startsWith("/cdn/")).every((l) => !l.authorization),
      "not to storage",
    );
    const found: string[] = [];
    for await (const f of walk(home)) {
      if (
        (await Deno.readFile(f)).toString().includes(secret) ||
        new TextDecoder().decode(await Deno.readFile(f)).includes(secret)
      ) {
        found.push(f);
      }
    }
    assert.deepEqual(found, [], "the token is in no cached file");
  });
});

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) yield* walk(p);
    else yield p; // files and the snapshot symlinks
  }
}

Deno.test("hf: a Hub that never answers fails within the time allowed", async () => {
  await withHub({}, { hung: ["acme/hung"] }, async () => {
    const t0 = performance.now();
    await assert.rejects(
      loadModel("hf:acme/hung", { timeoutMs: 300 }),
      /hf:acme\/hung: config\.json: .* did not answer within 0\.3 s/,
    );
    assert.ok(performance.now() - t0 < 5000);
  });
});

Deno.test("hf: an interrupted download resumes with a Range request; a damaged one is refused", async () => {
  const files = await tinyRepoFiles();
  await withHub(
    {
      "acme/flaky": { files, cutFirstDownload: true },
      "acme/corrupt": { files, corrupt: ["tokenizer.json"] },
    },
    {},
    async ({ hub, home }) => {
      await assert.rejects(loadModel("hf:acme/flaky"));
      const blobs = join(home, "hub", "models--acme--flaky", "blobs");
      const partial = [...Deno.readDirSync(blobs)].filter((e) => e.name.endsWith(".incomplete"));
      assert.equal(partial.length, 1, "the partial file is kept");
      const have = (await Deno.stat(join(blobs, partial[0].name))).size;
      const size = files["onnx/model_quantized.onnx"].length;
      assert.ok(have > 0 && have < size, `${have} of ${size} bytes`);
      const model = await loadModel("hf:acme/flaky");
      assert.equal(await label(model, "great"), "positive");
      await model.close();
      assert.ok(hub.log.some((l) => l.path.startsWith("/cdn/") && l.range === `bytes=${have}-`), "resumed");
      assert.equal([...Deno.readDirSync(blobs)].filter((e) => e.name.endsWith(".incomplete")).length, 0);

      await assert.rejects(loadModel("hf:acme/corrupt"), /tokenizer\.json: download damaged/);
      const left = [...Deno.readDirSync(join(home, "hub", "models--acme--corrupt", "blobs"))].map((e) =>
        e.name
      );
      assert.ok(left.every((n) => !n.endsWith(".incomplete")), "nothing half-written left");
      const snapshots = join(home, "hub", "models--acme--corrupt", "snapshots");
      const linked = [];
      for await (const f of walk(snapshots)) linked.push(f);
      assert.ok(linked.every((f) => !f.endsWith("tokenizer.json")), "no snapshot entry for the damaged file");
    },
  );
});

Deno.test("deno task evaluate --model hf:... records repository, revision, commit and digests; logs the card", async () => {
  const files = await tinyRepoFiles();
  await withHub({ "acme/tiny-bert": { files } }, {}, async ({ hub, home }) => {
    const store = join(home, "store");
    const data = join(home, "reviews.jsonl");
    await Deno.writeTextFile(
      data,
      [["a great movie", "positive"], ["awful", "negative"], ["the plot", "neutral"]]
        .map(([text, label]) => JSON.stringify({ text, label })).join("\n") + "\n",
    );
    const o = await runTask(
      `${ROOT}tasks/evaluate.ts`,
      ["--model", "hf:acme/tiny-bert", "--data", data, "--json"],
      { SENTILAB_DIR: store, WANDB_MODE: "offline", HF_ENDPOINT: hub.url, HF_HOME: home },
    );
    assert.equal(o.code, 0, o.stderr);
    const out = JSON.parse(o.stdout);
    assert.equal(out.metrics.accuracy, 1);
    const run = getRun(out.run.id, { dir: store })!;
    const recorded = run.config.model_hub as {
      repo: string;
      revision: string;
      commit: string;
      files: Record<string, string>;
    };
    assert.equal(recorded.repo, "acme/tiny-bert");
    assert.equal(recorded.revision, "main");
    assert.equal(recorded.commit, hub.commitOf("acme/tiny-bert"));
    assert.match(recorded.files["onnx/model_quantized.onnx"], /^[0-9a-f]{64}$/);
    const [version] = listArtifactVersions("acme-tiny-bert", { dir: store });
    assert.ok(version, run.used.map((u) => u.ref).join(", "));
    assert.ok(Object.keys(version.manifest.contents).includes("README.md"), "the model card is logged");
  });
});

Deno.test("a models.yaml entry of type hf-onnx may name a Hub model (folder: hf:OWNER/NAME)", async () => {
  const files = await tinyRepoFiles();
  await withHub({ "acme/tiny-bert": { files } }, {}, async ({ home }) => {
    await Deno.writeTextFile(
      join(home, "models.yaml"),
      "models:\n  tiny:\n    type: hf-onnx\n    folder: hf:acme/tiny-bert\n    description: from the Hub\n",
    );
    const model = await loadModel("tiny", { registry: join(home, "models.yaml") });
    assert.equal(model.name, "tiny");
    assert.equal(model.description, "from the Hub");
    assert.equal((model.card!.hub as { repo: string }).repo, "acme/tiny-bert");
    assert.equal(await label(model, "boring"), "negative");
    await model.close();
  });
});
