/**
 * The emulator itself, spoken to with raw HTTP: dispatch, file_stream offsets and gzip, the artifact
 * commit checks (every entry uploaded, digest recomputed), Content-MD5, legacy variable styles, lookups,
 * unknown operations, the state dump and fault injection.
 * @module
 */
import assert from "node:assert/strict";
import { type Emulator, manifestDigest, md5b64, startEmulator } from "./wandb_emulator.ts";

const enc = new TextEncoder();
// deno-lint-ignore no-explicit-any
type Json = any;

function gqlClient(emu: Emulator) {
  return async (query: string, variables: Record<string, unknown> = {}, operationName?: string) => {
    const res = await fetch(`${emu.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query, variables, ...(operationName ? { operationName } : {}) }),
    });
    assert.equal(res.status, 200);
    return await res.json() as { data: Record<string, Json> | null; errors?: { message: string }[] };
  };
}

async function put(url: string, body: string | Uint8Array, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: "PUT", body: body as BodyInit, headers });
  await res.body?.cancel();
  return res.status;
}

/** Creates a pending artifact with one file `a.txt` = "hello" and returns ids and upload URLs. */
async function pendingArtifact(emu: Emulator, name = "art", legacy = false) {
  const gql = gqlClient(emu);
  const digestEntry = md5b64(enc.encode("hello"));
  const digest = manifestDigest({ "a.txt": { digest: digestEntry } });
  const vars = legacy
    ? {
      entityName: "e",
      projectName: "p",
      artifactTypeName: "dataset",
      artifactCollectionNames: [name],
      digest,
      aliases: ["x"],
    }
    : {
      input: {
        entityName: "e",
        projectName: "p",
        artifactTypeName: "dataset",
        artifactCollectionName: name,
        digest,
        runName: "r1",
        aliases: [{ artifactCollectionName: name, alias: "x" }],
        enableDigestDeduplication: true,
      },
    };
  const created = await gql(
    "mutation CreateArtifact($input: CreateArtifactInput!) { createArtifact }",
    vars,
    "CreateArtifact",
  );
  const id = created.data!.createArtifact.artifact.id as string;
  if (created.data!.createArtifact.artifact.state === "COMMITTED") {
    return { gql, id, created, digest, digestEntry, fileUrl: null, manifestUrl: "", manifest: null! };
  }
  const m = await gql("mutation CreateArtifactManifest { createArtifactManifest }", {
    artifactID: id,
    includeUpload: false,
  });
  const manifestId = m.data!.createArtifactManifest.artifactManifest.id as string;
  const files = await gql("mutation CreateArtifactFiles { createArtifactFiles }", {
    artifactFiles: [{ artifactID: id, name: "a.txt", md5: digestEntry, artifactManifestID: manifestId }],
  });
  const node = files.data!.createArtifactFiles.files.edges[0].node;
  const upd = await gql("mutation UpdateArtifactManifest { updateArtifactManifest }", {
    artifactManifestID: manifestId,
    digest: "d",
  });
  const manifest = {
    version: 1,
    storagePolicy: "wandb-storage-policy-v1",
    storagePolicyConfig: { storageLayout: "V2" },
    contents: { "a.txt": { digest: digestEntry, size: 5 } },
  };
  return {
    gql,
    id,
    created,
    digest,
    digestEntry,
    fileUrl: node.uploadUrl as string | null,
    manifestUrl: upd.data!.updateArtifactManifest.artifactManifest.file.uploadUrl as string,
    manifest,
  };
}

Deno.test("dispatch: by operationName, else by query text; unknown operations are errors and recorded", async () => {
  const emu = await startEmulator({ entity: "ent", loud: false });
  try {
    const gql = gqlClient(emu);
    assert.equal((await gql("query Viewer { viewer { entity } }")).data!.viewer.entity, "ent");
    assert.equal((await gql("{ viewer { entity } }")).data!.viewer.entity, "ent");
    const unknown = await gql("mutation DeleteEverything { x }", {}, "DeleteEverything");
    assert.equal(unknown.data, null);
    assert.match(unknown.errors![0].message, /unknown operation 'DeleteEverything'/);
    const type = await gql("mutation CreateArtifactType { createArtifactType }", {
      artifactTypeName: "model",
    });
    assert.equal(type.data!.createArtifactType.artifactType.id, btoa("ArtifactType:model"));
    // a known operation whose document does not select the field the answer is under is refused
    const wrongField = await gql("query Viewer { me { entity } }");
    assert.match(wrongField.errors![0].message, /does not select 'viewer'/);
    const s = emu.state();
    assert.deepEqual(s.unknown.map((u) => u.op), ["DeleteEverything"]);
    assert.equal(s.counts.Viewer, 3);
    assert.equal(s.counts.CreateArtifactType, 1);
    const dump = await fetch(`${emu.url}/__emu/state`).then((r) => r.json());
    assert.deepEqual(dump.counts, s.counts);
  } finally {
    await emu.close();
  }
});

Deno.test("file_stream: offsets overwrite, gzip bodies, summary, complete; unknown run is 404", async () => {
  const emu = await startEmulator({ loud: false });
  try {
    const gql = gqlClient(emu);
    await gql("mutation UpsertBucket { upsertBucket }", {
      name: "r1",
      project: "p",
      entity: "e",
      config: JSON.stringify({ lr: { value: 0.1, desc: null }, raw: 2 }),
      groupName: "g",
      jobType: "train",
      tags: ["t"],
      notes: "n",
    });
    const url = `${emu.url}/files/e/p/r1/file_stream`;
    const post = async (body: unknown, gzip = false) => {
      let data: Uint8Array = enc.encode(JSON.stringify(body));
      if (gzip) {
        const s = new Blob([data as BlobPart]).stream().pipeThrough(new CompressionStream("gzip"));
        data = new Uint8Array(await new Response(s).arrayBuffer());
      }
      const res = await fetch(url, {
        method: "POST",
        body: data as BodyInit,
        headers: gzip ? { "content-encoding": "gzip" } : {},
      });
      return [res.status, await res.json()];
    };
    const line = (i: number) => JSON.stringify({ i, _step: i });
    assert.deepEqual(
      await post({ files: { "wandb-history.jsonl": { offset: 0, content: [line(0), line(1)] } } }),
      [
        200,
        { exitcode: null, limits: {} },
      ],
    );
    await post({ files: { "wandb-history.jsonl": { offset: 1, content: [line(1), line(2)] } } }, true);
    await post({ files: { "wandb-history.jsonl": { offset: 4, content: [line(4)] } } });
    await post({
      files: {
        "wandb-summary.json": { offset: 0, content: ['{"i":4}'] },
        "output.log": { offset: 0, content: ["hi"] },
      },
    });
    await post({ complete: true, exitcode: 1 });
    const run = emu.state().runs["e/p/r1"];
    assert.deepEqual(run.history.map((h) => h?.i ?? null), [0, 1, 2, null, 4]);
    assert.deepEqual(run.historyWrites, [1, 2, 1, 0, 1]);
    assert.deepEqual(run.summary, { i: 4 });
    assert.deepEqual(run.output, ["hi"]);
    assert.deepEqual([run.complete, run.exitcode], [true, 1]);
    assert.deepEqual(run.config, { lr: 0.1, raw: 2 });
    assert.deepEqual([run.group, run.jobType, run.tags, run.notes], ["g", "train", ["t"], "n"]);
    const missing = await fetch(`${emu.url}/files/e/p/nope/file_stream`, { method: "POST", body: "{}" });
    await missing.body?.cancel();
    assert.equal(missing.status, 404);
  } finally {
    await emu.close();
  }
});

Deno.test("commit checks: the manifest must be uploaded, every entry stored, the digest must match", async () => {
  const emu = await startEmulator({ loud: false });
  try {
    const a = await pendingArtifact(emu);
    assert.equal(a.created.data!.createArtifact.artifact.state, "PENDING");
    const commit = () => a.gql("mutation CommitArtifact { commitArtifact }", { artifactID: a.id });
    assert.match((await commit()).errors![0].message, /manifest .* never uploaded/);
    assert.equal(await put(a.manifestUrl, JSON.stringify(a.manifest)), 200);
    assert.match((await commit()).errors![0].message, /entry 'a.txt' .* never uploaded/);
    assert.ok(a.fileUrl);
    assert.equal(await put(a.fileUrl, "hellO", {}), 400, "the body must match the URL's MD5");
    assert.equal(await put(a.fileUrl, "hello", { "content-md5": md5b64(enc.encode("other")) }), 400);
    assert.equal(await put(a.fileUrl, "hello", { "content-md5": a.digestEntry }), 200);
    const bad = {
      ...a.manifest,
      contents: { "a.txt": a.manifest.contents["a.txt"], "b.txt": a.manifest.contents["a.txt"] },
    };
    assert.equal(await put(a.manifestUrl, JSON.stringify(bad)), 200);
    assert.match((await commit()).errors![0].message, /digest .* does not match the manifest/);
    assert.equal(await put(a.manifestUrl, JSON.stringify(a.manifest)), 200);
    const ok = await commit();
    assert.equal(ok.errors, undefined);
    assert.deepEqual(ok.data!.commitArtifact.artifact, {
      id: a.id,
      digest: a.digest,
      versionIndex: 0,
      state: "COMMITTED",
    });
    const art = emu.state().artifacts[a.id];
    assert.deepEqual(art.aliases, ["latest", "x"]);
    assert.equal(emu.state().errors.length, 5);
  } finally {
    await emu.close();
  }
});

Deno.test("versions, digest dedup, alias moves, legacy variables, lookups and blob reads", async () => {
  const emu = await startEmulator({ loud: false });
  try {
    const a = await pendingArtifact(emu, "coll");
    await put(a.fileUrl!, "hello");
    await put(a.manifestUrl, JSON.stringify(a.manifest));
    await a.gql("mutation CommitArtifact { commitArtifact }", { artifactID: a.id });
    // the same digest again (legacy flat variables): COMMITTED, same id, aliases applied, no upload URL
    const again = await pendingArtifact(emu, "coll", true);
    assert.equal(again.created.data!.createArtifact.artifact.state, "COMMITTED");
    assert.equal(again.id, a.id);
    // a new digest in the same collection becomes v1 and takes `latest` and `x`
    const gql = a.gql;
    const d2 = manifestDigest({ "a.txt": { digest: a.digestEntry }, "b.txt": { digest: a.digestEntry } });
    const c2 = await gql("mutation CreateArtifact { createArtifact }", {
      input: {
        entityName: "e",
        projectName: "p",
        artifactTypeName: "dataset",
        artifactCollectionName: "coll",
        digest: d2,
        aliases: [{ alias: "x" }],
      },
    });
    const id2 = c2.data!.createArtifact.artifact.id;
    assert.equal(c2.data!.createArtifact.artifact.artifactSequence.latestArtifact.id, a.id);
    const m2 = await gql("mutation CreateArtifactManifest { createArtifactManifest }", { artifactID: id2 });
    const f2 = await gql("mutation CreateArtifactFiles { createArtifactFiles }", {
      artifactFiles: ["a.txt", "b.txt"].map((name) => ({ artifactID: id2, name, md5: a.digestEntry })),
    });
    assert.deepEqual(
      f2.data!.createArtifactFiles.files.edges.map((e: Json) => [e.node.uploadUrl, e.node.artifact.id]),
      [[null, a.id], [null, a.id]],
      "already stored: no upload URL, the birth artifact is the first one",
    );
    const manifest = {
      ...a.manifest,
      contents: { "a.txt": a.manifest.contents["a.txt"], "b.txt": a.manifest.contents["a.txt"] },
    };
    await put(m2.data!.createArtifactManifest.artifactManifest.file.uploadUrl, JSON.stringify(manifest));
    const committed = await gql("mutation CommitArtifact { commitArtifact }", { artifactID: id2 });
    assert.equal(committed.data!.commitArtifact.artifact.versionIndex, 1);
    const s = emu.state();
    assert.deepEqual(s.artifacts[a.id].aliases, []);
    assert.deepEqual(s.artifacts[id2].aliases.sort(), ["latest", "x"]);
    // lookups: membership by name, project{artifact(name)} without an operation name, by id
    const byV0 = await gql("query ArtifactMembershipByName { project }", {
      entity: "e",
      project: "p",
      name: "coll:v0",
    });
    assert.equal(byV0.data!.project.artifactCollectionMembership.artifact.id, a.id);
    const byLatest = await gql('{ project(name: "p", entityName: "e") { artifact(name: $name) { id } } }', {
      entity: "e",
      project: "p",
      name: "coll:latest",
    });
    assert.equal(byLatest.data!.project.artifact.id, id2);
    assert.equal(
      (await gql("query ArtifactMembershipByName { project }", {
        entity: "e",
        project: "p",
        name: "coll:nope",
      }))
        .data!.project
        .artifactCollectionMembership,
      null,
    );
    const byId = await gql("query FetchArtifactManifest { artifact }", { id: id2 });
    const direct = byId.data!.artifact.currentManifest.file.directUrl;
    assert.deepEqual(await fetch(direct).then((r) => r.json()), manifest);
    const hex = Array.from(atob(a.digestEntry), (c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join(
      "",
    );
    const v2 = await fetch(
      `${emu.url}/artifactsV2/default/e/p/coll/${encodeURIComponent(a.id)}/${hex}/a.txt`,
    );
    assert.equal(await v2.text(), "hello");
    // lineage
    await gql("mutation UpsertBucket { upsertBucket }", { name: "reader", project: "p", entity: "e" });
    await gql("mutation UseArtifact { useArtifact }", {
      input: { artifactID: id2, entityName: "e", projectName: "p", runName: "reader" },
    });
    assert.deepEqual(emu.state().runs["e/p/reader"].inputs, [id2]);
    // type conflict
    const conflict = await gql("mutation CreateArtifact { createArtifact }", {
      input: {
        entityName: "e",
        projectName: "p",
        artifactTypeName: "model",
        artifactCollectionName: "coll",
        digest: d2,
      },
    });
    assert.match(conflict.errors![0].message, /has type 'dataset', not 'model'/);
  } finally {
    await emu.close();
  }
});

Deno.test("faults: status with RateLimit-Reset, delay, drop, hang released by close, down/up", async () => {
  const emu = await startEmulator({ loud: false });
  const body = JSON.stringify({ query: "query Viewer { viewer { entity } }", operationName: "Viewer" });
  const viewer = (signal?: AbortSignal) => fetch(`${emu.url}/graphql`, { method: "POST", body, signal });
  emu.inject("Viewer", { status: 429, rateLimitReset: 7, times: 2 });
  const r1 = await viewer();
  await r1.body?.cancel();
  assert.deepEqual([r1.status, r1.headers.get("ratelimit-reset")], [429, "7"]);
  await (await viewer()).body?.cancel();
  const r3 = await viewer();
  assert.equal(r3.status, 200);
  await r3.body?.cancel();
  emu.inject("Viewer", { drop: true });
  await assert.rejects(viewer().then((r) => r.text()));
  emu.inject("*", { delayMs: 30 });
  assert.equal((await viewer().then((r) => r.json())).data.viewer.entity, "emu-user");
  emu.inject("Viewer", { hang: true });
  await assert.rejects(viewer(AbortSignal.timeout(100)), /TimeoutError|aborted/);
  await emu.down();
  await assert.rejects(viewer(), TypeError, "connection refused while down");
  await emu.up();
  assert.equal((await viewer()).status, 200);
  emu.inject("Viewer", { hang: true });
  const hung = viewer().then((r) => r.status, () => "error");
  await new Promise((r) => setTimeout(r, 50));
  await emu.close();
  assert.equal(await hung, 503, "close() answers hung requests");
  const s = emu.state();
  assert.deepEqual(s.requests.map((r) => r.fault ?? null), [
    "status 429",
    "status 429",
    null,
    "drop",
    "delay",
    "hang",
    null,
    "hang",
  ]);
});
