/**
 * W&B as a replica of the local store, end to end against the loopback emulator: a tracked run in a
 * subprocess with `tracker: "wandb"` (the background uploader), `deno task sync`, and faults (500 storm,
 * 429, refused at start, server dying mid-run, hung request, SIGKILL of our process, bad answers). Every
 * scenario ends with everything on the emulator exactly once, and a second sync sending nothing.
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { getRun, getSyncStatus, getTableRows } from "../lib/tracking/mod.ts";
import { type Emulator, type EmulatorState, startEmulator } from "./wandb_emulator.ts";
import { PROJECT_CONFIG } from "./_task_env.ts";

const KEY = "k".repeat(20) + "sEcReT" + "q".repeat(14);
const ROOT = fileURLToPath(new URL("../", import.meta.url));
const MOD = new URL("../lib/tracking/mod.ts", import.meta.url).href;

/** The tracked program: the one flow's tracking calls. Args: workdir, steps, mode (fast|slow|hang). */
const FLOW = `
import * as t from "${MOD}";
const [dir, stepsArg, mode] = Deno.args;
const steps = Number(stepsArg);
await Deno.writeTextFile(dir + "/data.jsonl", '{"text":"good","label":"positive"}\\n{"text":"bad","label":"negative"}\\n');
await Deno.mkdir(dir + "/model", { recursive: true });
await Deno.writeTextFile(dir + "/model/lexicon.json", '{"good":1,"bad":-1}');
await Deno.writeTextFile(dir + "/model/card.md", "# lexicon");
const run = await t.initRun({
  project: "sentiment", name: "flow", group: "g1", jobType: "evaluate", tags: ["a", "b"], notes: "n1",
  config: { model: "lexicon", batch: 8 }, tracker: "wandb",
});
console.log(JSON.stringify({ id: run.id, backend: run.backend }));
await t.useArtifact(run, { name: "sample-data", type: "dataset", files: [dir + "/data.jsonl"] });
await t.logModelArtifact(run, dir + "/model", { name: "lexicon", aliases: ["baseline"], use: true });
for (let i = 0; i < steps; i++) {
  t.logMetrics(run, { loss: 1 / (i + 1), acc: i / steps });
  if (mode !== "fast") await new Promise((r) => setTimeout(r, 15));
}
await t.useArtifact(run, "sample-data:v0", { aliases: ["golden"] });
await t.logTable(run, "predictions", { columns: ["text", "pred"], rows: [["good", "positive"], ["bad", "negative"]] });
await Deno.writeTextFile(dir + "/report.json", JSON.stringify({ accuracy: 0.9 }));
await t.logArtifact(run, { name: "report", type: "evaluation", files: [dir + "/report.json"] }, { aliases: ["best"] });
t.setSummary(run, { accuracy: 0.9 });
if (mode === "hang") {
  console.log("logged");
  await new Promise((r) => setTimeout(r, 600_000));
}
await t.finishRun(run);
`;

interface Proc {
  code: number;
  stdout: string;
  stderr: string;
}

interface Ctx {
  emu: Emulator;
  dir: string;
  store: string;
  env: Record<string, string>;
}

async function withCtx(fn: (c: Ctx) => Promise<void>): Promise<void> {
  const emu = await startEmulator({ apiKey: KEY, loud: false });
  const dir = await Deno.makeTempDir({ prefix: "sentilab_replica_" });
  await Deno.writeTextFile(`${dir}/flow.ts`, FLOW);
  const env = {
    WANDB_BASE_URL: emu.url,
    WANDB_API_KEY: KEY,
    SENTILAB_DIR: `${dir}/store`,
    SENTILAB_WANDB_INTERVAL_MS: "50",
    SENTILAB_WANDB_FLUSH_MS: "4000",
    SENTILAB_WANDB_CHECK_MS: "3000",
    NO_COLOR: "1",
  };
  try {
    await fn({ emu, dir, store: `${dir}/store`, env });
  } finally {
    await emu.close();
    await Deno.remove(dir, { recursive: true });
  }
}

