// Data safety of the tracking store: torn journal records, blobs changed or deleted on disk, manifest
// names that would escape a folder, reads while flushing fails, and the one rule for NaN/Infinity/undefined.
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { chmodSync, existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  finishRun,
  getHistory,
  getRun,
  getTableRows,
  initRun,
  listRuns,
  logArtifact,
  logMetrics,
  logTable,
  openStore,
  setSummary,
  TrackingError,
  useArtifact,
} from "../lib/tracking/mod.ts";
import { checkFilePath } from "../lib/tracking/wandb/_names.ts";
import { PROJECT_CONFIG, ROOT } from "./_task_env.ts";
import { warnings } from "./_warnings.ts";

const LIB = new URL("../lib/tracking/mod.ts", import.meta.url).href;

async function withTemp(fn: (root: string) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "sentilab_safety_" });
  try {
    await fn(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("a torn journal record is skipped on replay; the records before and after it are kept", async () => {
  await withTemp(async (root) => {
    await Deno.writeTextFile(
      `${root}/child.ts`,
      `import { initRun, logMetrics } from "${LIB}";
const dir = Deno.args[0];
const run = await initRun({ dir, strict: true, captureConsole: false });
logMetrics(run, { a: 1 }, { step: 0 });
logMetrics(run, { a: 2 }, { step: 1 });
// What a short write on a full disk leaves: the first half of what one call writes (a record with its
// newline, wherever the format puts it), then the next call's record.
const journal = dir + "/journal/" + run.id + ".log";
const text = Deno.readTextFileSync(journal);
const lastLine = text.split("\\n").filter((l) => l !== "").pop()!;
const record = text.endsWith("\\n") ? lastLine + "\\n" : "\\n" + lastLine;
Deno.writeTextFileSync(journal, record.slice(0, Math.floor(record.length / 2)), { append: true });
logMetrics(run, { a: 3 }, { step: 2 });
console.log(run.id);
Deno.kill(Deno.pid, "SIGKILL");
`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", ...PROJECT_CONFIG, `${root}/child.ts`, `${root}/store`],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.signal, "SIGKILL", new TextDecoder().decode(out.stderr));
    const runId = new TextDecoder().decode(out.stdout).trim();
    const store = openStore({ dir: `${root}/store` });
    assert.deepEqual(store.crashed, [runId]);
    store.close();
    const history = getHistory(runId, { dir: `${root}/store` });
    assert.deepEqual(history.map((h) => [h.step, h.values]), [[0, { a: 1 }], [1, { a: 2 }], [2, { a: 3 }]]);
    const run = getRun(runId, { dir: `${root}/store` })!;
    assert.equal(run.status, "crashed");
    // The store holds only valid JSON.
    const db = new DatabaseSync(`${root}/store/store.db`);
    for (const r of db.prepare("SELECT data FROM history").all()) JSON.parse(String(r.data));
    db.close();
  });
});

Deno.test("reads do not throw while flushing the journal fails; the rows arrive once it works again", async () => {
  await withTemp(async (root) => {
    const dir = `${root}/store`;
    const run = await initRun({ dir, captureConsole: false });
    logMetrics(run, { a: 1 });
    // Every insert into history now fails, as on a full disk.
    const db = new DatabaseSync(`${dir}/store.db`);
    db.exec(
      "CREATE TRIGGER full BEFORE INSERT ON history BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END",
    );
    const got = getRun(run.id, { dir });
    assert.equal(got?.status, "running");
    assert.deepEqual(getHistory(run.id, { dir }), []);
    logMetrics(run, { a: 2 });
    db.exec("DROP TRIGGER full");
    db.close();
    await finishRun(run);
    assert.deepEqual(getHistory(run.id, { dir }).map((h) => h.values), [{ a: 1 }, { a: 2 }]);
  });
});

async function loggedArtifact(root: string) {
  await Deno.writeTextFile(`${root}/a.txt`, "the right content\n");
  const run = await initRun({ dir: `${root}/store`, strict: true, captureConsole: false });
  const v = (await logArtifact(run, { name: "data", type: "dataset", files: [`${root}/a.txt`] }))!;
  await finishRun(run);
  return v;
}

Deno.test("a blob changed on disk is not served (path, download) and logging the content again repairs it", async () => {
  await withTemp(async (root) => {
    const v = await loggedArtifact(root);
    const run = await initRun({ dir: `${root}/store`, strict: true, captureConsole: false });
    const used = (await useArtifact(run, "data:v0"))!;
    const blob = used.path("a.txt");
    assert.equal(await Deno.readTextFile(blob), "the right content\n");
    chmodSync(blob, 0o644);
    writeFileSync(blob, "tampered content!\n");
    assert.throws(() => used.path("a.txt"), (e: Error) => {
      assert.ok(e instanceof TrackingError);
      assert.match(e.message, /data:v0/);
      assert.match(e.message, /'a\.txt'/);
      assert.match(e.message, /changed on disk/);
      return true;
    });
    await assert.rejects(used.download(`${root}/out`), /data:v0.*'a\.txt'.*changed on disk/s);
    assert.equal(existsSync(`${root}/out/a.txt`), false);
    await assert.rejects(useArtifact(run, "data:latest").then((u) => u!.path("a.txt")), /changed on disk/);
    // Logging the right content again repairs the stored copy (same version: identical content).
    const again = (await logArtifact(run, { name: "data", type: "dataset", files: [`${root}/a.txt`] }))!;
    assert.equal(again.version, v.version);
    assert.equal(await Deno.readTextFile(used.path("a.txt")), "the right content\n");
    await used.download(`${root}/out`);
    assert.equal(await Deno.readTextFile(`${root}/out/a.txt`), "the right content\n");
    await finishRun(run);
  });
});

Deno.test("a deleted blob gives an error naming the version and file, not ENOENT", async () => {
  await withTemp(async (root) => {
    await loggedArtifact(root);
    const run = await initRun({ dir: `${root}/store`, strict: true, captureConsole: false });
    const used = (await useArtifact(run, "data:v0"))!;
    await Deno.remove(used.path("a.txt"));
    assert.throws(() => used.path("a.txt"), /Artifact data:v0: file 'a\.txt' is missing from the store/);
    await assert.rejects(used.download(`${root}/out`), /data:v0: file 'a\.txt' is missing/);
    await finishRun(run);
  });
});

Deno.test("manifest names that would leave the target folder are refused everywhere", async () => {
  await withTemp(async (root) => {
    await loggedArtifact(root);
    const db = new DatabaseSync(`${root}/store/store.db`);
    const manifest = JSON.parse(String(db.prepare("SELECT manifest FROM artifact_versions").get()!.manifest));
    const entry = manifest.contents["a.txt"];
    const bad = ["../../../escape.txt", "a\\..\\..\\b.txt", "x\u0007y.txt", "/abs.txt"];
    manifest.contents = Object.fromEntries(bad.map((n) => [n, entry]));
    db.prepare("UPDATE artifact_versions SET manifest = ?").run(JSON.stringify(manifest));
    db.close();
    const run = await initRun({ dir: `${root}/store`, strict: true, captureConsole: false });
    const used = (await useArtifact(run, "data:v0"))!;
    await Deno.mkdir(`${root}/deep/er/target`, { recursive: true });
    await assert.rejects(used.download(`${root}/deep/er/target`), /data:v0.*file name/s);
    assert.equal(existsSync(`${root}/deep/escape.txt`), false);
    assert.equal(existsSync(`${root}/escape.txt`), false);
    assert.deepEqual(readdirSync(`${root}/deep/er/target`), []);
    for (const n of bad) assert.throws(() => used.path(n), /file name/);
    // The same rule when logging, and in the W&B client.
    for (const n of bad) {
      await assert.rejects(
        logArtifact(run, { name: "bad", type: "dataset", files: [{ path: `${root}/a.txt`, name: n }] }),
        /file name/,
      );
      assert.throws(() => checkFilePath("file name in the manifest of 'x'", n), /Invalid file name/);
    }
    await finishRun(run);
  });
});

Deno.test("table cells NaN, Infinity and undefined are refused like config, summary and metrics", async () => {
  await withTemp(async (root) => {
    const dir = join(root, "store");
    const run = await initRun({ dir, strict: true, captureConsole: false });
    const cases: [unknown, RegExp][] = [
      [NaN, /row 1, column 'score' is NaN.*use a finite number, or null/],
      [Infinity, /row 1, column 'score' is Infinity/],
      [-Infinity, /row 1, column 'score' is -Infinity/],
      [undefined, /row 1, column 'score' is undefined.*use null/],
      [{ deep: [1, NaN] }, /row 1, column 'score'\.deep\[1\] is NaN/],
    ];
    for (const [cell, message] of cases) {
      await assert.rejects(
        logTable(run, "t", { columns: ["text", "score"], rows: [["ok", 1], ["bad", cell]] }),
        (e: Error) => e instanceof TrackingError && message.test(e.message),
      );
      if (cell !== undefined) assert.throws(() => setSummary(run, { score: cell }), TrackingError);
    }
    await logTable(run, "t", { columns: ["text", "score"], rows: [["ok", 1], ["none", null]] });
    assert.deepEqual(getTableRows(run.id, "t", { dir })!.rows, [["ok", 1], ["none", null]]);
    await finishRun(run);
    // Without strict: one warning, no table stored with a silent null.
    const loose = await initRun({ dir, captureConsole: false });
    const warned = await warnings(() => logTable(loose, "u", { columns: ["score"], rows: [[NaN]] }));
    assert.match(warned.join("\n"), /row 0, column 'score' is NaN/);
    assert.equal(getTableRows(loose.id, "u", { dir }), null);
    await finishRun(loose);
  });
});

Deno.test("a damaged or emptied store.db: a clear error naming it and what to do, and nothing more written", async () => {
  await withTemp(async (root) => {
    const dir = join(root, "store");
    const run = await initRun({ dir, captureConsole: false });
    logMetrics(run, { a: 1 });
    await finishRun(run);
    openStore({ dir }).close(); // checkpoints the WAL into store.db
    for (const f of ["store.db-wal", "store.db-shm"]) await Deno.remove(join(dir, f)).catch(() => {});
    for (
      const [what, bytes] of [["emptied", new Uint8Array()], [
        "garbage",
        new Uint8Array(8192).fill(7),
      ]] as const
    ) {
      await Deno.writeFile(join(dir, "store.db"), bytes);
      assert.throws(() => listRuns({ dir }), (e: Error) => {
        assert.match(e.message, new RegExp(`The tracking database '${dir}/store\\.db' is damaged`), what);
        assert.match(e.message, /Restore it from a backup, or move it aside to start a fresh store: mv /);
        assert.doesNotMatch(e.message, /writable folder/);
        return true;
      });
      assert.throws(() => getRun(run.id, { dir }), /is damaged/);
      // A new run does not write into it: one warning, the console backend, the file unchanged.
      const warn = console.warn;
      const warnings: string[] = [];
      console.warn = (m: string) => warnings.push(m);
      let next;
      try {
        next = await initRun({ dir, captureConsole: false, tracker: "local" });
        logMetrics(next, { a: 2 });
        await finishRun(next);
      } finally {
        console.warn = warn;
      }
      assert.equal(next.backend, "console");
      assert.match(warnings.join("\n"), /is damaged/);
      assert.deepEqual(await Deno.readFile(join(dir, "store.db")), bytes);
      await assert.rejects(initRun({ dir, strict: true, captureConsole: false }), /is damaged/);
    }
  });
});

Deno.test("table chunks left by a process killed mid-logTable are reclaimed", async () => {
  await withTemp(async (root) => {
    await Deno.writeTextFile(
      `${root}/child.ts`,
      `import { initRun, logTable } from "${LIB}";
const run = await initRun({ dir: Deno.args[0], strict: true, captureConsole: false });
console.log(run.id);
const data = Array.from({ length: 80_000 }, (_, i) => [i, "row " + i]);
// Killed while the rows are being stored (after the first 50,000 went into SQLite).
const rows = new Proxy(data, {
  get(t, p, r) {
    if (p === "60000") Deno.kill(Deno.pid, "SIGKILL");
    return Reflect.get(t, p, r);
  },
});
await logTable(run, "big", { columns: ["i", "text"], rows });
`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", ...PROJECT_CONFIG, `${root}/child.ts`, `${root}/store`],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.signal, "SIGKILL", new TextDecoder().decode(out.stderr));
    const db = new DatabaseSync(`${root}/store/store.db`);
    const chunks = () => Number(db.prepare("SELECT COUNT(*) AS n FROM table_chunks").get()!.n);
    assert.ok(chunks() >= 50, `the killed child left ${chunks()} chunks`);
    const store = openStore({ dir: `${root}/store` }); // marks the run crashed, reclaims its table
    store.close();
    assert.equal(chunks(), 0);
    assert.equal(Number(db.prepare("SELECT COUNT(*) AS n FROM tables").get()!.n), 0);
    db.close();
  });
});

Deno.test("artifact names '.' and names with bidirectional control characters are refused", async () => {
  await withTemp(async (root) => {
    await Deno.writeTextFile(`${root}/a.txt`, "x");
    const run = await initRun({ dir: `${root}/store`, strict: true, captureConsole: false });
    for (const name of [".", "model\u202Etxt.onnx", "a\u2066b", "x\u200Fy"]) {
      await assert.rejects(
        logArtifact(run, { name, type: "dataset", files: [`${root}/a.txt`] }),
        (e: Error) => e instanceof TrackingError && /cannot be '\.'|bidirectional control/.test(e.message),
      );
    }
    await finishRun(run);
  });
});

Deno.test("a config nested 5,000 levels: a readable warning, and a clear error with strict", async () => {
  await withTemp(async (root) => {
    let deep: Record<string, unknown> = { v: 1 };
    for (let i = 0; i < 5000; i++) deep = { a: deep };
    const warn = console.warn;
    const warnings: string[] = [];
    console.warn = (m: string) => warnings.push(m);
    try {
      const run = await initRun({ dir: `${root}/store`, config: { deep, lr: 0.1 }, captureConsole: false });
      assert.deepEqual(run.config, { lr: 0.1 });
      await finishRun(run);
    } finally {
      console.warn = warn;
    }
    assert.match(
      warnings.join("\n"),
      /dropped an invalid option.*: config\.deep is nested more than 100 levels deep/,
    );
    await assert.rejects(
      initRun({ dir: `${root}/store`, config: { deep }, strict: true }),
      (e: Error) =>
        e instanceof TrackingError && /config\.deep is nested more than 100 levels/.test(e.message),
    );
  });
});
