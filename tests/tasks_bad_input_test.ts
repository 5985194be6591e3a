// Bad command-line input is refused with a message that says what is wrong, exit 1, nothing tracked.
import assert from "node:assert/strict";
import { runTask } from "./_task_env.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "sentilab-bad-input-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("evaluate --data FILE that does not exist says so (not 'cannot tell the format')", async () => {
  await withDir(async (dir) => {
    const r = await runTask("tasks/evaluate.ts", ["--model", "lexicon", "--data", `${dir}/x.txt`], {
      SENTILAB_DIR: `${dir}/store`,
      HOME: dir,
    });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`${dir}/x\\.txt: the file does not exist`));
    assert.doesNotMatch(r.stderr, /cannot tell the format|pass format/);
    await assert.rejects(Deno.stat(`${dir}/store/store.db`), Deno.errors.NotFound);
  });
});

Deno.test("number flags take plain decimals only: --limit 0x10, ' 5', 1e1 and '' are refused", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/d.csv`, "text,label\ngood,positive\nbad,negative\n");
    for (const v of ["0x10", " 5", "1e1", "", "5 "]) {
      const r = await runTask("tasks/evaluate.ts", [
        "--model",
        "lexicon",
        "--data",
        `${dir}/d.csv`,
        `--limit=${v}`,
      ], {
        SENTILAB_DIR: `${dir}/store`,
        HOME: dir,
      });
      assert.equal(r.code, 1, `--limit ${JSON.stringify(v)}: ${r.stderr}`);
      assert.match(
        r.stderr,
        new RegExp(
          `--limit must be a positive integer, got ${JSON.stringify(JSON.stringify(v)).slice(1, -1)}`,
        ),
      );
    }
    const r = await runTask("tasks/train.ts", [
      "--train",
      `${dir}/d.csv`,
      "--val",
      `${dir}/d.csv`,
      "--out",
      `${dir}/m`,
      "--seed",
      "0x10",
    ], {
      SENTILAB_DIR: `${dir}/store`,
      HOME: dir,
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--seed must be an integer, got "0x10"/);
  });
});