function spawn(args: string[], env: Record<string, string>): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [args[0], ...PROJECT_CONFIG, ...args.slice(1)],
    env: { ...env, RUST_BACKTRACE: "0" },
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function done(p: Deno.ChildProcess): Promise<Proc> {
  const out = await p.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

function flow(c: Ctx, steps = 30, mode = "fast", env: Record<string, string> = {}): Deno.ChildProcess {
  return spawn(["run", "-A", `${c.dir}/flow.ts`, c.dir, String(steps), mode], { ...c.env, ...env });
}

function sync(c: Ctx, ...args: string[]): Promise<Proc> {
  return done(spawn(["run", "-A", "tasks/sync.ts", ...args], c.env));
}

function runIdOf(p: Proc): string {
  return JSON.parse(p.stdout.split("\n")[0]).id;
}

function committed(s: EmulatorState, collection: string) {
  return Object.values(s.artifacts).filter((a) => a.collection === collection && a.state === "COMMITTED");
}

/**
 * Everything the store holds for the run is on the emulator, exactly once. A finished run must hold the
 * whole flow (dataset and model used, 1 table, the report logged); a killed one whatever it got to.
 */
function assertReplica(c: Ctx, id: string, opts: { exitcode?: number } = {}): void {
  const s = c.emu.state();
  const r = s.runs[`emu-user/sentiment/${id}`];
  assert.ok(r, `run ${id} on the emulator: ${Object.keys(s.runs)}`);
  assert.deepEqual(r.config, { model: "lexicon", batch: 8 });
  assert.equal(r.displayName, "flow");
  assert.equal(r.group, "g1");
  assert.equal(r.jobType, "evaluate");
  assert.deepEqual(r.tags, ["a", "b"]);
  assert.equal(r.notes, "n1");
  const local = getRun(id, { dir: c.store })!;
  if ((opts.exitcode ?? 0) === 0) {
    assert.equal(local.tables.length, 1);
    assert.deepEqual(local.used.map((v) => v.ref).sort(), ["lexicon:v0", "sample-data:v0"]);
    assert.deepEqual(local.produced.map((v) => v.ref), ["report:v0"]);
  }
  // History: every stored row once, in order, plus the table's line (unless the table went into the line
  // of the metrics row of its step, not sent yet when the table was replayed); no hole, no extra line.
  const merged = r.history.filter((l) => l && "predictions" in l && "loss" in l).length;
  assert.equal(
    r.history.length,
    local.historyCount + local.tables.length - merged,
    "history lines = rows + tables not merged into a row",
  );
  assert.ok(r.history.every((l) => l !== null), "no hole");
  const metricLines = r.history.filter((l) => "loss" in l!);
  assert.deepEqual(metricLines.map((l) => l!._step), [...Array(local.historyCount).keys()]);
  assert.deepEqual(
    metricLines.map((l) => l!.loss),
    [...Array(local.historyCount).keys()].map((i) => 1 / (i + 1)),
  );
  // An ended run's summary is the one finishRun stored; a crashed run's holds the metrics' summary over the
  // lines it sent, as the SDK leaves it when its process dies (each flush updates it: wandb/wandb
  // core/internal/stream/handler.go `updateSummary`).
  assert.equal(r.summary.loss, local.endedAt === null ? 1 / local.historyCount : local.summary.loss);
  assert.equal(r.summary.accuracy, local.summary.accuracy);
  assert.equal(r.complete, true);
  assert.equal(r.exitcode, opts.exitcode ?? 0);
  // Run files.
  assert.ok(r.files["config.yaml"], Object.keys(r.files).join(","));
  assert.match(r.files["config.yaml"].text, /batch:\n\s+desc: null\n\s+value: 8/);
  assert.ok(r.files["wandb-metadata.json"]);
  const one = (name: string) => {
    const list = committed(s, name);
    assert.equal(list.length, 1, `${name}: ${list.length} committed versions`);
    return list[0];
  };
  if (local.tables.length) {
    const tableLine = r.history.find((l) => l && "predictions" in l)!;
    const tv = tableLine.predictions as Record<string, unknown>;
    assert.equal(tv._type, "table-file");
    assert.equal(tv.nrows, 2);
    assert.deepEqual(r.summary.predictions, tv);
    const tableFile = r.files[String(tv.path)];
    assert.ok(tableFile, `run file ${tv.path}`);
    assert.deepEqual(
      JSON.parse(tableFile.text).data,
      getTableRows(id, "predictions", { dir: c.store })!.rows,
    );
    const table = one(`run-${id}-predictions`);
    assert.equal(table.type, "run_table");
    assert.ok(r.outputs.includes(table.id), "the table artifact is an output");
  }
  // Artifacts: each version once, same digest and type, with its aliases; lineage edges.
  const inputs: string[] = [];
  for (const v of local.used) {
    const a = one(v.name);
    assert.equal(a.digest, v.digest, `${v.ref} digest`);
    assert.equal(a.type, v.type);
    assert.ok(a.usedBy.includes(`emu-user/sentiment/${id}`), `${v.ref} used by the run`);
    assert.deepEqual(a.aliases.sort(), [...v.aliases].sort(), `${v.ref} aliases`);
    inputs.push(a.id);
  }
  assert.deepEqual(r.inputs.sort(), inputs.sort(), "inputs");
  for (const v of local.produced) {
    const a = one(v.name);
    assert.equal(a.digest, v.digest, `${v.ref} digest`);
    assert.equal(a.versionIndex, v.version);
    assert.deepEqual(a.aliases.sort(), [...v.aliases].sort());
    assert.ok(r.outputs.includes(a.id), `${v.ref} is an output`);
  }
  if (local.used.some((v) => v.name === "lexicon")) {
    assert.deepEqual(one("lexicon").aliases.sort(), ["baseline", "latest"]);
  }
  if (local.tables.length) assert.deepEqual(one("sample-data").aliases.sort(), ["golden", "latest"]);
  assert.equal(getSyncStatus(id, { dir: c.store, target: c.emu.url })!.synced, true);
}

/** A second sync sends nothing but the capability check. */
async function assertSecondSyncSendsNothing(c: Ctx): Promise<void> {
  const before = c.emu.state().counts;
  const again = await sync(c, "--all");
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /up to date/);
  const after = c.emu.state().counts;
  const diff = Object.fromEntries(
    Object.keys(after).filter((k) => after[k] !== (before[k] ?? 0)).map((
      k,
    ) => [k, after[k] - (before[k] ?? 0)]),
  );
  assert.deepEqual(diff, { Viewer: 1 }, "a second sync sends only Viewer");
}

