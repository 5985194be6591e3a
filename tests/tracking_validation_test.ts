// Bad input: every case gets an error that names the problem, and nothing is half-written.
import assert from "node:assert/strict";
import {
  finishRun,
  getHistory,
  getRun,
  getTableRows,
  initRun,
  listArtifacts,
  logArtifact,
  logMetrics,
  logTable,
  type Run,
  setSummary,
  TrackingError,
  useArtifact,
} from "../lib/tracking/mod.ts";

const BIG = "x".repeat(1024 * 1024 + 1);

async function withRun(fn: (run: Run, root: string, store: string) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "sentilab_val_" });
  try {
    const run = await initRun({ dir: `${root}/store`, strict: true });
    await fn(run, root, `${root}/store`);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

async function blobCount(store: string): Promise<number> {
  let n = 0;
  for await (const d of Deno.readDir(`${store}/files`)) {
    for await (const _ of Deno.readDir(`${store}/files/${d.name}`)) n++;
  }
  return n;
}

Deno.test("invalid artifact names and aliases are refused with the reason", async () => {
  await withRun(async (run, root, store) => {
    await Deno.writeTextFile(`${root}/f.txt`, "x");
    const files = [`${root}/f.txt`];
    const cases: Array<[string, RegExp]> = [
      ["", /names cannot be empty/],
      ["a/b", /Cannot log artifact 'a\/b': names cannot contain '\/'/],
      ["a:b", /names cannot contain ':'/],
      ["a..b", /names cannot contain '\.\.'/],
      ["..", /names cannot contain '\.\.'/],
      ["n".repeat(129), /longer than 128 characters/],
    ];
    for (const [name, re] of cases) {
      await assert.rejects(() => logArtifact(run, { name, type: "model", files }), (e: Error) => {
        assert.ok(e instanceof TrackingError);
        assert.match(e.message, re);
        return true;
      });
    }
    assert.ok(
      await logArtifact(run, { name: "n".repeat(128), type: "model", files }),
      "128 characters is fine",
    );
    const aliasCases: Array<[string, RegExp]> = [
      ["v3", /aliases cannot look like a version index \('v3'\)/],
      ["", /aliases cannot be empty/],
      ["a/b", /aliases cannot contain '\/'/],
      ["x:y", /aliases cannot contain ':'/],
      ["..", /aliases cannot contain '\.\.'/],
      ["a".repeat(129), /aliases cannot be longer than 128/],
    ];
    for (const [alias, re] of aliasCases) {
      await assert.rejects(
        () => logArtifact(run, { name: "ok", type: "model", files }, { aliases: [alias] }),
        re,
      );
      await assert.rejects(() => useArtifact(run, "n".repeat(128), { aliases: [alias] }), re);
    }
    await assert.rejects(
      () => logArtifact(run, { name: "ok", type: "a/b", files }),
      /types cannot contain '\/'/,
    );
    await assert.rejects(() => useArtifact(run, "bad/name:v0"), /Invalid artifact reference 'bad\/name:v0'/);
    // Nothing was written for the refused calls: only the 128-character artifact exists.
    assert.deepEqual(listArtifacts({ dir: store }).map((a) => a.name), ["n".repeat(128)]);
    assert.equal(await blobCount(store), 1);
    await finishRun(run);
  });
});

Deno.test("missing files and symlinks pointing outside a folder are refused before anything is copied", async () => {
  await withRun(async (run, root, store) => {
    await Deno.mkdir(`${root}/model`);
    await Deno.writeTextFile(`${root}/model/ok.txt`, "fine");
    await Deno.writeTextFile(`${root}/secret.txt`, "outside");
    await assert.rejects(
      () => logArtifact(run, { name: "m", type: "model", files: [`${root}/model`, `${root}/nope.bin`] }),
      /Cannot log artifact 'm': file '.*nope\.bin' does not exist/,
    );
    await Deno.symlink(`${root}/secret.txt`, `${root}/model/link.txt`);
    await assert.rejects(
      () => logArtifact(run, { name: "m", type: "model", files: [`${root}/model`] }),
      /'.*model\/link\.txt' is a symlink pointing outside '.*model' \(to '.*secret\.txt'\)/,
    );
    await assert.rejects(
      () => logArtifact(run, { name: "m", type: "model", files: [] }),
      /'files' must list at least one file/,
    );
    // File names inside an artifact (the `name` of a file entry) get one clean sentence.
    const entryCases: Array<[string, string]> = [
      [
        "../evil.txt",
        "the file name '../evil.txt' has an empty, '.' or '..' path segment; " +
        "names inside an artifact must stay inside it (e.g. 'data/train.jsonl')",
      ],
      [
        "a//b.txt",
        "the file name 'a//b.txt' has an empty, '.' or '..' path segment; " +
        "names inside an artifact must stay inside it (e.g. 'data/train.jsonl')",
      ],
      ["/etc/x", "the file name '/etc/x' starts with '/'; names inside an artifact are relative"],
      ["", "a file name inside an artifact cannot be empty"],
    ];
    for (const [name, message] of entryCases) {
      await assert.rejects(
        () => logArtifact(run, { name: "m", type: "model", files: [{ path: `${root}/model/ok.txt`, name }] }),
        (e: Error) => {
          assert.equal(e.message, `Cannot log artifact 'm': ${message}`);
          return true;
        },
      );
    }
    assert.deepEqual(listArtifacts({ dir: store }), []);
    assert.equal(await blobCount(store), 0);
    // A symlink that stays inside the folder is followed.
    await Deno.remove(`${root}/model/link.txt`);
    await Deno.symlink(`${root}/model/ok.txt`, `${root}/model/alias.txt`);
    const v = (await logArtifact(run, { name: "m", type: "model", files: [`${root}/model`] }))!;
    assert.deepEqual(Object.keys(v.manifest.contents), ["alias.txt", "ok.txt"]);
    await finishRun(run);
  });
});

Deno.test("metrics that are not finite numbers are refused and not stored", async () => {
  await withRun(async (run, _root, store) => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ loss: NaN }, /'loss' is NaN; metric values must be finite numbers/],
      [{ loss: Infinity }, /'loss' is Infinity/],
      [{ loss: -Infinity }, /'loss' is -Infinity/],
      [{ loss: "0.5" }, /'loss' is "0\.5" \(string\)/],
      [{ loss: null }, /'loss' is null/],
      [{ ok: 1, cm: [[1, 2], [3, 4]] }, /'cm' is an array/],
      [{}, /no values given/],
    ];
    for (const [values, re] of cases) {
      assert.throws(() => logMetrics(run, values as Record<string, number>), re);
    }
    assert.throws(
      () => logMetrics(run, { a: 1 }, { step: -1 }),
      /step must be a non-negative integer, got -1/,
    );
    assert.throws(() => logMetrics(run, { a: 1 }, { step: 1.5 }), /step must be a non-negative integer/);
    assert.deepEqual(getHistory(run.id, { dir: store }), []);
    await finishRun(run);
  });
});

