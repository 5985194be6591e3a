/**
 * mod.ts imported by URL, the way a user imports sentilab from a web server or raw GitHub: the working
 * tree is served on 127.0.0.1 with a TypeScript content type, and a script in a folder with no deno.json
 * imports mod.ts from that URL, predicts and tracks a run. This only passes when every file reachable
 * from mod.ts uses full specifiers (`npm:pkg@version`, relative `.ts` paths): the import map of deno.json
 * does not apply to remote modules.
 */
import assert from "node:assert/strict";
import { dirname, extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { offlineNpmCache } from "./_offline_npm_cache.ts";
import { closedUrl } from "./_task_env.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const TYPES: Record<string, string> = {
  ".ts": "application/typescript; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".yaml": "text/yaml; charset=utf-8",
  ".yml": "text/yaml; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
};

/** Serves `root` read-only on 127.0.0.1 (a random port); records every path asked for, and the misses. */
function serveTree(requests: string[], misses: string[], root = ROOT) {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    const rel = normalize(decodeURIComponent(url.pathname)).replace(/^\/+/, "");
    requests.push(`${req.method} /${rel}`);
    if (req.method !== "GET" && req.method !== "HEAD") return new Response("read-only", { status: 405 });
    const path = resolve(root, rel);
    if (path !== root && !path.startsWith(root + sep)) return new Response("outside", { status: 403 });
    if (rel.split(sep).some((p) => p === "node_modules" || p === ".git" || p.startsWith(".sentilab"))) {
      return new Response("not served", { status: 404 });
    }
    try {
      const body = await Deno.readFile(path);
      return new Response(req.method === "HEAD" ? null : body, {
        headers: { "content-type": TYPES[extname(path)] ?? "application/octet-stream" },
      });
    } catch {
      misses.push(`/${rel}`);
      return new Response("not found", { status: 404 });
    }
  });
}

const SCRIPT = (base: string) => `
import { evaluate, ffmpegPath, finishRun, flattenMetrics, getRun, initRun, loadModel, logMetrics, logPredictions,
  predictBatch } from "${base}/mod.ts";
const store = Deno.args[0];
const run = await initRun({ project: "url-import", name: "from-url", tracker: "local", dir: store, strict: true });
const model = await loadModel("lexicon", { run });
const texts = ["I love this, it is wonderful", "This is terrible, I hate it", "The meeting is at noon."];
const gold = ["positive", "negative", "neutral"];
const predictions = await predictBatch(model, texts);
await logPredictions(run, predictions, { gold });
await logMetrics(run, flattenMetrics(evaluate(predictions, gold)));
await finishRun(run);
await model.close();
const stored = getRun(run.id, { dir: store });
console.log(JSON.stringify({
  labels: predictions.map((p) => p.label),
  backend: run.backend,
  status: stored?.status,
  tables: stored?.tables.map((t) => [t.key, t.rowCount]),
  used: stored?.used.map((a) => a.type),
  accuracy: stored?.summary.accuracy,
  // No node_modules here: npm:@ffmpeg-installer/ffmpeg throws, so ffmpeg comes from SENTILAB_FFMPEG or PATH.
  ffmpeg: await ffmpegPath().then((p) => "found " + p, (e) => e.name + ": " + e.message),
}));
`;