function wandbLines(text: string): string[] {
  return text.split("\n").filter((l) => /W&B|wandb/i.test(l));
}

Deno.test("replica: a tracked run reaches W&B whole while it runs; sync afterwards sends nothing", async () => {
  await withCtx(async (c) => {
    const p = await done(flow(c, 40, "slow"));
    assert.equal(p.code, 0, p.stderr);
    assert.equal(p.stderr, "", "no warning when W&B answers");
    const id = runIdOf(p);
    assert.equal(JSON.parse(p.stdout.split("\n")[0]).backend, "wandb");
    assertReplica(c, id);
    const dry = await sync(c, "--dry-run", "--json");
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(JSON.parse(dry.stdout).runs[0].outcome, "up-to-date");
    await assertSecondSyncSendsNothing(c);
    const runs = await done(spawn(["run", "-A", "tasks/runs.ts"], c.env));
    assert.equal(runs.code, 0, runs.stderr);
    assert.match(runs.stdout, new RegExp(`${id}.*synced`));
  });
});

Deno.test("replica: connection refused at start warns once, runs locally, and sync uploads it later", async () => {
  await withCtx(async (c) => {
    await c.emu.down();
    const p = await done(flow(c, 25));
    assert.equal(p.code, 0, p.stderr);
    const id = runIdOf(p);
    assert.equal(JSON.parse(p.stdout.split("\n")[0]).backend, "local");
    const warn = wandbLines(p.stderr);
    assert.equal(warn.length, 1, p.stderr);
    assert.match(warn[0], /W&B not used \(Cannot reach W&B at .*deno task sync/);
    assert.equal(getRun(id, { dir: c.store })!.status, "finished");
    await c.emu.up();
    const dry = await sync(c, id, "--dry-run");
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /would send: run metadata, run files, 25 history rows, 1 table \(predictions\)/);
    assert.equal(c.emu.state().counts.UpsertBucket ?? 0, 0, "a dry run sends nothing");
    const s = await sync(c, id);
    assert.equal(s.code, 0, s.stderr + s.stdout);
    assertReplica(c, id);
    await assertSecondSyncSendsNothing(c);
  });
});

