// Artifacts: W&B digests, deduplication with lineage, aliases, offline use, copy-on-log, the hash cache.
import assert from "node:assert/strict";
import { dirname } from "node:path";
import { createHash, randomBytes as nodeRandomBytes } from "node:crypto";
import {
  diffArtifactVersions,
  finishRun,
  getArtifactVersion,
  getLineage,
  getModelArtifact,
  getRun,
  initRun,
  listArtifacts,
  listArtifactVersions,
  logArtifact,
  logDatasetArtifact,
  logModelArtifact,
  logVideoArtifact,
  useArtifact,
} from "../lib/tracking/mod.ts";
import { hashStats } from "../lib/tracking/_hash.ts";

function randomBytes(n: number): Uint8Array {
  return new Uint8Array(nodeRandomBytes(n));
}

async function setup(): Promise<{ root: string; store: string }> {
  const root = await Deno.makeTempDir({ prefix: "sentilab_art_" });
  return { root, store: `${root}/store` };
}

/** W&B's artifact digest, computed here independently of the library. */
function expectedDigest(
  files: Record<string, Uint8Array>,
): { digest: string; entries: Record<string, string> } {
  const entries: Record<string, string> = {};
  for (const [p, data] of Object.entries(files)) entries[p] = createHash("md5").update(data).digest("base64");
  const h = createHash("md5").update("wandb-artifact-manifest-v1\n");
  for (const p of Object.keys(entries).sort()) h.update(`${p}:${entries[p]}\n`);
  return { digest: h.digest("hex"), entries };
}

