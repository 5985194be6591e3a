// Read-only opening of the store (issue 11, item 8): readers (runs, artifacts, the viewer) open a store
// without writing to it, and a store on read-only media can be read at all.
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import {
  finishRun,
  getArtifactVersion,
  getHistory,
  getLineage,
  getRun,
  getSyncStatus,
  getTableRows,
  initRun,
  listArtifacts,
  listRuns,
  logArtifact,
  logMetrics,
  logTable,
} from "../lib/tracking/mod.ts";
import { Store } from "../lib/tracking/_store.ts";
import { assertNotWritten, snapshot } from "./_store_snapshot.ts";
import { runTask } from "./_task_env.ts";

/** A small store: one finished run with metrics, a table and an artifact, and one run whose process died. */
async function makeStore(root: string): Promise<{ dir: string; finished: string; dead: string }> {
  const dir = join(root, "store");
  await Deno.writeTextFile(join(root, "notes.txt"), "hello\n");
  const run = await initRun({ dir, project: "ro", name: "done", tracker: "local", captureConsole: false });
  for (let step = 0; step < 5; step++) logMetrics(run, { loss: 1 / (step + 1) });
  await logTable(run, "preds", { columns: ["text", "label"], rows: [["a", "positive"], ["b", "negative"]] });
  await logArtifact(run, { name: "notes", type: "dataset", files: [join(root, "notes.txt")] });
  await finishRun(run);
  const dead = await initRun({ dir, project: "ro", name: "dead", tracker: "local", captureConsole: false });
  await finishRun(dead);
  Store.connect(dir).close(); // checkpoints the WAL: store.db alone holds everything
  // Make the second run look like one whose process died while running (another pid, another start token).
  const db = new DatabaseSync(join(dir, "store.db"));
  db.prepare(
    "UPDATE runs SET status = 'running', ended_at = NULL, exit_code = NULL, pid = ?, start_token = ? " +
      "WHERE id = ?",
  ).run(2147483646, "gone", dead.id);
  db.close();
  return { dir, finished: run.id, dead: dead.id };
}

