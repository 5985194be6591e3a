// `deno task ui` as a user runs it (a subprocess): it prints the URL, serves it, and Ctrl-C stops it;
// a taken port is a clear error naming a free one; --export writes the static page.
import assert from "node:assert/strict";
import { join } from "node:path";
import { makeUiFixture } from "./_ui_fixture.ts";
import { DENO_DIR, ROOT, runTask } from "./_task_env.ts";

Deno.test("deno task ui: prints the URL, serves the store, stops on SIGINT with exit 0", async () => {
  const root = await Deno.makeTempDir();
  try {
    const f = await makeUiFixture(root, 10);
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--node-modules-dir=manual", "tasks/ui.ts", "--dir", f.dir, "--port", "0"],
      cwd: ROOT,
      env: { NO_COLOR: "1", DENO_DIR, HOME: root },
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    // Bounded: a child that never prints its URL is killed after 30 s (the read below then ends).
    const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let out = "";
    const deadline = Date.now() + 30_000;
    while (!/sentilab ui: (\S+)/.test(out) && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      out += value;
    }
    const url = /sentilab ui: (\S+)/.exec(out)?.[1];
    assert.ok(url, `no URL printed: ${out}`);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await (await fetch(url)).text();
    assert.ok(page.includes(f.alpha), "the runs list shows the fixture's runs");
    child.kill("SIGINT");
    const status = await child.status;
    reader.releaseLock();
    await child.stdout.cancel().catch(() => {});
    await child.stderr.cancel();
    clearTimeout(killer);
    assert.equal(status.code, 0);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("deno task ui: a taken port names a free one (exit 1); --export writes the page", async () => {
  const root = await Deno.makeTempDir();
  const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const f = await makeUiFixture(root, 10);
    const port = (busy.addr as Deno.NetAddr).port;
    const r = await runTask("tasks/ui.ts", ["--dir", f.dir, "--port", String(port)], { HOME: root });
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      new RegExp(`error: Port ${port} on 127\\.0\\.0\\.1 is already in use.*Try --port \\d+`),
    );
    const out = join(root, "page");
    const e = await runTask("tasks/ui.ts", ["--dir", f.dir, "--export", f.alpha, out], { HOME: root });
    assert.equal(e.code, 0, e.stderr);
    assert.match(e.stdout, /wrote .*index\.html and 2 charts/);
    assert.ok((await Deno.readTextFile(join(out, "index.html"))).includes("<svg"));
    const missing = await runTask("tasks/ui.ts", ["--dir", join(root, "none")], { HOME: root });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No tracking store/);
  } finally {
    busy.close();
    await Deno.remove(root, { recursive: true });
  }
});