Deno.test("manifest entries and the artifact digest match W&B's formulas", async () => {
  const { root, store } = await setup();
  try {
    const enc = new TextEncoder();
    const files: Record<string, Uint8Array> = {
      "weights.bin": randomBytes(100_000),
      "sub/labels.txt": enc.encode("negative\nneutral\npositive\n"),
      "Z.txt": enc.encode(""),
      "a b.txt": enc.encode("space"),
    };
    for (const [p, data] of Object.entries(files)) {
      await Deno.mkdir(dirname(`${root}/model/${p}`), { recursive: true });
      await Deno.writeFile(`${root}/model/${p}`, data);
    }
    const run = await initRun({ dir: store, strict: true });
    const v = (await logArtifact(run, {
      name: "clf",
      type: "model",
      description: "tiny",
      metadata: { f1: 0.8 },
      files: [`${root}/model`],
    }))!;
    const want = expectedDigest(files);
    assert.equal(v.digest, want.digest);
    assert.deepEqual(Object.keys(v.manifest.contents), ["Z.txt", "a b.txt", "sub/labels.txt", "weights.bin"]);
    for (const [p, d] of Object.entries(want.entries)) {
      assert.equal(v.manifest.contents[p].digest, d, p);
      assert.equal(v.manifest.contents[p].size, files[p].length);
    }
    assert.equal(v.manifest.version, 1);
    assert.equal(v.manifest.storagePolicy, "wandb-storage-policy-v1");
    assert.deepEqual(v.manifest.storagePolicyConfig, { storageLayout: "V2" });
    assert.equal(v.ref, "clf:v0");
    assert.equal(v.size, 100_000 + 26 + 5);
    assert.equal(v.fileCount, 4);
    assert.deepEqual(v.metadata, { f1: 0.8 });
    assert.equal(v.description, "tiny");
    assert.equal(v.createdBy, run.id);
    // Single files go under their base name, or under { name }.
    const w = (await logArtifact(run, {
      name: "single",
      type: "model",
      files: [`${root}/model/Z.txt`, { path: `${root}/model/sub/labels.txt`, name: "renamed.txt" }],
    }))!;
    assert.deepEqual(Object.keys(w.manifest.contents), ["Z.txt", "renamed.txt"]);
    await finishRun(run);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("identical content makes no new version but still links the run; aliases move", async () => {
  const { root, store } = await setup();
  try {
    await Deno.writeTextFile(`${root}/data.jsonl`, '{"text":"a"}\n');
    const a = await initRun({ dir: store, name: "producer-a", strict: true });
    const v0 = (await logDatasetArtifact(a, `${root}/data.jsonl`, { name: "reviews", aliases: ["prod"] }))!;
    assert.equal(v0.ref, "reviews:v0");
    assert.deepEqual(v0.aliases, ["latest", "prod"]);
    await finishRun(a);

    const b = await initRun({ dir: store, name: "producer-b", strict: true });
    const again = (await logDatasetArtifact(b, `${root}/data.jsonl`, { name: "reviews" }))!;
    assert.equal(again.ref, "reviews:v0", "identical content: no new version");
    assert.equal(listArtifactVersions("reviews", { dir: store }).length, 1);
    const lineage = getLineage("reviews:v0", { dir: store })!;
    assert.deepEqual(lineage.producedBy.map((l) => [l.runId, l.deduplicated]), [[a.id, false], [b.id, true]]);
    assert.deepEqual(getRun(b.id, { dir: store })!.produced.map((v) => v.ref), ["reviews:v0"]);

    await Deno.writeTextFile(`${root}/data.jsonl`, '{"text":"b"}\n');
    const v1 =
      (await logDatasetArtifact(b, `${root}/data.jsonl`, { name: "reviews", aliases: ["prod", "new"] }))!;
    assert.equal(v1.ref, "reviews:v1");
    assert.deepEqual(v1.aliases, ["latest", "new", "prod"]);
    assert.deepEqual(
      getArtifactVersion("reviews:v0", { dir: store })!.aliases,
      [],
      "prod and latest moved off v0",
    );
    assert.equal(getArtifactVersion("reviews:prod", { dir: store })!.version, 1);
    assert.equal(getArtifactVersion("reviews", { dir: store })!.version, 1, "a bare name means latest");
    assert.equal(getArtifactVersion("reviews:nope", { dir: store }), null);
    const summary = listArtifacts({ dir: store });
    assert.deepEqual(summary.map((s) => [s.name, s.type, s.versionCount, s.latest]), [[
      "reviews",
      "dataset",
      2,
      1,
    ]]);
    assert.deepEqual(summary[0].aliases, { latest: 1, new: 1, prod: 1 });

    // Using an old version with an alias moves that alias to it.
    const c = await initRun({ dir: store, strict: true });
    const used = (await useArtifact(c, "reviews:v0", { aliases: ["prod"] }))!;
    assert.deepEqual(used.aliases, ["prod"]);
    assert.equal(getArtifactVersion("reviews:prod", { dir: store })!.version, 0);
    assert.deepEqual(getLineage("reviews:v0", { dir: store })!.usedBy.map((l) => l.runId), [c.id]);
    assert.deepEqual(getRun(c.id, { dir: store })!.used.map((v) => v.ref), ["reviews:v0"]);
    await finishRun(b);
    await finishRun(c);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("files are copied in: later edits of the source do not change a version; useArtifact works offline", async () => {
  const { root, store } = await setup();
  try {
    await Deno.mkdir(`${root}/m/tok`, { recursive: true });
    await Deno.writeTextFile(`${root}/m/model.onnx`, "weights-v0");
    await Deno.writeTextFile(`${root}/m/tok/vocab.txt`, "a\nb\n");
    const run = await initRun({ dir: store, strict: true });
    await logModelArtifact(run, `${root}/m`, { name: "sent", metadata: { acc: 0.9 } });
    await Deno.writeTextFile(`${root}/m/model.onnx`, "edited after logging");
    await Deno.remove(`${root}/m/tok`, { recursive: true });
    await finishRun(run);

    const user = await initRun({ dir: store, strict: true });
    const model = (await getModelArtifact(user, "sent:latest"))!;
    assert.deepEqual(model.files(), ["model.onnx", "tok/vocab.txt"]);
    assert.equal(await Deno.readTextFile(model.path("model.onnx")), "weights-v0");
    assert.throws(() => model.path("missing.bin"), /has no file 'missing.bin'/);
    const out = await model.download(`${root}/download`);
    assert.equal(await Deno.readTextFile(`${out}/model.onnx`), "weights-v0");
    assert.equal(await Deno.readTextFile(`${out}/tok/vocab.txt`), "a\nb\n");
    // Downloaded files are the user's: writable.
    await Deno.writeTextFile(`${out}/model.onnx`, "mine");
    assert.equal(await Deno.readTextFile(model.path("model.onnx")), "weights-v0");
    // Identical files are stored once in the content-addressed folder.
    await Deno.writeTextFile(`${root}/copy.onnx`, "weights-v0");
    await logModelArtifact(user, `${root}/copy.onnx`, { name: "sent-copy" });
    let blobs = 0;
    for await (const d of Deno.readDir(`${store}/files`)) {
      for await (const _ of Deno.readDir(`${store}/files/${d.name}`)) blobs++;
    }
    assert.equal(blobs, 2, "model.onnx content + vocab.txt, stored once each");
    // getModelArtifact refuses other types.
    await logVideoArtifact(user, `${root}/copy.onnx`, { name: "clip" });
    const strictUser = await initRun({ dir: store, strict: true });
    await assert.rejects(() => getModelArtifact(strictUser, "clip"), /has type 'video', not 'model'/);
    await assert.rejects(() => useArtifact(strictUser, "sent:v7"), /'sent:v7' not found .* 'sent' has v0/);
    await finishRun(user);
    await finishRun(strictUser);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("useArtifact with a spec stores it (deduplicated) and records it as an input", async () => {
  const { root, store } = await setup();
  try {
    await Deno.writeTextFile(`${root}/clip.txt`, "frames");
    const run = await initRun({ dir: store, strict: true });
    const used = (await logVideoArtifact(run, `${root}/clip.txt`, { name: "clip", use: true }))!;
    assert.equal(used.ref, "clip:v0");
    const again = (await useArtifact(run, { name: "clip", type: "video", files: [`${root}/clip.txt`] }))!;
    assert.equal(again.ref, "clip:v0");
    const lineage = getLineage("clip:v0", { dir: store })!;
    assert.deepEqual(lineage.usedBy.map((l) => l.runId), [run.id]);
    assert.deepEqual(lineage.producedBy, []);
    await finishRun(run);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("hash cache: an unchanged file (path, size, mtime, inode) is not read again", async () => {
  const { root, store } = await setup();
  try {
    const path = `${root}/big.bin`;
    const data = randomBytes(1 << 20);
    await Deno.writeFile(path, data);
    const stamp = new Date("2024-01-02T03:04:05Z");
    await Deno.utime(path, stamp, stamp);
    const run = await initRun({ dir: store, strict: true });
    const first = (await logArtifact(run, { name: "big", type: "dataset", files: [path] }))!;
    assert.equal(first.manifest.contents["big.bin"].digest, createHash("md5").update(data).digest("base64"));

    const before = { ...hashStats };
    // Change the content in place (same inode, same size) and put the mtime back: the cache must trust
    // path+size+mtime+inode and not read the file, so the old digest comes back (this is the cache's
    // documented contract, and the only way to observe that the file was not re-read).
    const file = await Deno.open(path, { write: true });
    await file.write(new Uint8Array([data[0] ^ 0xff]));
    file.close();
    await Deno.utime(path, stamp, stamp);
    const cached = (await logArtifact(run, { name: "big", type: "dataset", files: [path] }))!;
    assert.equal(cached.ref, "big:v0");
    assert.equal(hashStats.files, before.files, "no file was hashed");
    assert.equal(hashStats.bytes, before.bytes);

    // A new mtime invalidates the entry: the file is hashed again and gives a new version.
    await Deno.utime(path, stamp, new Date("2024-01-02T03:04:06Z"));
    const fresh = (await logArtifact(run, { name: "big", type: "dataset", files: [path] }))!;
    assert.equal(fresh.ref, "big:v1");
    assert.equal(hashStats.files, before.files + 1);
    assert.notEqual(fresh.digest, first.digest);
    await finishRun(run);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("diffArtifactVersions lists added, removed and changed files", async () => {
  const { root, store } = await setup();
  try {
    await Deno.mkdir(`${root}/d`);
    await Deno.writeTextFile(`${root}/d/keep.txt`, "same");
    await Deno.writeTextFile(`${root}/d/change.txt`, "one");
    await Deno.writeTextFile(`${root}/d/gone.txt`, "bye");
    const run = await initRun({ dir: store, strict: true });
    await logDatasetArtifact(run, `${root}/d`, { name: "ds" });
    await Deno.writeTextFile(`${root}/d/change.txt`, "two!");
    await Deno.remove(`${root}/d/gone.txt`);
    await Deno.writeTextFile(`${root}/d/new.txt`, "hi");
    await logDatasetArtifact(run, `${root}/d`, { name: "ds" });
    const d = diffArtifactVersions("ds:v0", "ds:v1", { dir: store });
    assert.deepEqual(d.added.map((c) => c.path), ["new.txt"]);
    assert.deepEqual(d.removed.map((c) => c.path), ["gone.txt"]);
    assert.deepEqual(d.changed.map((c) => [c.path, c.from!.size, c.to!.size]), [["change.txt", 3, 4]]);
    assert.equal(d.unchanged, 1);
    assert.throws(() => diffArtifactVersions("ds:v0", "ds:v9", { dir: store }), /'ds:v9' not found/);
    await finishRun(run);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
