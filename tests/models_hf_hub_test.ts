// hf:OWNER/NAME[@REVISION] against a loopback Hub (tests/hub_server.ts): the Hugging Face cache layout,
// offline use, redirects, 404, 401 and tokens, a hung server, resumed and damaged downloads, and
// deno task evaluate recording the model's repository, revision and file digests.
// The test process never sets an environment variable (deno test --parallel runs other test files in this
// process): the Hub and cache are passed as options, and the HF_* variables are tested in children.
import assert from "node:assert/strict";
import { closedUrl, ROOT, runChild, runTask } from "./_task_env.ts";
import { join } from "node:path";
import { type DownloadHfModelOptions, loadModel } from "../lib/models/mod.ts";
import { getRun, listArtifactVersions } from "../lib/tracking/mod.ts";
import { writeTinyHfModel } from "./hf_fixtures.ts";
import { type FakeRepo, startFakeHub } from "./hub_server.ts";

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

interface HubContext {
  hub: ReturnType<typeof startFakeHub>;
  home: string;
  /** The loopback Hub and a cache in `home/hub`, as HF_ENDPOINT and HF_HOME=home would give; no token unless
   * a test gives one (the developer's HF_TOKEN or saved login never reaches the fake). */
  opts: DownloadHfModelOptions;
}

async function withHub(
  repos: Record<string, FakeRepo>,
  options: Parameters<typeof startFakeHub>[1],
  fn: (ctx: HubContext) => Promise<void>,
): Promise<void> {
  const home = await Deno.makeTempDir({ prefix: "sentilab-hf-home-" });
  const hub = startFakeHub(repos, options);
  try {
    await fn({ hub, home, opts: { endpoint: hub.url, cacheDir: join(home, "hub"), token: false } });
  } finally {
    await hub.close();
    await Deno.remove(home, { recursive: true });
  }
}

async function label(model: Awaited<ReturnType<typeof loadModel>>, text: string): Promise<string> {
  const [row] = await model.scoreBatch([text]);
  return model.labels[row.indexOf(Math.max(...row))];
}

