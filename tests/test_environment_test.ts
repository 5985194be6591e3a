// `deno test --parallel` runs test files concurrently in one process, which has one environment: a variable
// one file's test sets (WANDB_API_KEY, HF_ENDPOINT, ...) reaches the tests of other files running at the
// same time. Tests give settings as options, or set variables only in a process of their own
// (tests/_own_process.ts, or a child script `*_child.ts` started with its own `env`).
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { withWandbEnv } from "./_wandb_env.ts";

const TESTS = fileURLToPath(new URL(".", import.meta.url));
/** The helpers that change the environment, and only inside an ownProcessTest's child process. */
const GUARDED = new Set(["_own_process.ts", "_wandb_env.ts"]);
const SETS_ENV =
  /Deno\.env\.(set|delete)\s*\(|process\.env(\.[\w$]+|\[[^\]]+\])\s*=(?!=)|delete\s+process\.env/;

async function* sources(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory && e.name !== "fixtures") yield* sources(path);
    else if (e.isFile && e.name.endsWith(".ts")) yield path;
  }
}

Deno.test("no test file changes the environment of the shared test process", async () => {
  const offenders: string[] = [];
  let scanned = 0;
  for await (const path of sources(TESTS)) {
    const name = relative(TESTS, path);
    if (GUARDED.has(name) || name.endsWith("_child.ts")) continue;
    scanned++;
    const lines = (await Deno.readTextFile(path)).split("\n");
    lines.forEach((line, i) => {
      if (SETS_ENV.test(line)) offenders.push(`tests/${name}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.ok(scanned > 20, `only ${scanned} test sources found under ${TESTS}`);
  assert.deepEqual(
    offenders,
    [],
    "pass settings as options, or declare the test with ownProcessTest (tests/_own_process.ts)",
  );
});

Deno.test("withWandbEnv refuses to run in the shared test process", async () => {
  const before = Deno.env.get("WANDB_BASE_URL");
  let ran = false;
  await assert.rejects(
    withWandbEnv("http://127.0.0.1:9", "k".repeat(40), () => {
      ran = true;
      return Promise.resolve();
    }),
    /declare the test with ownProcessTest/,
  );
  assert.equal(ran, false);
  assert.equal(Deno.env.get("WANDB_BASE_URL"), before);
});
