/**
 * Tests that change the process's environment, each in a child process of its own.
 *
 * `deno test --parallel` runs test files concurrently in ONE process, and environment variables belong to
 * the process: a WANDB_API_KEY or HF_ENDPOINT set by one file's test would reach another file's tests
 * running at the same time. A test that sets the environment is declared with {@linkcode ownProcessTest}:
 * it runs in a child `deno test` process of its own, and only there may it call `Deno.env.set`.
 * @module
 */
import { dirname } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";

const OWN_PROCESS = "SENTILAB_TEST_OWN_PROCESS";
const ROOT = dirname(dirname(fromFileUrl(import.meta.url)));

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** Whether this process is the child `deno test` of an {@linkcode ownProcessTest}. */
export function inOwnProcess(): boolean {
  return Deno.env.get(OWN_PROCESS) === "1";
}

/**
 * Declares a test that may change the environment: in the test run it spawns `deno test` on this file,
 * filtered to this test, in a child process (the project's config, cwd and node_modules), and fails with
 * the child's output when the child fails or does not run exactly this one test. In the child, `fn` runs.
 *
 * @example
 * ```ts
 * ownProcessTest(import.meta.url, "HF_HUB_OFFLINE=1 stops downloads", async () => {
 *   Deno.env.set("HF_HUB_OFFLINE", "1"); // this child process only
 * });
 * ```
 */
export function ownProcessTest(file: string, name: string, fn: () => Promise<void>): void {
  if (inOwnProcess()) {
    Deno.test(name, fn);
    return;
  }
  Deno.test(name, async () => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["test", "-A", "--no-check", `--filter=/^${escapeRegExp(name)}$/`, fromFileUrl(file)],
      cwd: ROOT,
      env: { [OWN_PROCESS]: "1", NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    if (!out.success || !/\bok \| 1 passed \| 0 failed\b/.test(text)) {
      throw new Error(`"${name}" failed in its own process (exit ${out.code}):\n${text}`);
    }
  });
}
