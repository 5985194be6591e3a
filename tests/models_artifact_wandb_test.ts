// A model reference the local store lacks is looked up on W&B when W&B is configured (emulator derived
// from W&B's schema and SDK: tests/wandb_emulator.ts).
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadModel } from "../lib/models/mod.ts";
import {
  finishRun,
  getLineage,
  getRun,
  initRun,
  listRuns,
  logModelArtifact,
  setArtifactAlias,
  syncRuns,
} from "../lib/tracking/mod.ts";
import { connectWandb, saveWandbArtifact, upsertWandbRun } from "../lib/tracking/wandb/mod.ts";
import { startEmulator } from "./wandb_emulator.ts";
import { withWandbEnv } from "./_wandb_env.ts";
import { ownProcessTest } from "./_own_process.ts";
import { writeTinyModel } from "./model_fixtures.ts";
import { ROOT, runTask } from "./_task_env.ts";

const KEY = "k".repeat(32) + "testkey1";

ownProcessTest(
  import.meta.url,
  "loadModel NAME:ALIAS falls back to W&B when the local store lacks it; the run records the use",
  async () => {
    const emu = await startEmulator({ apiKey: KEY });
    const dir = await Deno.makeTempDir({ prefix: "sentilab-ref-wandb-" });
    try {
      await writeTinyModel(join(dir, "model"), [4, 1, 0]); // answers negative
      await withWandbEnv(emu.url, KEY, async () => {
        const { client, entity } = await connectWandb();
        const producer = await upsertWandbRun(client, { id: "producer1", entity, project: "sentilab" });
        const files = ["model.onnx", "features.json", "labels.json", "card.json"].map((name) => ({
          name,
          path: join(dir, "model", name),
        }));
        const saved = await saveWandbArtifact(client, producer, {
          name: "shared-model",
          type: "model",
          aliases: ["production"],
          files,
        });

        // no local store at all: the files come from W&B
        const store = join(dir, "store");
        const model = await loadModel("shared-model:production", { storeDir: store });
        const [row] = await model.scoreBatch(["anything"]);
        assert.equal(model.labels[row.indexOf(Math.max(...row))], "negative");
        assert.equal(model.name, "shared-model");
        await model.close();

        // with a run: stored locally under the same digest, recorded as the run's input
        const run = await initRun({ dir: store, tracker: "local", project: "sentilab" });
        const used = await loadModel("shared-model:v0", { run });
        await used.close();
        await finishRun(run);
        const inputs = getRun(run.id, { dir: store })!.used;
        assert.deepEqual(inputs.map((u) => [u.name, u.type, u.digest]), [[
          "shared-model",
          "model",
          saved.digest,
        ]]);
        assert.ok(used.dir!.startsWith(join(store, "cache")), used.dir!);

        await assert.rejects(
          loadModel("missing-model:v0", { storeDir: store }),
          /no artifact is named 'missing-model'; W&B has no 'missing-model:v0' in .*\/sentilab either/,
        );
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
      await emu.close();
    }
  },
);

ownProcessTest(
  import.meta.url,
  "artifacts alias: setting is sent to W&B by AddAliases with no run; --remove removes it on W&B too",
  async () => {
    const emu = await startEmulator({ apiKey: KEY });
    const dir = await Deno.makeTempDir({ prefix: "sentilab-alias-wandb-" });
    try {
      await writeTinyModel(join(dir, "model"));
      await withWandbEnv(emu.url, KEY, async () => {
        const store = join(dir, "store");
        const run = await initRun({ dir: store, tracker: "wandb", project: "aliases" });
        await logModelArtifact(run, join(dir, "model"), { name: "mine" });
        await finishRun(run);
        const onWandb = () => {
          const list = Object.values(emu.state().artifacts).filter((a) => a.collection === "mine");
          assert.equal(list.length, 1, "one version on W&B");
          return [...list[0].aliases].sort();
        };
        assert.deepEqual(onWandb(), ["latest"]);

        const runsBefore = listRuns({ dir: store }).length;
        const upsertsBefore = emu.state().counts.UpsertBucket ?? 0;
        await setArtifactAlias("mine:v0", "production", { dir: store });
        assert.deepEqual(onWandb(), ["latest", "production"]);
        assert.equal(emu.state().counts.AddAliases, 1, "sent as the SDK does: AddAliases");
        assert.equal(emu.state().counts.UpsertBucket ?? 0, upsertsBefore, "no run on W&B");
        assert.equal(listRuns({ dir: store }).length, runsBefore, "no run in the store");
        assert.deepEqual(getLineage("mine:v0", { dir: store })!.usedBy, [], "lineage unchanged");
        assert.deepEqual(emu.state().invalid, [], "every request validates against W&B's schema");
        const removed = await setArtifactAlias("mine:v0", "production", { dir: store, remove: true });
        assert.deepEqual(removed.aliases, ["latest"]);
        assert.deepEqual(onWandb(), ["latest"], "removed on W&B too");
        assert.equal(emu.state().counts.DeleteAliases, 1, "removed once, as the SDK does: DeleteAliases");
        await setArtifactAlias("mine:v0", "production", { dir: store });
        assert.deepEqual(onWandb(), ["latest", "production"], "set again after a removal: sent again");
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
      await emu.close();
    }
  },
);

ownProcessTest(
  import.meta.url,
  "artifacts alias offline stays pending in the sync ledger; sync sends it (AddAliases, no run)",
  async () => {
    const emu = await startEmulator({ apiKey: KEY });
    const dir = await Deno.makeTempDir({ prefix: "sentilab-alias-offline-" });
    try {
      await writeTinyModel(join(dir, "pos"), [0, 1, 4]);
      await writeTinyModel(join(dir, "neg"), [4, 1, 0]);
      const store = join(dir, "store");
      const onWandb = () =>
        Object.values(emu.state().artifacts).filter((a) => a.collection === "mine")
          .sort((a, b) => (a.versionIndex ?? 0) - (b.versionIndex ?? 0)).map((a) => [...a.aliases].sort());
      await withWandbEnv(emu.url, KEY, async () => {
        const run = await initRun({ dir: store, tracker: "wandb", project: "aliases" });
        await logModelArtifact(run, join(dir, "pos"), { name: "mine" });
        await logModelArtifact(run, join(dir, "neg"), { name: "mine" });
        await finishRun(run);
        assert.deepEqual(onWandb(), [[], ["latest"]]);
        await setArtifactAlias("mine:v0", "production", { dir: store });
        assert.deepEqual(onWandb(), [["production"], ["latest"]]);
      });
      // no W&B settings here: an offline store
      const v = await setArtifactAlias("mine:v1", "production", { dir: store });
      assert.deepEqual(v.aliases, ["latest", "production"], "moved in the store");
      assert.deepEqual(onWandb(), [["production"], ["latest"]], "offline: nothing sent");
      const dry = await syncRuns({ dir: store, dryRun: true, baseUrl: emu.url });
      assert.deepEqual(dry.aliases.sort(), ["mine:v0 -production", "mine:v1 +production"]);
      assert.ok(dry.runs.every((r) => r.outcome === "up-to-date"), "no run has anything to send");
      // --model NAME:ALIAS follows it
      const model = await loadModel("mine:production", { storeDir: store });
      try {
        const [row] = await model.scoreBatch(["anything"]);
        assert.equal(model.labels[row.indexOf(Math.max(...row))], "negative");
      } finally {
        await model.close();
      }
      await withWandbEnv(emu.url, KEY, async () => {
        const upserts = emu.state().counts.UpsertBucket ?? 0;
        const report = await syncRuns({ dir: store });
        assert.equal(report.failed, 0, report.aliasesFailed ?? "");
        assert.deepEqual(onWandb(), [[], ["latest", "production"]], "the move reached W&B");
        assert.equal(emu.state().counts.AddAliases, 2);
        assert.equal(emu.state().counts.UpsertBucket ?? 0, upserts, "no run upserted for it");
        assert.equal(listRuns({ dir: store }).length, 1, "still one run");
        assert.deepEqual(emu.state().invalid, []);
        const again = await syncRuns({ dir: store });
        assert.deepEqual(again.aliases, [], "a second sync has nothing to send");
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
      await emu.close();
    }
  },
);

ownProcessTest(
  import.meta.url,
  "deno task artifacts alias (and --remove) offline, then deno task sync: the dry run lists the move, the sync sends it",
  async () => {
    const emu = await startEmulator({ apiKey: KEY });
    const dir = await Deno.makeTempDir({ prefix: "sentilab-alias-cli-" });
    try {
      await writeTinyModel(join(dir, "model"));
      const store = join(dir, "store");
      await withWandbEnv(emu.url, KEY, async () => {
        const run = await initRun({ dir: store, tracker: "wandb", project: "aliases" });
        await logModelArtifact(run, join(dir, "model"), { name: "mine" });
        await finishRun(run);
      });
      const env = { SENTILAB_DIR: store, WANDB_API_KEY: KEY, WANDB_BASE_URL: emu.url };
      const task = (name: string, args: string[], more: Record<string, string> = {}) =>
        runTask(`${ROOT}tasks/${name}.ts`, args, { ...env, ...more });
      let r = await task("artifacts", ["alias", "mine:v0", "production"], { WANDB_MODE: "offline" });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(emu.state().counts.AddAliases ?? 0, 0, "offline: nothing sent");
      r = await task("sync", ["--dry-run"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /alias mine:v0 \+production {2}pending/);
      r = await task("sync", []);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /alias mine:v0 \+production {2}sent/);
      const onWandb = Object.values(emu.state().artifacts).filter((a) => a.collection === "mine");
      assert.deepEqual(onWandb.map((a) => [...a.aliases].sort()), [["latest", "production"]]);
      r = await task("sync", []);
      assert.doesNotMatch(r.stdout, /alias /, "nothing left to send");

      r = await task("artifacts", ["alias", "mine:v0", "production", "--remove"], { WANDB_MODE: "offline" });
      assert.equal(r.code, 0, r.stderr);
      r = await task("sync", []);
      assert.match(r.stdout, /alias mine:v0 -production {2}sent/, "an offline removal is pending too");
      assert.deepEqual(emu.state().artifacts[onWandb[0].id].aliases, ["latest"]);
      assert.equal(emu.state().counts.DeleteAliases, 1);
    } finally {
      await Deno.remove(dir, { recursive: true });
      await emu.close();
    }
  },
);
