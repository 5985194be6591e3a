// Backend choice (auto/local/console/wandb/disabled, WANDB_MODE), fallbacks and the warn-once policy.
import assert from "node:assert/strict";
import {
  finishRun,
  initRun,
  listRuns,
  logArtifact,
  logMetrics,
  logTable,
  setSummary,
  TrackingError,
  useArtifact,
} from "../lib/tracking/mod.ts";
import { PROJECT_CONFIG } from "./_task_env.ts";

const LIB = new URL("../lib/tracking/mod.ts", import.meta.url).href;

/**
 * Captures console.log (stdout), console.error (the console backend's lines, on stderr) and console.warn
 * (warnings) while `fn` runs.
 */
async function capture<T>(
  fn: () => Promise<T>,
): Promise<{ result: T; stdout: string[]; out: string[]; warn: string[] }> {
  const stdout: string[] = [], out: string[] = [], warn: string[] = [];
  const { log, error, warn: w } = console;
  console.log = (...a: unknown[]) => void stdout.push(a.join(" "));
  console.error = (...a: unknown[]) => void out.push(a.join(" "));
  console.warn = (...a: unknown[]) => void warn.push(a.join(" "));
  try {
    return { result: await fn(), stdout, out, warn };
  } finally {
    console.log = log;
    console.error = error;
    console.warn = w;
  }
}

