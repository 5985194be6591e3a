/**
 * Our W&B client against the loopback emulator: every operation, read back from the emulator's state.
 * @module
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import {
  connectWandb,
  downloadWandbArtifact,
  getWandbArtifact,
  logWandbTable,
  resolveWandbSettings,
  saveWandbArtifact,
  sendWandbFileStream,
  uploadWandbRunFiles,
  upsertWandbRun,
  useWandbArtifact,
  wandbArtifactDigest,
  type WandbClient,
  WandbError,
  wandbRunMetadataFiles,
} from "../lib/tracking/wandb/mod.ts";
import { type Emulator, startEmulator } from "./wandb_emulator.ts";

const KEY = "k".repeat(32) + "testkey1";
const FAST = { timeoutMs: 2000, maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20, deadlineMs: 10_000 };

async function withEmulator(fn: (emu: Emulator, client: WandbClient, entity: string) => Promise<void>) {
  const emu = await startEmulator({ apiKey: KEY });
  try {
    const { client, entity } = await connectWandb({
      env: { WANDB_API_KEY: KEY, WANDB_BASE_URL: emu.url },
      retry: FAST,
    });
    await fn(emu, client, entity);
  } finally {
    await emu.close();
  }
}

Deno.test("settings: env, trailing slash, netrc with port, missing key", async () => {
  const s = resolveWandbSettings({
    env: {
      WANDB_API_KEY: KEY,
      WANDB_BASE_URL: "http://127.0.0.1:9/",
      WANDB_ENTITY: "team",
      WANDB_PROJECT: "p",
    },
  });
  assert.equal(s.baseUrl, "http://127.0.0.1:9");
  assert.equal(s.entity, "team");
  assert.equal(s.project, "p");
  assert.equal(s.apiKey, KEY);
  assert.equal(s.keySource, "WANDB_API_KEY");
  assert.ok(!JSON.stringify(s).includes(KEY), "the key is not enumerable");
  assert.ok(!Deno.inspect(s).includes(KEY), "the key does not show when printed");

  const home = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      join(home, ".netrc"),
      "machine api.wandb.ai\n  login user\n  password other\nmachine 127.0.0.1:9 login user password netrckey\n",
    );
    const n = resolveWandbSettings({ env: { WANDB_BASE_URL: "http://127.0.0.1:9" }, home });
    assert.equal(n.apiKey, "netrckey");
    assert.equal(n.keySource, "netrc");
    assert.throws(
      () => resolveWandbSettings({ env: { WANDB_BASE_URL: "http://127.0.0.1:10" }, home }),
      (e: unknown) => e instanceof WandbError && e.kind === "config" && /WANDB_API_KEY/.test(e.message),
    );
  } finally {
    await Deno.remove(home, { recursive: true });
  }
  assert.throws(
    () => resolveWandbSettings({ env: { WANDB_API_KEY: KEY, WANDB_BASE_URL: "ftp://x" } }),
    /http/,
  );
});

Deno.test("connect: Viewer gives the entity; WANDB_ENTITY wins; a wrong key is an auth error", async () => {
  const emu = await startEmulator({ apiKey: KEY, entity: "alice" });
  try {
    const c = await connectWandb({ env: { WANDB_API_KEY: KEY, WANDB_BASE_URL: emu.url }, retry: FAST });
    assert.equal(c.entity, "alice");
    const t = await connectWandb({
      env: { WANDB_API_KEY: KEY, WANDB_BASE_URL: emu.url, WANDB_ENTITY: "team" },
    });
    assert.equal(t.entity, "team");
    await assert.rejects(
      connectWandb({ env: { WANDB_API_KEY: "wrong-key-123", WANDB_BASE_URL: emu.url }, retry: FAST }),
      (e: unknown) => e instanceof WandbError && e.kind === "auth" && e.status === 401,
    );
    assert.equal(emu.state().counts.Viewer, 3);
  } finally {
    await emu.close();
  }
});

Deno.test("runs: upsert with group/jobType/tags/notes/config, history with offsets, summary, complete", async () => {
  await withEmulator(async (emu, client, entity) => {
    const info = {
      id: "run1",
      entity,
      project: "proj",
      name: "first",
      group: "g1",
      jobType: "evaluate",
      tags: ["a", "b"],
      notes: "some notes",
      config: { lr: 0.1, model: { name: "m" } },
      commit: "0123456789abcdef0123456789abcdef01234567",
    };
    const run = await upsertWandbRun(client, info);
    assert.equal(run.name, "first");
    assert.match(run.url, /\/proj\/runs\/run1$/);
    const rows = Array.from(
      { length: 25 },
      (_, i) => ({ loss: 1 / (i + 1), _step: i, _runtime: i, _timestamp: 1e9 + i }),
    );
    const r1 = await sendWandbFileStream(client, run, { history: { offset: 0, rows: rows.slice(0, 10) } }, {
      maxLinesPerRequest: 4,
    });
    assert.deepEqual(r1, { requests: 3, historyEnd: 10, outputEnd: null, dropped: [] });
    // a resend of lines 5..14 (e.g. after a lost response) overwrites, it does not duplicate
    await sendWandbFileStream(client, run, {
      history: { offset: 5, rows: rows.slice(5) },
      summary: { loss: rows[24].loss, best: 1 },
      output: { offset: 0, lines: ["hello", "world"] },
    });
    await sendWandbFileStream(client, run, { exitCode: 0 });
    await upsertWandbRun(client, info); // idempotent
    const s = emu.state().runs[`${entity}/proj/run1`];
    assert.equal(s.upserts, 2);
    assert.equal(s.displayName, "first");
    assert.equal(s.group, "g1");
    assert.equal(s.commit, info.commit);
    assert.equal(s.jobType, "evaluate");
    assert.deepEqual(s.tags, ["a", "b"]);
    assert.equal(s.notes, "some notes");
    assert.deepEqual(s.config, info.config);
    assert.deepEqual(s.rawConfig, {
      lr: { value: 0.1, desc: null },
      model: { value: { name: "m" }, desc: null },
    });
    assert.deepEqual(s.history.map((h) => h?._step), rows.map((r) => r._step));
    assert.deepEqual(s.summary, { loss: rows[24].loss, best: 1 });
    assert.deepEqual(s.output, ["hello", "world"]);
    assert.equal(s.complete, true);
    assert.equal(s.exitcode, 0);
  });
});

Deno.test("file_stream: NaN and ±Infinity travel as W&B's tokens, not as null", async () => {
  await withEmulator(async (emu, client, entity) => {
    const run = await upsertWandbRun(client, { id: "nan", entity, project: "proj" });
    const row = {
      loss: NaN,
      up: Infinity,
      down: -Infinity,
      s: 'NaN "Infinity"',
      nested: { v: [1, NaN] },
      _step: 0,
    };
    await sendWandbFileStream(client, run, { history: { offset: 0, rows: [row] }, summary: { loss: NaN } });
    const s = emu.state().runs[`${entity}/proj/nan`];
    assert.deepEqual(s.history, [row]);
    assert.ok(Number.isNaN(s.summary.loss));
  });
});

Deno.test("run files: config.yaml and wandb-metadata.json are uploaded and readable", async () => {
  await withEmulator(async (emu, client, entity) => {
    const run = await upsertWandbRun(client, { id: "run2", entity, project: "proj" });
    const files = wandbRunMetadataFiles({
      config: { lr: 0.5 },
      program: "tasks/evaluate.ts",
      args: ["--wandb"],
    });
    const names = await uploadWandbRunFiles(client, run, [...files, { name: "media/x/a.txt", data: "abc" }]);
    assert.deepEqual(names, ["config.yaml", "wandb-metadata.json", "media/x/a.txt"]);
    const s = emu.state().runs[`${entity}/proj/run2`];
    assert.match(s.files["config.yaml"].text, /wandb_version: 1\nlr:\n {2}desc: null\n {2}value: 0.5/);
    assert.equal(JSON.parse(s.files["wandb-metadata.json"].text).program, "tasks/evaluate.ts");
    assert.equal(s.files["media/x/a.txt"].text, "abc");
    await assert.rejects(uploadWandbRunFiles(client, run, [{ name: "../x", data: "a" }]), /relative/);
  });
});

Deno.test("artifacts: save, versions, aliases that move, dedup, skipped files, use, lookup, download", async () => {
  await withEmulator(async (emu, client, entity) => {
    const run = await upsertWandbRun(client, { id: "run3", entity, project: "proj" });
    const dir = await Deno.makeTempDir();
    try {
      await Deno.mkdir(join(dir, "sub"));
      await Deno.writeTextFile(join(dir, "weights.bin"), "w".repeat(5000));
      await Deno.writeTextFile(join(dir, "sub", "card.md"), "# card v1");
      const spec = {
        name: "my-model",
        type: "model",
        description: "a model",
        metadata: { acc: 0.9 },
        aliases: ["best"],
        files: [{ name: "weights.bin", path: join(dir, "weights.bin") }, {
          name: "sub/card.md",
          path: join(dir, "sub", "card.md"),
        }],
      };
      const v0 = await saveWandbArtifact(client, run, spec);
      assert.equal(v0.versionIndex, 0);
      assert.equal(v0.deduplicated, false);
      assert.equal(v0.uploaded, 2);
      const want = wandbArtifactDigest({
        "weights.bin": { digest: createHash("md5").update("w".repeat(5000)).digest("base64") },
        "sub/card.md": { digest: createHash("md5").update("# card v1").digest("base64") },
      });
      assert.equal(v0.digest, want);

      // the same content again: deduplicated, nothing uploaded, no new version
      const again = await saveWandbArtifact(client, run, spec);
      assert.equal(again.deduplicated, true);
      assert.equal(again.id, v0.id);
      assert.equal(again.uploaded, 0);

      // one file changed: v1, only the changed file is uploaded; `best` stays on v0, `latest` moves
      await Deno.writeTextFile(join(dir, "sub", "card.md"), "# card v2");
      const v1 = await saveWandbArtifact(client, run, { ...spec, aliases: [] });
      assert.equal(v1.versionIndex, 1);
      assert.equal(v1.uploaded, 1);
      assert.equal(v1.skipped, 1);
      const st = emu.state();
      assert.deepEqual(st.artifacts[v0.id].aliases, ["best"]);
      assert.deepEqual(st.artifacts[v1.id].aliases, ["latest"]);
      // the manifest of v1 names v0, the sequence's latest version then, as its base (saver.go `Save`)
      assert.equal(st.artifacts[v0.id].baseArtifactId, null);
      assert.equal(st.artifacts[v1.id].baseArtifactId, v0.id);
      assert.equal(st.artifacts[v0.id].createdBy, `${entity}/proj/run3`);
      assert.deepEqual(st.runs[`${entity}/proj/run3`].outputs, [v0.id, v1.id]);
      assert.deepEqual(st.artifacts[v0.id].metadata, { acc: 0.9 });

      // lookups
      const byBest = await getWandbArtifact(client, "my-model:best", { entity, project: "proj" });
      assert.equal(byBest?.id, v0.id);
      assert.equal(byBest?.versionIndex, 0);
      assert.deepEqual(byBest?.metadata, { acc: 0.9 });
      assert.equal((await getWandbArtifact(client, `${entity}/proj/my-model:v1`))?.id, v1.id);
      const latest = await getWandbArtifact(client, "my-model", { entity, project: "proj" });
      assert.equal(latest?.id, v1.id);
      assert.deepEqual(latest?.aliases, ["latest"]);
      assert.equal(await getWandbArtifact(client, "my-model:v9", { entity, project: "proj" }), null);
      assert.equal(await getWandbArtifact(client, "nothing:latest", { entity, project: "proj" }), null);

      // download v0 with digest checks
      const out = join(dir, "out");
      const files = await downloadWandbArtifact(client, byBest!, out);
      assert.deepEqual(files, ["sub/card.md", "weights.bin"]);
      assert.equal(await Deno.readTextFile(join(out, "sub", "card.md")), "# card v1");
      assert.equal(await Deno.readTextFile(join(out, "weights.bin")), "w".repeat(5000));

      // lineage: another run uses v0
      const reader = await upsertWandbRun(client, { id: "run4", entity, project: "proj" });
      await useWandbArtifact(client, reader, v0.id);
      await useWandbArtifact(client, reader, v0.id);
      const s2 = emu.state();
      assert.deepEqual(s2.runs[`${entity}/proj/run4`].inputs, [v0.id]);
      assert.deepEqual(s2.artifacts[v0.id].usedBy, [`${entity}/proj/run4`]);
      assert.deepEqual(s2.errors, []);
      assert.deepEqual(s2.unknown, []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("artifacts: bad names, aliases and files are refused before any request", async () => {
  await withEmulator(async (emu, client, entity) => {
    const run = await upsertWandbRun(client, { id: "run5", entity, project: "proj" });
    const before = emu.state().requests.length;
    const file = [{ name: "a.txt", data: "a" }];
    await assert.rejects(
      saveWandbArtifact(client, run, { name: "a/b", type: "model", files: file }),
      /Cannot save artifact 'a\/b'/,
    );
    await assert.rejects(
      saveWandbArtifact(client, run, { name: "a", type: "model", aliases: ["v3"], files: file }),
      /alias "v3"/,
    );
    await assert.rejects(saveWandbArtifact(client, run, { name: "a", type: "model", files: [] }), /no files/);
    await assert.rejects(
      saveWandbArtifact(client, run, { name: "a", type: "model", files: [...file, ...file] }),
      /given twice/,
    );
    await assert.rejects(
      saveWandbArtifact(client, run, {
        name: "a",
        type: "model",
        files: [{ name: "x", path: "/nonexistent/x" }],
      }),
      /cannot read '\/nonexistent\/x'/,
    );
    assert.equal(emu.state().requests.length, before);
  });
});

Deno.test("tables: run_table artifact run-<id>-<key>, media/table run file, table-file history value", async () => {
  await withEmulator(async (emu, client, entity) => {
    const run = await upsertWandbRun(client, { id: "run6", entity, project: "proj" });
    const table = {
      columns: ["text", "label", "score"],
      rows: [["good", "positive", 0.9], ["bad", "negative", null]],
    };
    const t0 = await logWandbTable(client, run, "preds", table, { step: 3 });
    await sendWandbFileStream(client, run, { history: { offset: 0, rows: [{ preds: t0.value, _step: 3 }] } });
    const t1 = await logWandbTable(client, run, "preds", { ...table, rows: [["ok", "neutral", 0.5]] }, {
      step: 4,
    });
    await sendWandbFileStream(client, run, { history: { offset: 1, rows: [{ preds: t1.value, _step: 4 }] } });

    const s = emu.state();
    const r = s.runs[`${entity}/proj/run6`];
    const v = r.history[0]!.preds as Record<string, unknown>;
    assert.equal(v._type, "table-file");
    assert.match(String(v.path), /^media\/table\/preds_3_[0-9a-f]{20}\.table\.json$/);
    assert.equal(v.nrows, 2);
    assert.equal(v.ncols, 3);
    const hexId = Array.from(atob(t0.artifact.id), (c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join(
      "",
    );
    assert.equal(v.artifact_path, `wandb-artifact://${hexId}/preds.table.json`);
    assert.equal(v._latest_artifact_path, v.artifact_path);
    const file = r.files[String(v.path)];
    assert.equal(file.size, v.size);
    assert.equal(createHash("sha256").update(file.text).digest("hex"), v.sha256);
    const parsed = JSON.parse(file.text);
    assert.deepEqual(parsed.columns, table.columns);
    assert.deepEqual(parsed.data, table.rows);
    assert.deepEqual(parsed.column_types.params.type_map.score, {
      wb_type: "union",
      params: { allowed_types: [{ wb_type: "none" }, { wb_type: "number" }] },
    });
    const coll = s.collections[`${entity}/proj/run-run6-preds`];
    assert.equal(coll.type, "run_table");
    const versions = coll.ids.map((id) => s.artifacts[id]);
    assert.deepEqual(versions.map((a) => a.versionIndex), [0, 1]);
    assert.deepEqual(versions.map((a) => a.aliases), [[], ["latest"]]);
    await assert.rejects(
      logWandbTable(client, run, "t", { columns: ["a"], rows: [[1, 2]] }, { step: 0 }),
      /row 0 has 2 cells/,
    );
  });
});