Deno.test({
  name: "mod.ts imported by URL from a folder without deno.json predicts and tracks a run",
}, async () => {
  const requests: string[] = [];
  const misses: string[] = [];
  const server = serveTree(requests, misses);
  const dir = await Deno.makeTempDir({ prefix: "sentilab_url_import_" });
  try {
    const { port } = server.addr;
    const base = `http://127.0.0.1:${port}`;
    // Sanity: the server answers with a TypeScript content type.
    const head = await fetch(`${base}/mod.ts`, { method: "HEAD" });
    await head.body?.cancel();
    assert.equal(head.headers.get("content-type"), TYPES[".ts"]);

    await Deno.writeTextFile(join(dir, "script.ts"), SCRIPT(base));
    // No deno.json, but a copy of the project's lock: npm versions resolve from it, and packages from a
    // Deno cache of its own holding what deno install put in node_modules, as a user's cache holds them
    // after one online import: no test may need the network.
    await Deno.copyFile(join(ROOT, "deno.lock"), join(dir, "deno.lock"));
    // The child's npm registry is a loopback port nothing listens on: a package missing from that cache
    // fails the test here too, not only in CI's network namespace. (localhost, not 127.0.0.1: Deno keys its
    // cache folder of a registry by host_port, and names an IP host's folder differently.)
    const registry = closedUrl().replace("127.0.0.1", "localhost") + "/";
    const denoDir = await offlineNpmCache(
      join(ROOT, "deno.lock"),
      join(ROOT, "node_modules"),
      join(dir, "deno-dir"),
      registry,
    );
    // PATH without ffmpeg (and SENTILAB_FFMPEG unset): video work must say how to provide ffmpeg.
    const env: Record<string, string> = {
      NO_COLOR: "1",
      SENTILAB_DIR: join(dir, "unused-store"),
      PATH: join(dir, "no-bin"),
      SENTILAB_FFMPEG: "",
      DENO_DIR: denoDir,
      NPM_CONFIG_REGISTRY: registry,
    };
    const child = new Deno.Command(Deno.execPath(), {
      // The permissions the README's "use it from a URL" section names (-A would also do: it includes
      // --allow-import, and Deno rejects the two together).
      args: [
        "run",
        `--allow-import=127.0.0.1:${port}`,
        `--allow-net=127.0.0.1:${port}`,
        "--allow-read",
        "--allow-write",
        "--allow-env",
        "--allow-ffi",
        "--allow-sys",
        "--allow-run",
        "--lock=deno.lock",
        "script.ts",
        join(dir, "store"),
      ],
      cwd: dir,
      env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(180_000),
    }).spawn();
    const out = await child.output();
    const stdout = new TextDecoder().decode(out.stdout);
    const stderr = new TextDecoder().decode(out.stderr);
    assert.ok(
      out.success,
      `deno run of the URL import failed (exit ${out.code}${out.signal ? `, ${out.signal}` : ""}):\n` +
        `${stderr.slice(-3000)}\nfiles fetched: ${requests.length}`,
    );
    const result = JSON.parse(stdout.trim().split("\n").at(-1)!);
    assert.deepEqual(result.labels, ["positive", "negative", "neutral"]);
    assert.equal(result.backend, "local");
    assert.equal(result.status, "finished");
    assert.deepEqual(result.tables, [["predictions", 3]]);
    assert.deepEqual(result.used, ["model"]);
    assert.equal(result.accuracy, 1);
    assert.equal(
      result.ffmpeg,
      "VideoError: ffmpeg not found: set SENTILAB_FFMPEG (and SENTILAB_FFPROBE) to its path or put it on PATH",
    );
    // The modules really came over HTTP, and nothing was asked from outside the tree.
    assert.ok(requests.includes("GET /mod.ts"), requests.join("\n"));
    assert.ok(requests.some((r) => r.startsWith("GET /lib/tracking/")), "tracking modules fetched");
    assert.ok(requests.includes("GET /config/models.yaml"), "the model registry is read from the server");
    assert.deepEqual(misses, [], "every file mod.ts reaches exists in the tree");
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the URL import check catches a bare specifier (what the import map hides locally)", async () => {
  const tree = await Deno.makeTempDir({ prefix: "sentilab_url_bare_" });
  const server = serveTree([], [], tree);
  try {
    await Deno.writeTextFile(join(tree, "mod.ts"), 'export { load } from "./lib.ts";\n');
    await Deno.writeTextFile(
      join(tree, "lib.ts"),
      'import * as yaml from "js-yaml";\nexport const load = yaml.load;\n',
    );
    const base = `http://127.0.0.1:${server.addr.port}`;
    await Deno.writeTextFile(
      join(tree, "script.ts"),
      `import { load } from "${base}/mod.ts";\nconsole.log(load("a: 1"));\n`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", `--allow-import=127.0.0.1:${server.addr.port}`, "script.ts"],
      cwd: tree,
      // its own Deno cache: the shared one may hold another test's (or an earlier run's) module cached under
      // the same loopback URL, a port the system handed out before, and would run that instead
      env: { NO_COLOR: "1", DENO_DIR: join(tree, "deno-dir") },
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(60_000),
    }).output();
    assert.equal(out.success, false);
    assert.match(new TextDecoder().decode(out.stderr), /js-yaml/);
  } finally {
    await server.shutdown();
    await Deno.remove(tree, { recursive: true });
  }
});