Deno.test("hf:OWNER/NAME downloads into the Hugging Face cache layout, then works offline", async () => {
  const files = await tinyRepoFiles();
  await withHub({ "acme/tiny-bert": { files } }, {}, async ({ hub, home, opts }) => {
    const model = await loadModel("hf:acme/tiny-bert", { hub: opts });
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
    await (await loadModel("hf:acme/tiny-bert", { hub: opts })).close();
    assert.equal(downloads(), before, "cached files are not downloaded again");

    const offlineOpts = { hub: { ...opts, offline: true } };
    const requests = hub.log.length;
    const offline = await loadModel("hf:acme/tiny-bert", offlineOpts);
    assert.equal(await label(offline, "awful and boring"), "negative");
    await offline.close();
    assert.equal(hub.log.length, requests, "offline: no request at all");
    await assert.rejects(
      loadModel("hf:acme/other", offlineOpts),
      /hf:acme\/other: not in the Hugging Face cache.*HF_HUB_OFFLINE/,
    );
    await assert.rejects(
      loadModel(`hf:acme/tiny-bert@v2`, offlineOpts),
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
    async ({ hub, opts }) => {
      const moved = await loadModel("hf:acme/old-name", { hub: opts });
      assert.equal(await label(moved, "love it"), "positive");
      await moved.close();
      assert.ok(hub.log.some((l) => l.path.startsWith("/acme/old-name/")));
      const commit = hub.commitOf("acme/tiny-bert");
      const pinned = await loadModel(`hf:acme/tiny-bert@${commit}`, { hub: opts });
      assert.equal((pinned.card!.hub as { commit: string }).commit, commit);
      await pinned.close();
      await assert.rejects(
        loadModel("hf:acme/tiny-bert@nope", { hub: opts }),
        /revision nope not found in acme\/tiny-bert/,
      );
      await assert.rejects(
        loadModel("hf:acme/half", { hub: opts }),
        /hf:acme\/half: the repository has no tokenizer\.json/,
      );
      await assert.rejects(loadModel("hf:not a repo", { hub: opts }), /expected hf:OWNER\/NAME/);
    },
  );
});

Deno.test("hf: a private repository needs HF_TOKEN (401 otherwise); the token is never printed or stored", async () => {
  const files = await tinyRepoFiles();
  const secret = "hf_sentilabTestSecret123";
  await withHub({ "acme/private": { files, token: secret } }, {}, async ({ hub, home, opts }) => {
    await assert.rejects(loadModel("hf:acme/private", { hub: opts }), (e: Error) => {
      assert.match(e.message, /repository not found, private or gated \(HTTP 401\).*set HF_TOKEN/);
      return true;
    });
    await assert.rejects(
      loadModel("hf:acme/private", { hub: { ...opts, token: "hf_wrongWrongWrong" } }),
      (e: Error) => {
        assert.match(e.message, /the token given was refused/);
        assert.ok(!e.message.includes("hf_wrongWrongWrong"));
        return true;
      },
    );
    const model = await loadModel("hf:acme/private", { hub: { ...opts, token: secret } });
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
  await withHub({}, { hung: ["acme/hung"] }, async ({ opts }) => {
    const t0 = performance.now();
    await assert.rejects(
      loadModel("hf:acme/hung", { timeoutMs: 300, hub: opts }),
      /hf:acme\/hung: config\.json: .* did not answer within 0\.3 s/,
    );
    assert.ok(performance.now() - t0 < 5000);
  });
});

Deno.test("hf: a download that stalls is resumed 5 times, then fails within the time allowed, leaving no file", async () => {
  const files = await tinyRepoFiles();
  await withHub({ "acme/stalled": { files, stallDownloads: true } }, {}, async ({ hub, home, opts }) => {
    const t0 = performance.now();
    await assert.rejects(
      loadModel("hf:acme/stalled", { timeoutMs: 200, hub: opts }),
      /hf:acme\/stalled: onnx\/model_quantized\.onnx: .* did not answer within 0\.2 s/,
    );
    // 6 attempts of 0.2 s without data, 1 s apart (http_get's 5 retries)
    assert.ok(performance.now() - t0 < 20_000);
    const size = files["onnx/model_quantized.onnx"].length;
    const half = Math.floor(size / 2);
    const ranges = hub.log.filter((l) => l.method === "GET" && l.path.startsWith("/cdn/")).map((l) =>
      l.range
    );
    assert.deepEqual(
      ranges,
      [null, ...new Array(5).fill(`bytes=${half}-`)],
      "resumed after the bytes received",
    );
    const blobs = join(home, "hub", "models--acme--stalled", "blobs");
    assert.deepEqual(
      [...Deno.readDirSync(blobs)].filter((e) => e.name.endsWith(".incomplete")).map((e) => e.name),
      [],
      "the temporary file is removed",
    );
  });
});

Deno.test("hf: a lost connection resumes with Range requests; a damaged download is refused", async () => {
  const files = await tinyRepoFiles();
  // another ONNX file (its own blob in the fake storage): the same graph with a doc string
  const other = new Uint8Array([...files["onnx/model_quantized.onnx"], 0x62, 4, 0x6e, 0x6f, 0x72, 0x6e]);
  await withHub(
    {
      "acme/flaky": { files, cutDownloads: 2 },
      "acme/no-range": {
        files: { ...files, "onnx/model_quantized.onnx": other },
        cutDownloads: 1,
        ignoreRange: true,
      },
      "acme/corrupt": { files, corrupt: ["tokenizer.json"] },
    },
    {},
    async ({ hub, home, opts }) => {
      // as huggingface_hub's http_get: the same call resumes where the connection broke (twice here)
      const model = await loadModel("hf:acme/flaky", { hub: opts });
      assert.equal(await label(model, "great"), "positive");
      await model.close();
      const size = files["onnx/model_quantized.onnx"].length;
      const first = Math.floor(size / 2);
      const second = first + Math.floor((size - first) / 2);
      assert.deepEqual(
        hub.log.filter((l) => l.method === "GET" && l.path.startsWith("/cdn/")).map((l) => l.range),
        [null, `bytes=${first}-`, `bytes=${second}-`],
        "resumed from the bytes already written",
      );
      const blobs = join(home, "hub", "models--acme--flaky", "blobs");
      assert.equal([...Deno.readDirSync(blobs)].filter((e) => e.name.endsWith(".incomplete")).length, 0);
      // a storage that answers a Range with the whole file (200): the file is restarted, not appended to
      const start = hub.log.length;
      await (await loadModel("hf:acme/no-range", { hub: opts })).close();
      assert.deepEqual(
        hub.log.slice(start).filter((l) => l.method === "GET" && l.path.startsWith("/cdn/")).map((l) =>
          l.range
        ),
        [null, `bytes=${Math.floor(other.length / 2)}-`],
      );

      await assert.rejects(loadModel("hf:acme/corrupt", { hub: opts }), /tokenizer\.json: download damaged/);
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
  await withHub({ "acme/tiny-bert": { files } }, {}, async ({ home, opts }) => {
    await Deno.writeTextFile(
      join(home, "models.yaml"),
      "models:\n  tiny:\n    type: hf-onnx\n    folder: hf:acme/tiny-bert\n    description: from the Hub\n",
    );
    const model = await loadModel("tiny", { registry: join(home, "models.yaml"), hub: opts });
    assert.equal(model.name, "tiny");
    assert.equal(model.description, "from the Hub");
    assert.equal((model.card!.hub as { repo: string }).repo, "acme/tiny-bert");
    assert.equal(await label(model, "boring"), "negative");
    await model.close();
  });
});

Deno.test("HF_ENDPOINT, HF_HOME, HF_HUB_CACHE, XDG_CACHE_HOME, the token variables and file, HF_HUB_OFFLINE, TRANSFORMERS_OFFLINE (in a child)", async () => {
  const files = await tinyRepoFiles();
  const secret = "hf_sentilabEnvSecret456";
  await withHub({ "acme/private": { files, token: secret } }, {}, async ({ hub, home }) => {
    const child = async (env: Record<string, string>) => {
      const o = await runChild(["tests/_hf_env_child.ts", "acme/private"], { HOME: home, ...env });
      assert.equal(o.code, 0, o.stderr);
      assert.ok(!o.stdout.includes(secret) && !o.stderr.includes(secret), "the token is never printed");
      return JSON.parse(o.stdout.trim().split("\n").pop()!) as {
        dir?: string;
        commit?: string;
        error?: string;
      };
    };
    const commit = hub.commitOf("acme/private");
    const snapshot = (cache: string) => join(cache, "models--acme--private", "snapshots", commit);

    const refused = await child({ HF_ENDPOINT: hub.url, HF_HOME: join(home, "hf") });
    assert.match(refused.error!, /HTTP 401\).*set HF_TOKEN/);
    const got = await child({ HF_ENDPOINT: hub.url, HF_HOME: join(home, "hf"), HF_TOKEN: secret });
    assert.equal(got.dir, snapshot(join(home, "hf", "hub")), "HF_HOME/hub");
    const cache = await child({
      HF_ENDPOINT: hub.url,
      HF_HOME: join(home, "hf"),
      HF_HUB_CACHE: join(home, "elsewhere"),
      HF_TOKEN: secret,
    });
    assert.equal(cache.dir, snapshot(join(home, "elsewhere")), "HF_HUB_CACHE wins over HF_HOME");
    const xdg = await child({ HF_ENDPOINT: hub.url, XDG_CACHE_HOME: join(home, "xdg"), HF_TOKEN: secret });
    assert.equal(
      xdg.dir,
      snapshot(join(home, "xdg", "huggingface", "hub")),
      "XDG_CACHE_HOME/huggingface/hub",
    );
    // utils/_auth.py get_token: HUGGING_FACE_HUB_TOKEN, then the file `hf auth login` writes (HF_HOME/token,
    // or HF_TOKEN_PATH), line breaks removed; HF_HUB_DISABLE_IMPLICIT_TOKEN sends none
    const fresh = (name: string) => ({ HF_ENDPOINT: hub.url, HF_HUB_CACHE: join(home, name) });
    assert.ok((await child({ ...fresh("c1"), HUGGING_FACE_HUB_TOKEN: secret })).dir);
    await Deno.mkdir(join(home, "login"));
    await Deno.writeTextFile(join(home, "login", "token"), `${secret}\n`);
    assert.ok((await child({ ...fresh("c2"), HF_HOME: join(home, "login") })).dir, "HF_HOME/token");
    assert.ok(
      (await child({ ...fresh("c3"), HF_TOKEN_PATH: join(home, "login", "token") })).dir,
      "HF_TOKEN_PATH",
    );
    const disabled = await child({
      ...fresh("c4"),
      HF_HOME: join(home, "login"),
      HF_HUB_DISABLE_IMPLICIT_TOKEN: "1",
    });
    assert.match(disabled.error!, /HTTP 401/);
    const requests = hub.log.length;
    const offlineEnvs: Record<string, string>[] = [{ HF_HUB_OFFLINE: "1" }, { TRANSFORMERS_OFFLINE: "true" }];
    for (const offline of offlineEnvs) {
      const cached = await child({ HF_ENDPOINT: hub.url, HF_HOME: join(home, "hf"), ...offline });
      assert.equal(cached.dir, got.dir, JSON.stringify(offline));
      const none = await child({ HF_ENDPOINT: hub.url, HF_HOME: join(home, "empty"), ...offline });
      assert.match(none.error!, /not in the Hugging Face cache/);
    }
    assert.equal(hub.log.length, requests, "offline: no request at all");
  });
});

Deno.test("hf: a Hub that cannot be reached or refuses serves the revision's cached snapshot, as huggingface_hub", async () => {
  const files = await tinyRepoFiles();
  const secret = "hf_sentilabCacheSecret789";
  await withHub({ "acme/private": { files, token: secret } }, {}, async ({ hub, opts }) => {
    await (await loadModel("hf:acme/private", { hub: { ...opts, token: secret } })).close();
    const commit = hub.commitOf("acme/private");
    // nothing listens there: the HEAD call fails, the cached snapshot of refs/main serves
    const down = { ...opts, endpoint: closedUrl() };
    const model = await loadModel("hf:acme/private", { hub: down });
    assert.equal((model.card!.hub as { commit: string }).commit, commit);
    assert.equal(await label(model, "a great movie"), "positive");
    await model.close();
    // 401 without the token: the cached files still serve (file_download.py _raise_on_head_call_error)
    await (await loadModel("hf:acme/private", { hub: opts })).close();
    // a commit whose snapshot is complete needs no request
    const before = hub.log.length;
    await (await loadModel(`hf:acme/private@${commit}`, { hub: opts })).close();
    assert.equal(hub.log.length, before, "no request for a cached commit");
    // not cached: the error is raised
    await assert.rejects(loadModel("hf:acme/never", { hub: down }), /hf:acme\/never: config\.json: /);
    await assert.rejects(loadModel("hf:acme/private@v9", { hub: opts }), /HTTP 401/);
  });
});

Deno.test("hf: a server that answers 404 without the Hub's X-Error-Code is not a missing file", async () => {
  const abort = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: abort.signal, onListen() {} },
    () => new Response("not found", { status: 404 }),
  );
  const home = await Deno.makeTempDir({ prefix: "sentilab-hf-home-" });
  try {
    await assert.rejects(
      loadModel("hf:acme/tiny-bert", {
        hub: { endpoint: `http://127.0.0.1:${server.addr.port}`, cacheDir: join(home, "hub"), token: false },
      }),
      /hf:acme\/tiny-bert: config\.json: HTTP 404 from http:\/\/127\.0\.0\.1/,
    );
  } finally {
    abort.abort();
    await server.finished;
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("hf: two downloads of one model at once both succeed (each writes its own temporary file)", async () => {
  const files = await tinyRepoFiles();
  await withHub({ "acme/tiny-bert": { files } }, {}, async ({ home, opts }) => {
    const models = await Promise.all([
      loadModel("hf:acme/tiny-bert", { hub: opts }),
      loadModel("hf:acme/tiny-bert", { hub: opts }),
    ]);
    for (const m of models) {
      assert.equal(await label(m, "awful and boring"), "negative");
      await m.close();
    }
    const blobs = [...Deno.readDirSync(join(home, "hub", "models--acme--tiny-bert", "blobs"))].map((e) =>
      e.name
    );
    assert.equal(blobs.filter((n) => n.endsWith(".incomplete")).length, 0, blobs.join(", "));
    assert.equal(blobs.length, 5, blobs.join(", "));
  });
});