Deno.test("readOnly reads a store without writing to it: dead runs are reported crashed, not marked", async () => {
  const root = await Deno.makeTempDir();
  try {
    const { dir, finished, dead } = await makeStore(root);
    const before = snapshot(dir);
    const opts = { dir, readOnly: true };
    const runs = listRuns(opts);
    assert.deepEqual(runs.map((r) => [r.name, r.status]).sort(), [["dead", "crashed"], ["done", "finished"]]);
    const run = getRun(finished, opts)!;
    assert.deepEqual(run.tables.map((t) => t.key), ["preds"]);
    assert.deepEqual(run.produced.map((v) => v.ref), ["notes:v0"]);
    assert.deepEqual(getHistory(finished, opts).length, 5);
    assert.deepEqual(getTableRows(finished, "preds", opts)?.rows, [["a", "positive"], ["b", "negative"]]);
    assert.deepEqual(listArtifacts(opts).map((a) => a.name), ["notes"]);
    assert.deepEqual(getArtifactVersion("notes:latest", opts)?.fileCount, 1);
    assert.deepEqual(getLineage("notes:v0", opts)?.producedBy.map((l) => l.runId), [finished]);
    assert.deepEqual(getSyncStatus(finished, opts)?.never, true);
    // `deno task runs`' listing: the sync states on the same read-only open, as getSyncStatus gives them.
    assert.deepEqual(
      listRuns({ ...opts, sync: true }),
      runs.map((r) => ({ ...r, sync: getSyncStatus(r.id, opts)! })),
    );
    Store.openReadOnly(dir).close();
    // Nothing written: the same files with the same bytes, apart from SQLite's empty coordination files.
    assertNotWritten(dir, before);
    const db = new DatabaseSync(join(dir, "store.db"), { readOnly: true });
    const row = db.prepare("SELECT status FROM runs WHERE id = ?").get(dead) as { status: string };
    db.close();
    assert.deepEqual(row.status, "running", "the reader must not mark the dead run crashed in the store");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("readOnly on a missing store is the usual clear error and creates nothing", async () => {
  const root = await Deno.makeTempDir();
  try {
    let message = "";
    try {
      listRuns({ dir: join(root, "nothing"), readOnly: true });
    } catch (e) {
      message = (e as Error).message;
    }
    assert.ok(message.includes("No tracking store"), message);
    assert.deepEqual([...Deno.readDirSync(root)].length, 0);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

/** Whether this machine lets us mount a read-only bind in a private mount namespace. */
function canMountReadOnly(): boolean {
  try {
    const probe = new Deno.Command("unshare", {
      args: ["-m", "sh", "-c", "mount --bind /tmp /tmp && mount -o remount,ro,bind /tmp"],
      stdout: "null",
      stderr: "null",
    }).outputSync();
    return probe.success;
  } catch {
    return false;
  }
}

const readOnlyMedia = canMountReadOnly();
if (!readOnlyMedia) {
  console.warn(
    "tracking_read_only_test: 'unshare -m' + 'mount -o remount,ro,bind' is not permitted here, so the " +
      "read-only media test is skipped (it runs as root on Linux, as in CI)",
  );
}

Deno.test({
  name: "a store on read-only media: deno task runs and artifacts read it (read-only bind mount)",
  ignore: !readOnlyMedia,
  fn: async () => {
    const root = await Deno.makeTempDir();
    try {
      const { dir, finished } = await makeStore(root);
      // Inside a private mount namespace the store folder is re-mounted read-only, then the tasks run.
      const script =
        `mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" && touch "$1/probe" 2>/dev/null ` +
        `&& { echo "the folder is still writable" >&2; exit 9; }; ` +
        `"$2" run -A --node-modules-dir=manual tasks/runs.ts --dir "$1" && "$2" run -A --node-modules-dir=manual tasks/runs.ts "$3" --dir "$1" && ` +
        `"$2" run -A --node-modules-dir=manual tasks/artifacts.ts --dir "$1" && "$2" run -A --node-modules-dir=manual tasks/artifacts.ts notes:v0 --dir "$1"`;
      const before = snapshot(dir);
      const out = await runUnshared(script, [dir, Deno.execPath(), finished]);
      assert.deepEqual(out.code, 0, `tasks failed on a read-only store:\n${out.stdout}\n${out.stderr}`);
      assert.ok(out.stdout.includes(finished), out.stdout);
      assert.ok(out.stdout.includes("crashed"), out.stdout); // the dead run, reported without writing
      assert.ok(out.stdout.includes("notes"), out.stdout);
      assert.ok(out.stdout.includes("loss"), out.stdout);
      assert.deepEqual(snapshot(dir), before, "nothing may appear or change in a read-only store");
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test({
  name: "a store on read-only media: deno task ui serves every page type and exports a run page",
  ignore: !readOnlyMedia,
  fn: async () => {
    const root = await Deno.makeTempDir();
    try {
      const { dir, finished } = await makeStore(root);
      const out = join(root, "export");
      const script =
        `mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" && touch "$1/probe" 2>/dev/null ` +
        `&& { echo "the folder is still writable" >&2; exit 9; }; ` +
        `"$2" run -A --node-modules-dir=manual tests/_ui_read_only_child.ts "$1" "$3" && ` +
        `"$2" run -A --node-modules-dir=manual tasks/ui.ts --dir "$1" --export "$3" "$4"`;
      const before = snapshot(dir);
      const res = await runUnshared(script, [dir, Deno.execPath(), finished, out]);
      assert.equal(res.code, 0, `the viewer failed on a read-only store:\n${res.stdout}\n${res.stderr}`);
      const statuses = res.stdout.split("\n").filter((l) => /^\d{3} /.test(l));
      assert.equal(statuses.length, 10, res.stdout);
      assert.deepEqual(statuses.filter((l) => !l.startsWith("200 ")), [], res.stdout);
      assert.ok((await Deno.readTextFile(join(out, "index.html"))).includes(finished));
      assert.deepEqual(snapshot(dir), before, "nothing may appear or change in a read-only store");
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

/** Runs `sh -c script` in a private mount namespace from the repository root with the given arguments. */
async function runUnshared(script: string, args: string[]) {
  // runTask gives the child the project's config, Deno's cache and a clean environment; here the "script"
  // is the unshare wrapper, so call it the same way through a tiny shim.
  const shim = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    await Deno.writeTextFile(
      shim,
      `const out = new Deno.Command("unshare", { args: ${
        JSON.stringify(["-m", "sh", "-c", script, "sh", ...args])
      }, ` +
        `stdout: "inherit", stderr: "inherit" }).outputSync();\nDeno.exit(out.code);\n`,
    );
    return await runTask(shim, [], {});
  } finally {
    await Deno.remove(shim);
  }
}

Deno.test("readOnly on a damaged database says it is damaged (and writes nothing)", async () => {
  const root = await Deno.makeTempDir();
  try {
    const dir = join(root, "store");
    await Deno.mkdir(dir);
    await Deno.writeTextFile(join(dir, "store.db"), "this is not a database ".repeat(100));
    const before = snapshot(dir);
    assert.throws(() => listRuns({ dir, readOnly: true }), /is damaged/);
    assert.throws(
      () => listRuns({ dir }),
      /is damaged/,
      "the read-write path does not fall back to read-only",
    );
    assert.deepEqual(snapshot(dir).get("store.db"), before.get("store.db"));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