/** Runs a script in a fresh process (environment variables are process-wide). */
async function runScript(
  code: string,
  env: Record<string, string>,
): Promise<{ stdout: string; stderr: string; code: number }> {
  const dir = await Deno.makeTempDir({ prefix: "sentilab_be_" });
  try {
    await Deno.writeTextFile(`${dir}/main.ts`, `import * as t from "${LIB}";\n${code}`);
    const clean: Record<string, string> = { NO_COLOR: "1", SENTILAB_DIR: `${dir}/store`, ...env };
    for (const keep of ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME"]) {
      const v = Deno.env.get(keep);
      if (v !== undefined) clean[keep] = v;
    }
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", ...PROJECT_CONFIG, `${dir}/main.ts`],
      env: clean,
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    return { stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr), code: out.code };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("console backend prints compact lines on stderr and stores nothing", async () => {
  const root = await Deno.makeTempDir({ prefix: "sentilab_be_" });
  try {
    await Deno.writeTextFile(`${root}/f.txt`, "abc");
    const { stdout, out, warn } = await capture(async () => {
      const run = await initRun({
        tracker: "console",
        name: "demo",
        config: { lr: 0.1 },
        dir: `${root}/store`,
      });
      assert.equal(run.backend, "console");
      assert.equal(run.storeDir, null);
      logMetrics(run, { loss: 0.123456789, acc: 1 }, { step: 3 });
      setSummary(run, { best: 0.9 });
      await logTable(run, "preds", { columns: ["a", "b"], rows: [[1, 2], [3, 4]] });
      assert.equal(await logArtifact(run, { name: "m", type: "model", files: [`${root}/f.txt`] }), null);
      assert.equal(await useArtifact(run, "m:latest"), null);
      await finishRun(run);
    });
    assert.deepEqual(warn, []);
    assert.deepEqual(stdout, [], "stdout stays the program's own");
    assert.match(out[0], /^\[sentilab demo\] started \(project sentilab, id [a-z0-9]{8}\) config lr=0\.1$/);
    assert.equal(out[1], "[sentilab demo] step 3 loss=0.12346 acc=1");
    assert.equal(out[2], "[sentilab demo] summary best=0.9");
    assert.equal(out[3], "[sentilab demo] table preds: 2 columns x 2 rows (a, b)");
    assert.equal(out[4], "[sentilab demo] logged artifact m (model): 1 file(s), 3 B");
    assert.equal(out[5], "[sentilab demo] used artifact m:latest");
    assert.equal(out[6], "[sentilab demo] finished");
    await assert.rejects(() => Deno.stat(`${root}/store`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("console backend: a program's stdout holds only what it prints itself (e.g. --json)", async () => {
  const r = await runScript(
    `const run = await t.initRun({ tracker: "console", name: "quiet", config: { lr: 0.1 } });
t.logMetrics(run, { loss: 0.5 });
t.setSummary(run, { best: 1 });
await t.logTable(run, "preds", { columns: ["a"], rows: [[1]] });
await t.finishRun(run);
console.log(JSON.stringify({ backend: run.backend }));`,
    {},
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '{"backend":"console"}\n');
  assert.match(r.stderr, /^\[sentilab quiet\] started .* config lr=0\.1\n/);
  assert.match(r.stderr, /\[sentilab quiet\] step 0 loss=0\.5\n/);
  assert.match(r.stderr, /\[sentilab quiet\] table preds: 1 columns x 1 rows \(a\)\n/);
  assert.match(r.stderr, /\[sentilab quiet\] finished\n/);
});

Deno.test("console backend: logTable refuses the rows the local store refuses, with the same error", async () => {
  const root = await Deno.makeTempDir({ prefix: "sentilab_be_" });
  const BIG = "x".repeat(1024 * 1024 + 1);
  const bad: [string, { columns: string[]; rows: unknown[][] }][] = [
    ["ragged", { columns: ["a", "b"], rows: [[1, 2], [3]] }],
    ["not-a-row", { columns: ["a"], rows: [[1], "x" as unknown as unknown[]] }],
    ["huge", { columns: ["a", "text"], rows: [[1, "ok"], [2, BIG]] }],
  ];
  try {
    const { out } = await capture(async () => {
      const local = await initRun({ tracker: "local", dir: `${root}/store`, strict: true });
      const console_ = await initRun({ tracker: "console", name: "c", strict: true });
      for (const [key, table] of bad) {
        const errors: string[] = [];
        for (const run of [local, console_]) {
          await assert.rejects(() => logTable(run, key, table), (e) => {
            errors.push((e as Error).message);
            return e instanceof TrackingError;
          });
        }
        assert.equal(errors[1], errors[0], key);
        assert.match(errors[0], new RegExp(`^Cannot log table '${key}': row 1`));
      }
      await finishRun(local);
      await finishRun(console_);
    });
    assert.ok(!out.some((l) => l.includes("table ")), "no table line for a refused table");
    // Not strict: one warning, nothing printed as if it was logged.
    const { out: out2, warn } = await capture(async () => {
      const run = await initRun({ tracker: "console", name: "lenient" });
      await logTable(run, "ragged", bad[0][1]);
      await finishRun(run);
    });
    assert.equal(warn.length, 1);
    assert.match(warn[0], /logTable failed: Cannot log table 'ragged': row 1 has 1 values, expected 2/);
    assert.ok(!out2.some((l) => l.includes("table ragged")));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("disabled backend does nothing and returns null", async () => {
  const root = await Deno.makeTempDir({ prefix: "sentilab_be_" });
  try {
    const { stdout, out, warn } = await capture(async () => {
      const run = await initRun({ tracker: "disabled", dir: `${root}/store` });
      assert.equal(run.backend, "disabled");
      logMetrics(run, { loss: NaN }); // not even validated: nothing happens
      await logTable(run, "t", { columns: ["a"], rows: [[1]] });
      assert.equal(await logArtifact(run, { name: "m", type: "model", files: [`${root}/missing`] }), null);
      assert.equal(await useArtifact(run, "m"), null);
      await finishRun(run);
    });
    assert.deepEqual(out, []);
    assert.deepEqual(stdout, []);
    assert.deepEqual(warn, []);
    await assert.rejects(() => Deno.stat(`${root}/store`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("an unusable store falls back to the console backend with one warning", async () => {
  const root = await Deno.makeTempDir({ prefix: "sentilab_be_" });
  try {
    await Deno.writeTextFile(`${root}/not-a-dir`, "a file where the store should be");
    const { out, warn } = await capture(async () => {
      const a = await initRun({ dir: `${root}/not-a-dir`, name: "a" });
      const b = await initRun({ dir: `${root}/not-a-dir`, name: "b" });
      assert.equal(a.backend, "console");
      assert.equal(b.backend, "console");
      logMetrics(a, { x: 1 });
    });
    assert.equal(warn.length, 1);
    assert.match(
      warn[0],
      /Cannot open the tracking store in '.*not-a-dir'.*Falling back to the console backend/s,
    );
    assert.ok(out.some((l) => l === "[sentilab a] step 0 x=1"));
    // strict: the failure is an error instead.
    await assert.rejects(() => initRun({ dir: `${root}/not-a-dir`, strict: true }), TrackingError);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a tracking failure warns once and the program goes on; strict throws", async () => {
  const root = await Deno.makeTempDir({ prefix: "sentilab_be_" });
  try {
    const { warn } = await capture(async () => {
      const run = await initRun({ dir: `${root}/store` });
      for (let i = 0; i < 5; i++) logMetrics(run, { loss: NaN });
      logMetrics(run, { loss: 1 });
      assert.equal(await logArtifact(run, { name: "a/b", type: "model", files: ["x"] }), null);
      assert.equal(await logArtifact(run, { name: "a/b", type: "model", files: ["x"] }), null);
      await finishRun(run);
      assert.equal(listRuns({ dir: `${root}/store` })[0].historyCount, 1);
    });
    assert.equal(warn.length, 2, warn.join("\n"));
    assert.match(warn[0], /logMetrics failed: Cannot log metrics: 'loss' is NaN.*strict: true/s);
    assert.match(warn[1], /logArtifact failed: Cannot log artifact 'a\/b': names cannot contain '\/'/);
    const strict = await initRun({ dir: `${root}/store`, strict: true });
    assert.throws(() => logMetrics(strict, { loss: NaN }), TrackingError);
    await finishRun(strict);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

const PROBE = `
const a = await t.initRun(${"{ tracker: Deno.args[0] as t.TrackerKind }"});
const b = await t.initRun(${"{ tracker: Deno.args[0] as t.TrackerKind }"});
t.logMetrics(a, { x: 1 });
await t.finishRun(a); await t.finishRun(b);
console.log(JSON.stringify({ backend: a.backend, dir: a.storeDir }));
`;

Deno.test("environment: WANDB_MODE=disabled/offline; wandb without credentials or answer warns once, stays local", async () => {
  const probe = (tracker: string, env: Record<string, string>) =>
    runScript(PROBE.replaceAll("Deno.args[0]", JSON.stringify(tracker)), {
      NETRC: "/nonexistent/.netrc",
      ...env,
    });
  // A port nothing listens on: the capability check is refused at once.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closed = `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`;
  listener.close();
  const disabled = await probe("auto", { WANDB_MODE: "disabled" });
  assert.equal(disabled.code, 0, disabled.stderr);
  assert.equal(JSON.parse(disabled.stdout).backend, "disabled");

  const offline = await probe("wandb", { WANDB_MODE: "offline", WANDB_API_KEY: "k", WANDB_BASE_URL: closed });
  assert.equal(JSON.parse(offline.stdout).backend, "local");
  assert.equal(offline.stderr, "", "offline: no network, no warning");

  const wandb = await probe("wandb", {});
  assert.equal(JSON.parse(wandb.stdout).backend, "local");
  assert.equal(wandb.stderr.match(/W&B not used \(No W&B API key/g)?.length, 1, wandb.stderr);
  assert.match(wandb.stderr, /logged to the local store only: upload it later with `deno task sync \w+`/);

  const auto = await probe("auto", { WANDB_API_KEY: "secret-key-value", WANDB_BASE_URL: closed });
  assert.equal(auto.code, 0, auto.stderr);
  assert.equal(JSON.parse(auto.stdout).backend, "local");
  assert.equal(auto.stderr.match(/W&B not used \(Cannot reach W&B at/g)?.length, 1, auto.stderr);
  assert.ok(!auto.stderr.includes("secret-key-value"), "the key is never printed");

  const plain = await probe("auto", {});
  const parsed = JSON.parse(plain.stdout);
  assert.equal(parsed.backend, "local");
  assert.match(parsed.dir, /sentilab_be_.*\/store$/, "SENTILAB_DIR chooses the store");
  assert.equal(plain.stderr, "");

  const project = await runScript(
    `const r = await t.initRun(); await t.finishRun(r); console.log(r.project);`,
    { WANDB_PROJECT: "from-env" },
  );
  assert.equal(project.stdout.trim(), "from-env");
});
