/**
 * Console output of a run: recorded in the local store from initRun to finishRun (still printed), sent
 * to W&B as `output.log` lines at their own offsets by `deno task sync`, once; `captureConsole: false`
 * records nothing; nested runs restore the console when the last one ends.
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { finishRun, getOutput, getSyncStatus, initRun } from "../lib/tracking/mod.ts";
import { startEmulator } from "./wandb_emulator.ts";
import { PROJECT_CONFIG } from "./_task_env.ts";

const KEY = "o".repeat(20) + "sEcReT" + "p".repeat(14);
const ROOT = fileURLToPath(new URL("../", import.meta.url));
const MOD = new URL("../lib/tracking/mod.ts", import.meta.url).href;

const PROGRAM = `
import * as t from "${MOD}";
const [dir, capture] = Deno.args;
console.log("before the run");
const run = await t.initRun({ project: "out", tracker: "local", dir, captureConsole: capture !== "off" });
console.log(JSON.stringify({ id: run.id }));
console.log("epoch %d loss %s", 1, "0.5");
console.info({ acc: 0.75, labels: ["neg", "pos"] });
console.warn("two\\nlines");
console.error("x".repeat(10_050));
t.logMetrics(run, { loss: 0.5 });
await t.finishRun(run);
console.log("after the run");
`;

async function deno(args: string[], env: Record<string, string>) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [args[0], ...PROJECT_CONFIG, ...args.slice(1)],
    env: { ...env, NO_COLOR: "1", RUST_BACKTRACE: "0" },
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("console output is recorded, printed as before, synced as output.log once, in order", async () => {
  const emu = await startEmulator({ apiKey: KEY, loud: false });
  const dir = await Deno.makeTempDir({ prefix: "sentilab_output_" });
  try {
    await Deno.writeTextFile(`${dir}/program.ts`, PROGRAM);
    const store = `${dir}/store`;
    const p = await deno(["run", "-A", `${dir}/program.ts`, store], {});
    assert.equal(p.code, 0, p.stderr);
    // Printing is unchanged.
    const printed = p.stdout.split("\n");
    assert.equal(printed[0], "before the run");
    assert.ok(printed.includes("epoch 1 loss 0.5"));
    assert.ok(printed.includes("after the run"));
    assert.match(p.stderr, /two\nlines/);
    const id = JSON.parse(printed[1]).id as string;

    const lines = getOutput(id, { dir: store });
    const texts = lines.map((l) => l.text);
    const long = `${"x".repeat(10_000)} … (+50 chars)`;
    assert.deepEqual(texts, [
      JSON.stringify({ id }),
      "epoch 1 loss 0.5",
      "{ acc: 0.75, labels: [ 'neg', 'pos' ] }",
      "two",
      "lines",
      long,
    ]);
    assert.deepEqual(lines.map((l) => l.stream), [
      "stdout",
      "stdout",
      "stdout",
      "stderr",
      "stderr",
      "stderr",
    ]);
    assert.equal(getSyncStatus(id, { dir: store, target: emu.url })!.pending.outputLines, 6);

    const env = { SENTILAB_DIR: store, WANDB_BASE_URL: emu.url, WANDB_API_KEY: KEY };
    const sync = await deno(["run", "-A", "tasks/sync.ts", "--all"], env);
    assert.equal(sync.code, 0, sync.stderr);
    assert.match(sync.stdout, /6 output lines/);
    const remote = emu.state().runs[`emu-user/out/${id}`];
    assert.ok(remote, "the run is on the emulator");
    assert.equal(remote.output.length, 6);
    // the SDK's output.log form: UTC, six fractional digits, no `Z`
    // (wandb/wandb core/internal/runconsolelogs/runlogschangemodel.go `LegacyFormat`)
    const times = lines.map((l) => `${l.time.slice(0, 23)}000`);
    assert.deepEqual(
      remote.output,
      lines.map((l, i) => `${l.stream === "stderr" ? "ERROR " : ""}${times[i]} ${texts[i]}`),
    );
    assert.ok(remote.output.every((l) => /^(ERROR )?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6} /.test(l)));
    assert.equal(remote.complete, true);
    assert.equal(getSyncStatus(id, { dir: store, target: emu.url })!.synced, true);

    // A second sync sends nothing new.
    const before = emu.state().counts;
    const again = await deno(["run", "-A", "tasks/sync.ts", "--all"], env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /up to date/);
    const after = emu.state().counts;
    assert.equal(after.file_stream ?? 0, before.file_stream ?? 0, "no file_stream post");
    assert.equal(emu.state().runs[`emu-user/out/${id}`].output.length, 6);

    // `deno task runs <id>` shows the last lines.
    const shown = await deno(["run", "-A", "tasks/runs.ts", id, "--last", "3"], env);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /Output \(last 3 lines\)\n/);
    assert.match(shown.stdout, /! two\n {2}! lines\n {2}! x{113}\.\.\./);
  } finally {
    await emu.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("captureConsole: false records nothing, and nothing is sent", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sentilab_output_" });
  try {
    await Deno.writeTextFile(`${dir}/program.ts`, PROGRAM);
    const p = await deno(["run", "-A", `${dir}/program.ts`, `${dir}/store`, "off"], {});
    assert.equal(p.code, 0, p.stderr);
    assert.match(p.stdout, /epoch 1 loss 0.5/);
    const id = JSON.parse(p.stdout.split("\n")[1]).id as string;
    assert.deepEqual(getOutput(id, { dir: `${dir}/store` }), []);
    assert.equal(getSyncStatus(id, { dir: `${dir}/store` })!.pending.outputLines, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("nested runs: the first installs the capture, the last restores the console", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sentilab_output_" });
  const original = { log: console.log, warn: console.warn };
  const printed: string[] = [];
  console.log = (...args: unknown[]) => void printed.push(args.join(" "));
  const mine = console.log;
  try {
    const a = await initRun({ tracker: "local", dir });
    assert.notEqual(console.log, mine, "wrapped");
    console.log("one");
    const b = await initRun({ tracker: "local", dir });
    console.log("two");
    await finishRun(a);
    assert.notEqual(console.log, mine, "still wrapped while b is active");
    console.log("three");
    await finishRun(b);
    assert.equal(console.log, mine, "restored when the last run ends");
    console.log("four");
    assert.deepEqual(printed, ["one", "two", "three", "four"], "printing unchanged");
    assert.deepEqual(getOutput(a.id, { dir }).map((l) => l.text), ["one", "two"]);
    assert.deepEqual(getOutput(b.id, { dir }).map((l) => l.text), ["two", "three"]);
    assert.equal(console.warn, original.warn);
  } finally {
    console.log = original.log;
    await Deno.remove(dir, { recursive: true });
  }
});