Deno.test("replica: a storm of 500s and 429s with RateLimit-Reset: everything lands once", async () => {
  await withCtx(async (c) => {
    c.emu.inject("UpsertBucket", { status: 500, times: 4 });
    c.emu.inject("file_stream", { status: 503, times: 6 });
    c.emu.inject("CreateArtifact", { status: 502, times: 3 });
    c.emu.inject("CreateRunFiles", { status: 429, rateLimitReset: 1, times: 2 });
    const p = await done(flow(c, 30, "slow"));
    assert.equal(p.code, 0, p.stderr);
    const id = runIdOf(p);
    const faulted = () => c.emu.state().requests.filter((r) => r.fault).length;
    assert.ok(faulted() >= 4, `the live uploader met the faults: ${faulted()}`);
    const s = await sync(c, "--all");
    assert.equal(s.code, 0, s.stderr + s.stdout);
    assert.equal(faulted(), 15, "every injected fault was met");
    assertReplica(c, id);
    await assertSecondSyncSendsNothing(c);
    assert.ok(!p.stderr.includes(KEY));
  });
});

Deno.test("replica: the server dying mid-run and coming back: everything lands once", async () => {
  await withCtx(async (c) => {
    const child = flow(c, 150, "slow");
    const deadline = Date.now() + 60_000;
    const hasHistory = () => Object.values(c.emu.state().runs).some((r) => r.history.length > 5);
    while (!hasHistory() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(hasHistory(), "the uploader sends history while the run goes on");
    await c.emu.down();
    await new Promise((r) => setTimeout(r, 800));
    await c.emu.up();
    const p = await done(child);
    assert.equal(p.code, 0, p.stderr);
    const id = runIdOf(p);
    const s = await sync(c, "--all");
    assert.equal(s.code, 0, s.stderr + s.stdout);
    assertReplica(c, id);
    await assertSecondSyncSendsNothing(c);
  });
});

Deno.test("replica: a hung request does not hang the run: bounded flush at finish, then sync", async () => {
  await withCtx(async (c) => {
    c.emu.inject("file_stream", { hang: true, times: 1 });
    const p = await done(flow(c, 20, "fast", { SENTILAB_WANDB_FLUSH_MS: "1500" }));
    assert.equal(p.code, 0, p.stderr);
    const id = runIdOf(p);
    const warn = wandbLines(p.stderr);
    assert.equal(warn.length, 1, p.stderr);
    assert.match(warn[0], /W&B has not got all of run \w+ yet.*history rows.*deno task sync/);
    assert.equal(getSyncStatus(id, { dir: c.store, target: c.emu.url })!.synced, false);
    const s = await sync(c, id);
    assert.equal(s.code, 0, s.stderr + s.stdout);
    assertReplica(c, id);
    await assertSecondSyncSendsNothing(c);
  });
});

Deno.test("replica: SIGKILL of our own process mid-run, then sync sends the rest once", async () => {
  await withCtx(async (c) => {
    const child = flow(c, 80, "hang");
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let out = "";
    const deadline = Date.now() + 60_000;
    while (!out.includes("\n") && Date.now() < deadline) {
      const { value, done: end } = await reader.read();
      if (end) break;
      out += value;
    }
    const id = JSON.parse(out.split("\n")[0]).id;
    // Kill the process hard as soon as the uploader has sent some history.
    const remote = () => c.emu.state().runs[`emu-user/sentiment/${id}`];
    while (!(remote()?.history.length > 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill("SIGKILL");
    await child.status;
    reader.releaseLock();
    await child.stdout.cancel().catch(() => {});
    await child.stderr.cancel();
    const sent = remote().history.length;
    assert.equal(remote().complete, false);
    const s = await sync(c, "--all");
    assert.equal(s.code, 0, s.stderr + s.stdout);
    const local = getRun(id, { dir: c.store })!;
    assert.equal(local.status, "crashed");
    assert.ok(sent > 0 && local.historyCount > 0, `killed after ${sent} lines of ${local.historyCount}`);
    assertReplica(c, id, { exitcode: 1 });
    await assertSecondSyncSendsNothing(c);
  });
});

Deno.test("replica: bad answers (not JSON, GraphQL errors, a rejected upload) warn clearly, lose nothing", async () => {
  await withCtx(async (c) => {
    c.emu.inject("UpsertBucket", { body: "<html>proxy error</html>", times: 1 });
    c.emu.inject("CreateArtifact", { graphqlErrors: ["permission denied on entity"], times: 1 });
    c.emu.inject("storage_put", { status: 403, times: 1 });
    const p = await done(flow(c, 20, "slow", { SENTILAB_WANDB_FLUSH_MS: "3000" }));
    assert.equal(p.code, 0, p.stderr);
    const id = runIdOf(p);
    const faulted = c.emu.state().requests.filter((r) => r.fault).map((r) => r.op).sort();
    assert.deepEqual(faulted, ["CreateArtifact", "UpsertBucket", "storage_put"]);
    const warn = wandbLines(p.stderr);
    assert.ok(warn.length >= 1 && warn.length <= 2, p.stderr);
    assert.match(
      warn[0],
      /W&B upload of run \w+ is behind \(W&B answered 'UpsertBucket' with a body that is not JSON/,
    );
    const local = getRun(id, { dir: c.store })!;
    assert.equal(local.historyCount, 20);
    assert.equal(local.produced.length, 1);
    const s = await sync(c, "--all");
    assert.equal(s.code, 0, s.stderr + s.stdout);
    assertReplica(c, id);
    await assertSecondSyncSendsNothing(c);
  });
});

Deno.test("replica: the API key is nowhere in the store, the journal, artifact files or the output", async () => {
  await withCtx(async (c) => {
    const child = flow(c, 10, "hang");
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let out = "";
    const deadline = Date.now() + 60_000;
    while (!out.includes("logged") && Date.now() < deadline) {
      const { value, done: end } = await reader.read();
      if (end) break;
      out += value;
    }
    child.kill("SIGKILL"); // leaves the journal behind
    await child.status;
    reader.releaseLock();
    await child.stdout.cancel().catch(() => {});
    const stderr = await new Response(child.stderr).text();
    c.emu.inject("CreateArtifact", { graphqlErrors: [`bad key ${KEY}`], times: 1 });
    const s = await sync(c, "--all");
    const s2 = await sync(c, "--all");
    const b64 = btoa(`api:${KEY}`);
    const texts = [out, stderr, s.stdout, s.stderr, s2.stdout, s2.stderr];
    const files: string[] = [];
    const walk = async (d: string) => {
      for await (const e of Deno.readDir(d)) {
        const p = `${d}/${e.name}`;
        if (e.isDirectory) await walk(p);
        else files.push(p);
      }
    };
    await walk(c.dir);
    assert.ok(files.some((f) => f.endsWith("store.db")) && files.some((f) => f.includes("/files/")));
    for (const f of files) {
      const bytes = new TextDecoder("latin1").decode(await Deno.readFile(f));
      assert.ok(!bytes.includes(KEY) && !bytes.includes(b64), `key found in ${f}`);
    }
    for (const t of texts) assert.ok(!t.includes(KEY) && !t.includes(b64), `key found in output: ${t}`);
    assert.match(s.stdout + s.stderr, /\*\*\*/, "the server's echo of the key is redacted");
  });
});

Deno.test("replica: a record W&B can never take (a name outside its alphabet) is skipped once, the rest lands", async () => {
  await withCtx(async (c) => {
    await Deno.writeTextFile(`${c.dir}/notes.txt`, "notes");
    await Deno.writeTextFile(
      `${c.dir}/odd.ts`,
      `import * as t from "${MOD}";
const run = await t.initRun({ project: "sentiment", tracker: "wandb" });
console.log(JSON.stringify({ id: run.id }));
await t.logArtifact(run, { name: "my notes", type: "notes", files: [${
        JSON.stringify(`${c.dir}/notes.txt`)
      }] });
for (let i = 0; i < 5; i++) t.logMetrics(run, { x: i });
await t.finishRun(run);`,
    );
    const p = await done(spawn(["run", "-A", `${c.dir}/odd.ts`], c.env));
    assert.equal(p.code, 0, p.stderr);
    const id = runIdOf(p);
    const warn = wandbLines(p.stderr);
    assert.equal(warn.length, 1, p.stderr);
    assert.match(
      warn[0],
      /W&B cannot take part of run \w+: Cannot save artifact 'my notes': names are .*local store only/,
    );
    const remote = c.emu.state().runs[`emu-user/sentiment/${id}`];
    assert.deepEqual(remote.history.map((h) => h!.x), [0, 1, 2, 3, 4]);
    assert.equal(remote.complete, true);
    assert.equal(Object.keys(c.emu.state().artifacts).length, 0);
    const s = await sync(c, "--all");
    assert.equal(s.code, 0, s.stderr);
    assert.match(
      s.stdout,
      new RegExp(
        `${id}  up to date\\n  skipped for good \\(W&B cannot take it\\): Cannot save artifact 'my notes'`,
      ),
    );
    await assertSecondSyncSendsNothing(c);
  });
});

Deno.test("replica: syncing a later run first keeps the lineage: the first user of a version is its creator", async () => {
  await withCtx(async (c) => {
    await Deno.writeTextFile(`${c.dir}/data.jsonl`, '{"text":"a"}\n');
    await Deno.writeTextFile(
      `${c.dir}/two.ts`,
      `import * as t from "${MOD}";
const ids = [];
for (const name of ["first", "second"]) {
  const run = await t.initRun({ project: "sentiment", name, tracker: "local" });
  await t.useArtifact(run, { name: "shared-data", type: "dataset", files: [${
        JSON.stringify(`${c.dir}/data.jsonl`)
      }] });
  t.logMetrics(run, { x: 1 });
  await t.finishRun(run);
  ids.push(run.id);
}
console.log(JSON.stringify(ids));`,
    );
    const p = await done(spawn(["run", "-A", `${c.dir}/two.ts`], c.env));
    assert.equal(p.code, 0, p.stderr);
    const [first, second] = JSON.parse(p.stdout);
    const s2 = await sync(c, second);
    assert.equal(s2.code, 0, s2.stderr + s2.stdout);
    const s = await sync(c, "--all");
    assert.equal(s.code, 0, s.stderr + s.stdout);
    assert.match(s.stdout, new RegExp(`${first}  sent: run files, 1 history row, summary, exit code`));
    const versions = committed(c.emu.state(), "shared-data");
    assert.equal(versions.length, 1);
    assert.equal(versions[0].createdBy, `emu-user/sentiment/${first}`);
    assert.deepEqual(
      versions[0].usedBy.sort(),
      [`emu-user/sentiment/${first}`, `emu-user/sentiment/${second}`].sort(),
    );
    await assertSecondSyncSendsNothing(c);
  });
});
