// A run the program does not finish is ended by how the program ends, as with the W&B SDK: normal end,
// uncaught errors, Deno.exit(n), SIGINT/SIGTERM, and SIGKILL (crashed, found on the next open). Each path
// runs a real subprocess (tests/_lifecycle_child.ts) with the project's config.
import assert from "node:assert/strict";
import { getHistory, getOutput, getRun, type RunRecord } from "../lib/tracking/mod.ts";
import { runChild as runChildProcess, runTask } from "./_task_env.ts";

const CHILD = "tests/_lifecycle_child.ts";

interface Ended {
  code: number;
  signal: Deno.Signal | null;
  stdout: string;
  stderr: string;
  run: RunRecord;
  output: string[];
}

/** Runs the child in `mode`; with `signal`, sends it once the child printed "ready". */
async function runChild(dir: string, mode: string, signal?: Deno.Signal): Promise<Ended> {
  const { code, signal: killedBy, stdout, stderr } = await runChildProcess(
    [CHILD, mode, dir],
    { HOME: dir },
    signal,
  );
  const id = /run (\w+)/.exec(stdout)?.[1];
  assert.ok(id, `the child printed its run id:\n${stdout}\n${stderr}`);
  const run = getRun(id, { dir });
  assert.ok(run, `run ${id} is in the store`);
  return {
    code,
    signal: killedBy,
    stdout,
    stderr,
    run,
    output: getOutput(id, { dir }).map((o) => o.text),
  };
}

async function inTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "sentilab_life_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a run still open at the normal end is finished with exit code 0, output kept to the end", () =>
  inTemp(async (dir) => {
    const r = await runChild(dir, "normal");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.run.status, "finished");
    assert.equal(r.run.exitCode, 0);
    assert.ok(r.run.endedAt);
    assert.equal(r.run.summary.loss, 0.25);
    assert.deepEqual(r.output.slice(-2), ["before the end", "the last line"]);
  }));

for (
  const [mode, kind, text] of [
    ["throw", "Error", "boom at the top level"],
    ["timer", "SyntaxError", "JSON"],
    ["reject", "RangeError", "nobody caught this"],
  ] as const
) {
  Deno.test(`an uncaught error (${mode}) marks the run failed, exit code 1, message and stack kept`, () =>
    inTemp(async (dir) => {
      const r = await runChild(dir, mode);
      assert.equal(r.code, 1, "the process still exits 1");
      assert.match(r.stderr, new RegExp(`error: Uncaught .*${kind}`), "the error is still printed");
      assert.equal(r.run.status, "failed");
      assert.equal(r.run.exitCode, 1);
      const error = r.run.summary._error as { message: string; stack: string };
      assert.ok(error.message.startsWith(`${kind}: `) && error.message.includes(text), error.message);
      assert.match(error.stack, /at /, "the stack is kept");
      assert.ok(
        r.output.some((l) => l.includes(`Uncaught`) && l.includes(kind)),
        "the error is in the output",
      );
      const shown = await runTask("tasks/runs.ts", [r.run.id, "--dir", dir], { HOME: dir });
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(shown.stdout, new RegExp(`^Run ${r.run.id} .*  failed\\n`));
      assert.match(shown.stdout, new RegExp(`\\nError\\n  ${kind}: `));
    }));
}

Deno.test("a normal end with Deno.exitCode = 4 records exit code 4 (failed)", () =>
  inTemp(async (dir) => {
    const r = await runChild(dir, "exitcode");
    assert.equal(r.code, 4);
    assert.equal(r.run.status, "failed");
    assert.equal(r.run.exitCode, 4);
  }));

Deno.test("Deno.exit(3) records exit code 3 (failed)", () =>
  inTemp(async (dir) => {
    const r = await runChild(dir, "exit");
    assert.equal(r.code, 3);
    assert.equal(r.run.status, "failed");
    assert.equal(r.run.exitCode, 3);
    assert.equal(r.run.summary.loss, 0.25);
    assert.equal(r.output.at(-1), "before the end");
  }));

for (
  const [signal, recorded, processCode] of [["SIGINT", 255, 130], ["SIGTERM", 143, 143]] as const
) {
  Deno.test(`${signal} records the run killed with exit code ${recorded}`, () =>
    inTemp(async (dir) => {
      const r = await runChild(dir, "wait", signal);
      assert.equal(r.code, processCode);
      assert.equal(r.run.status, "killed");
      assert.equal(r.run.exitCode, recorded);
      assert.ok(r.run.endedAt);
      assert.equal(r.output.at(-1), "ready");
    }));
}

Deno.test("SIGKILL, which no handler sees, leaves the run to be found crashed on the next open", () =>
  inTemp(async (dir) => {
    const r = await runChild(dir, "wait", "SIGKILL");
    assert.equal(r.signal, "SIGKILL");
    assert.equal(r.run.status, "crashed");
    assert.equal(r.run.exitCode, null);
  }));

Deno.test("calls at one step merge into one row also when the process dies with the row open", () =>
  inTemp(async (dir) => {
    const r = await runChild(dir, "merge-kill");
    assert.equal(r.signal, "SIGKILL");
    assert.equal(r.run.status, "crashed");
    const history = getHistory(r.run.id, { dir });
    assert.deepEqual(history.map((h) => [h.step, h.values]), [
      [0, { loss: 0.5 }],
      [1, { loss: 0.25 }],
      [7, { a: 1, b: 2 }],
    ]);
  }));