Deno.test("a value over 1 MB is refused in config, summary, table cells and metadata", async () => {
  const root = await Deno.makeTempDir({ prefix: "sentilab_val_" });
  try {
    await assert.rejects(
      () => initRun({ dir: `${root}/store`, strict: true, config: { ok: 1, vocab: BIG } }),
      /config\.vocab is 1\.00 MB, over the 1 MB limit/,
    );
    await assert.rejects(
      () => initRun({ dir: `${root}/store`, strict: true, project: "a/b" }),
      /'project'.*'\/'/,
    );
    await assert.rejects(
      () => initRun({ dir: `${root}/store`, strict: true, tracker: "nope" as "local" }),
      /tracker 'nope'/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
  await withRun(async (run, root, store) => {
    assert.throws(() => setSummary(run, { small: 1, huge: BIG }), /summary\.huge is 1\.00 MB/);
    assert.throws(() =>
      setSummary(run, {
        cyclic: (() => {
          const o: Record<string, unknown> = {};
          o.o = o;
          return o;
        })(),
      }), /summary\.cyclic is not JSON-serialisable/);
    const rows = Array.from({ length: 30_000 }, (_, i) => [i, "t"]);
    rows[25_000] = [25_000, BIG];
    await assert.rejects(
      () => logTable(run, "preds", { columns: ["i", "text"], rows }),
      /^TrackingError: Cannot log table 'preds': row 25000, column 'text' is 1\.00 MB/,
    );
    assert.equal(getTableRows(run.id, "preds", { dir: store }), null, "no half-written table");
    await assert.rejects(
      () => logTable(run, "preds", { columns: ["i", "text"], rows: [[1, "a"], [2]] }),
      /row 1 has 1 values, expected 2/,
    );
    await assert.rejects(
      () => logTable(run, "a/b", { columns: ["i"], rows: [] }),
      /table keys cannot contain '\/'/,
    );
    await assert.rejects(() => logTable(run, "t", { columns: ["i", "i"], rows: [] }), /distinct/);
    await Deno.writeTextFile(`${root}/f.txt`, "x");
    await assert.rejects(
      () => logArtifact(run, { name: "m", type: "model", metadata: { card: BIG }, files: [`${root}/f.txt`] }),
      /metadata\.card is 1\.00 MB/,
    );
    assert.deepEqual(listArtifacts({ dir: store }), []);
    assert.equal(await blobCount(store), 0);
    await finishRun(run);
    assert.deepEqual(getRun(run.id, { dir: store })!.summary, {});
    // The store has no trace of the failed table rows either.
    const { DatabaseSync } = await import("node:sqlite");
    const db = new DatabaseSync(`${store}/store.db`);
    assert.equal(db.prepare("SELECT COUNT(*) AS n FROM table_chunks").get()?.n, 0);
    assert.equal(db.prepare("SELECT COUNT(*) AS n FROM tables").get()?.n, 0);
    db.close();
  });
});
