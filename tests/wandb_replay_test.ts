/**
 * The contract a replayer of the local store relies on: replaying the same plain records twice (e.g. a
 * sync after a crash that forgot what it had sent) duplicates nothing on W&B, and a save that failed
 * half-way (files uploaded, no commit) completes on the next attempt without re-sending stored files.
 * @module
 */
import assert from "node:assert/strict";
import {
  connectWandb,
  logWandbTable,
  saveWandbArtifact,
  sendWandbFileStream,
  uploadWandbRunFiles,
  upsertWandbRun,
  type WandbClient,
} from "../lib/tracking/wandb/mod.ts";
import { type Emulator, startEmulator } from "./wandb_emulator.ts";

const KEY = "r".repeat(40);
const FAST = { timeoutMs: 1000, maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 10, deadlineMs: 5000 };

/** Plain records as a local store would hold them. */
const records = {
  run: {
    id: "replay1",
    project: "p",
    name: "replayed",
    group: "g",
    jobType: "evaluate",
    tags: ["x"],
    config: { k: 1 },
  },
  history: Array.from(
    { length: 7 },
    (_, i) => ({ acc: i / 10, _step: i, _runtime: i * 0.5, _timestamp: 1.7e9 + i }),
  ),
  summary: { acc: 0.6 },
  table: { columns: ["text", "pred"], rows: [["a", "positive"], ["b", "negative"]] },
  dataset: [{ name: "data.jsonl", data: '{"text":"a"}\n{"text":"b"}\n' }],
  model: [{ name: "model.onnx", data: "onnx-bytes" }, { name: "card.md", data: "# card" }],
};

async function replay(client: WandbClient, entity: string) {
  const run = await upsertWandbRun(client, { ...records.run, entity });
  await uploadWandbRunFiles(client, run, [{
    name: "config.yaml",
    data: "wandb_version: 1\nk:\n  value: 1\n",
  }]);
  await saveWandbArtifact(client, run, { name: "data", type: "dataset", files: records.dataset }, {
    use: true,
  });
  await saveWandbArtifact(client, run, {
    name: "model",
    type: "model",
    aliases: ["best"],
    files: records.model,
  });
  const table = await logWandbTable(client, run, "preds", records.table, { step: 7 });
  await sendWandbFileStream(client, run, {
    history: { offset: 0, rows: [...records.history, { preds: table.value, _step: 7 }] },
    summary: records.summary,
  });
  await sendWandbFileStream(client, run, { exitCode: 0 });
}

function snapshot(emu: Emulator, entity: string) {
  const s = emu.state();
  const run = s.runs[`${entity}/p/replay1`];
  return {
    history: run.history,
    summary: run.summary,
    files: Object.keys(run.files).sort(),
    outputs: run.outputs,
    inputs: run.inputs,
    versions: Object.fromEntries(
      Object.entries(s.collections).map((
        [k, c],
      ) => [k, c.ids.map((id) => s.artifacts[id]).filter((a) => a.state === "COMMITTED").length]),
    ),
    blobs: Object.keys(s.blobs).length,
  };
}

Deno.test("replaying the same records twice duplicates nothing", async () => {
  const emu = await startEmulator({ apiKey: KEY, loud: false });
  try {
    const { client, entity } = await connectWandb({
      env: { WANDB_API_KEY: KEY, WANDB_BASE_URL: emu.url },
      retry: FAST,
    });
    await replay(client, entity);
    const first = snapshot(emu, entity);
    const putsBefore = emu.state().counts.storage_put;
    await replay(client, entity);
    const second = snapshot(emu, entity);
    assert.deepEqual(second, first);
    assert.equal(first.history.length, 8);
    assert.deepEqual(first.versions, {
      [`${entity}/p/data`]: 1,
      [`${entity}/p/model`]: 1,
      [`${entity}/p/run-replay1-preds`]: 1,
    });
    const s = emu.state();
    // the second replay uploaded only run files (config.yaml and the table's run file), no artifact file
    assert.equal(s.counts.storage_put - putsBefore, 2);
    assert.equal(s.counts.CommitArtifact, 3);
    assert.equal(first.inputs.length, 1);
    assert.deepEqual(s.errors, []);
  } finally {
    await emu.close();
  }
});

Deno.test("a save that failed half-way completes on the next attempt, storing each file once", async () => {
  const emu = await startEmulator({ apiKey: KEY, loud: false });
  try {
    const { client, entity } = await connectWandb({
      env: { WANDB_API_KEY: KEY, WANDB_BASE_URL: emu.url },
      retry: FAST,
    });
    const run = await upsertWandbRun(client, { id: "half", entity, project: "p" });
    const files = [{ name: "a", data: "aaa" }, { name: "b", data: "bbb" }];
    emu.inject("CommitArtifact", { status: 502, times: FAST.maxAttempts });
    await assert.rejects(
      saveWandbArtifact(client, run, { name: "m", type: "model", files }),
      /HTTP 502.*gave up/,
    );
    const putsAfterFailure = emu.state().counts.storage_put;
    assert.equal(putsAfterFailure, 3, "two files and the manifest");
    const saved = await saveWandbArtifact(client, run, { name: "m", type: "model", files });
    assert.equal(saved.versionIndex, 0);
    assert.equal(saved.uploaded, 0);
    assert.equal(saved.skipped, 2);
    const s = emu.state();
    assert.equal(s.counts.storage_put - putsAfterFailure, 1, "only the new manifest");
    const committed = s.collections[`${entity}/p/m`].ids.map((id) => s.artifacts[id]).filter((a) =>
      a.state === "COMMITTED"
    );
    assert.equal(committed.length, 1);
    assert.deepEqual(committed[0].aliases, ["latest"]);
  } finally {
    await emu.close();
  }
});
