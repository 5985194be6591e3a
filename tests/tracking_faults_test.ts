// Faults: a process killed with SIGKILL mid-logging, and 8 processes logging versions of one name at once.
import assert from "node:assert/strict";
import { getHistory, getRun, listArtifactVersions, listRuns, openStore } from "../lib/tracking/mod.ts";
import { PROJECT_CONFIG } from "./_task_env.ts";

const LIB = new URL("../lib/tracking/mod.ts", import.meta.url).href;

Deno.test("SIGKILL mid-logging: every returned call is stored and the run shows as crashed", async () => {
  const root = await Deno.makeTempDir({ prefix: "sentilab_kill_" });
  try {
    await Deno.writeTextFile(
      `${root}/child.ts`,
      `import { initRun, logMetrics, logTable } from "${LIB}";
const run = await initRun({ dir: Deno.args[0], strict: true });
console.log("run " + run.id);
await logTable(run, "early", { columns: ["i"], rows: [[1], [2]] });
for (let step = 0; ; step++) {
  logMetrics(run, { loss: 1 / (step + 1), step2: step * 2 }, { step });
  console.log(step);
}
`,
    );
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", ...PROJECT_CONFIG, `${root}/child.ts`, `${root}/store`],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    let killed = false;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
      const lines = text.split("\n").length;
      if (!killed && (lines > 3000 || Date.now() > deadline)) {
        child.kill("SIGKILL");
        killed = true;
      }
    }
    const status = await child.status;
    await child.stderr.cancel();
    assert.equal(status.signal, "SIGKILL");
    // Only complete lines were printed after logMetrics returned.
    const lines = text.split("\n");
    lines.pop(); // possibly partial
    const runId = lines.shift()!.replace("run ", "");
    const printed = lines.map(Number);
    assert.ok(printed.length >= 1000, `child printed ${printed.length} steps`);

    const store = openStore({ dir: `${root}/store` });
    assert.deepEqual(store.crashed, [runId]);
    const history = getHistory(runId, { dir: `${root}/store` });
    const stored = new Set(history.map((h) => h.step));
    const missing = printed.filter((s) => !stored.has(s));
    assert.deepEqual(missing, [], "every step whose logMetrics returned is in the store");
    assert.ok(history.length >= printed.length);
    for (const h of history.slice(0, 50)) {
      assert.deepEqual(h.values, { loss: 1 / (h.step + 1), step2: h.step * 2 });
    }
    const run = getRun(runId, { dir: `${root}/store` })!;
    assert.equal(run.status, "crashed");
    assert.equal(run.endedAt, null);
    assert.deepEqual(run.tables.map((t) => [t.key, t.rowCount]), [["early", 2]]);
    assert.deepEqual(listRuns({ dir: `${root}/store`, status: "crashed" }).map((r) => r.id), [runId]);
    store.close();
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("8 processes logging versions of one name get v0..v7, no gaps, no duplicates", async () => {
  const root = await Deno.makeTempDir({ prefix: "sentilab_conc_" });
  try {
    await Deno.writeTextFile(
      `${root}/child.ts`,
      `import { finishRun, initRun, logArtifact } from "${LIB}";
const [dir, i, root] = Deno.args;
await Deno.writeTextFile(\`\${root}/file-\${i}.txt\`, "content of process " + i);
const run = await initRun({ dir, strict: true, name: "writer-" + i });
const v = await logArtifact(run, { name: "shared", type: "dataset", files: [\`\${root}/file-\${i}.txt\`] });
await finishRun(run);
console.log(JSON.stringify({ version: v!.version, digest: v!.digest, run: run.id }));
`,
    );
    const children = Array.from({ length: 8 }, (_, i) =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", ...PROJECT_CONFIG, `${root}/child.ts`, `${root}/store`, String(i), root],
        stdout: "piped",
        stderr: "piped",
      }).output());
    const outputs = await Promise.all(children);
    const results = outputs.map((o) => {
      assert.equal(o.code, 0, new TextDecoder().decode(o.stderr));
      return JSON.parse(new TextDecoder().decode(o.stdout));
    });
    const versions = results.map((r) => r.version).sort((a, b) => a - b);
    assert.deepEqual(versions, [0, 1, 2, 3, 4, 5, 6, 7]);
    const stored = listArtifactVersions("shared", { dir: `${root}/store` });
    assert.deepEqual(stored.map((v) => v.version), [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.equal(new Set(stored.map((v) => v.digest)).size, 8);
    for (const r of results) {
      const v = stored[r.version];
      assert.equal(v.digest, r.digest);
      assert.equal(v.createdBy, r.run);
    }
    assert.deepEqual(stored.filter((v) => v.aliases.includes("latest")).length, 1);
    const runs = listRuns({ dir: `${root}/store` });
    assert.equal(runs.length, 8);
    assert.ok(runs.every((r) => r.status === "finished"));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
