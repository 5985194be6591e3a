/**
 * The emulator itself, spoken to with raw HTTP and the real SDK's GraphQL documents: schema validation
 * (an invalid document or variable is HTTP 400 and counted), file_stream offsets, gzip, heartbeats, the
 * uploaded list and the line cap, the artifact commit checks (every entry uploaded, digest recomputed in
 * Python's order), upload PUTs limited to the server's uploadHeaders, lookups, the state dump and fault
 * injection.
 * @module
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { type Emulator, manifestDigest, md5b64, startEmulator } from "./wandb_emulator.ts";

const enc = new TextEncoder();
/** The hex MD5 of "hello". */
const HELLO = "5d41402abc4b2a76b9719d911017c592";
// deno-lint-ignore no-explicit-any
type Json = any;

// The real SDK's documents (wandb/wandb core/api/graphql/*.graphql, copied as the SDK sends them).
const UPSERT_BUCKET =
  `mutation UpsertBucket($name: String, $project: String, $entity: String, $config: JSONString,
  $groupName: String, $jobType: String, $tags: [String!], $notes: String) {
  upsertBucket(input: {name: $name, modelName: $project, entityName: $entity, config: $config,
    groupName: $groupName, jobType: $jobType, tags: $tags, notes: $notes}) {
    bucket { id name displayName project { id name entity { id name } } historyLineCount }
    inserted
  }
}`;
const CREATE_ARTIFACT = `fragment CreatedArtifact on CreateArtifactPayload {
  artifact { id state artifactSequence { latestArtifact { id } } }
}
mutation CreateArtifact($input: CreateArtifactInput!) { createArtifact(input: $input) { ...CreatedArtifact } }`;
const CREATE_MANIFEST =
  `mutation CreateArtifactManifest($artifactID: ID!, $baseArtifactID: ID, $name: String!,
  $digest: String!, $entityName: String!, $projectName: String!, $runName: String!,
  $manifestType: ArtifactManifestType!, $includeUpload: Boolean!) {
  createArtifactManifest(input: {artifactID: $artifactID, baseArtifactID: $baseArtifactID, name: $name,
    digest: $digest, entityName: $entityName, projectName: $projectName, runName: $runName, type: $manifestType}) {
    artifactManifest { id file { id uploadUrl @include(if: $includeUpload) uploadHeaders @include(if: $includeUpload) } }
  }
}`;
const CREATE_FILES = `mutation CreateArtifactFiles($artifactFiles: [CreateArtifactFileSpecInput!]!,
  $storageLayout: ArtifactStorageLayout!) {
  createArtifactFiles(input: {artifactFiles: $artifactFiles, storageLayout: $storageLayout}) {
    files { edges { node { storagePath uploadUrl uploadHeaders artifact { id } } } }
  }
}`;
const COMMIT = `mutation CommitArtifact($artifactID: ID!) {
  commitArtifact(input: {artifactID: $artifactID}) { artifact { id digest versionIndex state } }
}`;
const USE =
  `mutation UseArtifact($input: UseArtifactInput!) { useArtifact(input: $input) { artifact { id } } }`;
const MEMBERSHIP = `query ArtifactMembershipByName($entity: String!, $project: String!, $name: String!) {
  project(name: $project, entityName: $entity) {
    artifactCollectionMembership(name: $name) { id versionIndex aliases { alias } artifact { id } }
  }
}`;
const BY_ID =
  `query ArtifactByID($id: ID!) { artifact(id: $id) { id currentManifest { file { directUrl } } } }`;

function gqlClient(emu: Emulator) {
  return async (query: string, variables: Record<string, unknown> = {}, operationName?: string) => {
    const res = await fetch(`${emu.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query, variables, ...(operationName ? { operationName } : {}) }),
    });
    const body = await res.json() as { data: Record<string, Json> | null; errors?: { message: string }[] };
    assert.equal(res.status, 200, JSON.stringify(body));
    return body;
  };
}

async function put(url: string, body: string | Uint8Array, headers: Record<string, string> = {}) {
  // bytes, so that fetch adds no Content-Type of its own (the storage refuses headers it did not sign)
  const bytes = typeof body === "string" ? enc.encode(body) : body;
  const res = await fetch(url, { method: "PUT", body: bytes as BodyInit, headers });
  await res.body?.cancel();
  return res.status;
}

/** `"Name:Value"` uploadHeaders as fetch headers. */
function headersOf(list: string[]): Record<string, string> {
  return Object.fromEntries(list.map((h) => [h.slice(0, h.indexOf(":")), h.slice(h.indexOf(":") + 1)]));
}

const run = { entityName: "e", projectName: "p", runName: "r1" };

/** Creates a pending artifact with the given files and returns ids and upload URLs, as the SDK does. */
async function pendingArtifact(
  emu: Emulator,
  name = "art",
  files: Record<string, string> = { "a.txt": "hello" },
) {
  const gql = gqlClient(emu);
  const contents: Record<string, { digest: string; size: number }> = {};
  for (const [path, text] of Object.entries(files)) {
    contents[path] = { digest: md5b64(enc.encode(text)), size: enc.encode(text).length };
  }
  const digest = manifestDigest(contents);
  const created = await gql(CREATE_ARTIFACT, {
    input: {
      ...run,
      artifactTypeName: "dataset",
      artifactCollectionName: name,
      digest,
      digestAlgorithm: "MANIFEST_MD5",
      aliases: [{ artifactCollectionName: name, alias: "x" }],
      enableDigestDeduplication: true,
      clientID: crypto.randomUUID(),
      sequenceClientID: crypto.randomUUID(),
    },
  });
  const id = created.data!.createArtifact.artifact.id as string;
  const manifest = {
    version: 1,
    storagePolicy: "wandb-storage-policy-v1",
    storagePolicyConfig: { storageLayout: "V2" },
    contents,
  };
  if (created.data!.createArtifact.artifact.state === "COMMITTED") {
    return { gql, id, created, digest, contents, files: [], manifest, finalManifest: null! };
  }
  const manifestVars = {
    ...run,
    artifactID: id,
    baseArtifactID: null,
    name: "wandb_manifest.json",
    manifestType: "FULL",
  };
  const m = await gql(CREATE_MANIFEST, { ...manifestVars, digest: "", includeUpload: false });
  const manifestId = m.data!.createArtifactManifest.artifactManifest.id as string;
  assert.deepEqual(Object.keys(m.data!.createArtifactManifest.artifactManifest.file), ["id"]);
  const created2 = await gql(CREATE_FILES, {
    storageLayout: "V2",
    artifactFiles: Object.entries(contents).map(([path, e]) => ({
      artifactID: id,
      name: path,
      md5: e.digest,
      artifactManifestID: manifestId,
    })),
  });
  /** The final FULL manifest: CreateArtifactManifest again with its digest and the upload URL. */
  const finalManifest = async (bytes: string) => {
    const r = await gql(CREATE_MANIFEST, {
      ...manifestVars,
      digest: md5b64(enc.encode(bytes)),
      includeUpload: true,
    });
    return r.data!.createArtifactManifest.artifactManifest.file as {
      uploadUrl: string;
      uploadHeaders: string[];
    };
  };
  return {
    gql,
    id,
    created,
    digest,
    contents,
    files: created2.data!.createArtifactFiles.files.edges.map((e: Json) => e.node) as {
      uploadUrl: string | null;
      uploadHeaders: string[];
      storagePath: string;
      artifact: { id: string };
    }[],
    manifest,
    finalManifest,
  };
}

Deno.test("GraphQL: every request is checked against W&B's schema; invalid ones are HTTP 400 and counted", async () => {
  const emu = await startEmulator({ entity: "ent", loud: false });
  try {
    const gql = gqlClient(emu);
    assert.equal((await gql("query Viewer { viewer { entity } }")).data!.viewer.entity, "ent");
    assert.equal((await gql("{ viewer { entity } }")).data!.viewer.entity, "ent");
    // the answer holds what the document selects, no more
    assert.deepEqual((await gql("query Viewer { viewer { username } }")).data, {
      viewer: { username: "ent" },
    });
    const raw = (query: string, variables: unknown = {}) =>
      fetch(`${emu.url}/graphql`, { method: "POST", body: JSON.stringify({ query, variables }) })
        .then(async (r) => [r.status, (await r.json()).errors?.[0]?.message]);
    // the document sentilab sent before issue 9: W&B refuses it
    const [status, message] = await raw(
      `mutation CreateArtifactFiles($storageLayout: ArtifactStorageLayout!, $artifactFiles: [CreateArtifactFileSpecInput!]!) {
        createArtifactFiles(input: {artifactFiles: $artifactFiles}) {
          files { edges { node { storagePath(layout: $storageLayout) } } }
        }
      }`,
      { storageLayout: "V2", artifactFiles: [] },
    );
    assert.equal(status, 400);
    assert.match(message, /Unknown argument "layout" on field "File.storagePath"/);
    assert.deepEqual(await raw("mutation DeleteEverything { x }"), [
      400,
      'Cannot query field "x" on type "Mutation".',
    ]);
    // variables are coerced against the operation's definitions
    const [s2, m2] = await raw(COMMIT, { artifactID: 7.5 });
    assert.equal(s2, 400);
    assert.match(m2, /\$artifactID/);
    const [s3, m3] = await raw(CREATE_MANIFEST, {
      ...run,
      artifactID: "x",
      name: "m",
      digest: "",
      manifestType: "BIG",
      includeUpload: false,
    });
    assert.equal(s3, 400);
    assert.match(m3, /manifestType.*BIG|BIG.*ArtifactManifestType/);
    assert.equal(emu.state().invalid.length, 4);
    assert.equal(emu.takeInvalid().length, 4);
    const type = await gql(
      'mutation CreateArtifactType($t: String!) { createArtifactType(input: {entityName: "e", projectName: "p", name: $t}) { artifactType { id } } }',
      { t: "model" },
    );
    assert.equal(type.data!.createArtifactType.artifactType.id, btoa("ArtifactType:model"));
    const s = emu.state();
    assert.equal(s.counts.Viewer, 3);
    assert.equal(s.counts.CreateArtifactType, 1);
    const dump = await fetch(`${emu.url}/__emu/state`).then((r) => r.json());
    assert.deepEqual(dump.counts, s.counts);
  } finally {
    await emu.close();
  }
});

Deno.test("close() fails a test whose client sent an invalid request", async () => {
  const emu = await startEmulator({ loud: false });
  const res = await fetch(`${emu.url}/graphql`, {
    method: "POST",
    body: JSON.stringify({ query: "query Viewer { viewer { nope } }" }),
  });
  await res.body?.cancel();
  assert.equal(res.status, 400);
  await assert.rejects(
    emu.close(),
    /1 request\(s\) the real W&B refuses:\n {2}Viewer: Cannot query field "nope"/,
  );
});

Deno.test("file_stream: offsets overwrite, gzip bodies, summary, uploaded, heartbeats, complete, line cap", async () => {
  const emu = await startEmulator({ loud: false });
  try {
    const gql = gqlClient(emu);
    await gql(UPSERT_BUCKET, {
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
      [200, { exitcode: null, limits: {} }],
    );
    await post({ files: { "wandb-history.jsonl": { offset: 1, content: [line(1), line(2)] } } }, true);
    await post({ files: { "wandb-history.jsonl": { offset: 4, content: [line(4)] } } });
    await post({
      files: {
        "wandb-summary.json": { offset: 0, content: ['{"i":4}'] },
        "output.log": { offset: 0, content: ["2026-01-02T03:04:05.123456 hi"] },
      },
    });
    await post({});
    await post({ uploaded: ["config.yaml", "wandb-metadata.json"] });
    const [capStatus] = await post({
      files: {
        "wandb-history.jsonl": { offset: 5, content: [JSON.stringify({ big: "x".repeat(10 << 20) })] },
      },
    });
    assert.equal(capStatus, 400, "a line over the back end's cap is refused");
    assert.match(emu.takeInvalid()[0].message, /over the 10383360-byte line cap/);
    await post({ complete: true, exitcode: 1 });
    const r = emu.state().runs["e/p/r1"];
    assert.deepEqual(r.history.map((h) => h?.i ?? null), [0, 1, 2, null, 4]);
    assert.deepEqual(r.historyWrites, [1, 2, 1, 0, 1]);
    assert.deepEqual(r.summary, { i: 4 });
    assert.deepEqual(r.output, ["2026-01-02T03:04:05.123456 hi"]);
    assert.deepEqual(r.uploaded, ["config.yaml", "wandb-metadata.json"]);
    assert.equal(r.heartbeats, 1);
    assert.deepEqual([r.complete, r.exitcode], [true, 1]);
    assert.deepEqual(r.config, { lr: 0.1, raw: 2 });
    assert.deepEqual([r.group, r.jobType, r.tags, r.notes], ["g", "train", ["t"], "n"]);
    const missing = await fetch(`${emu.url}/files/e/p/nope/file_stream`, { method: "POST", body: "{}" });
    await missing.body?.cancel();
    assert.equal(missing.status, 404);
  } finally {
    await emu.close();
  }
});

Deno.test("commit checks: the manifest must be uploaded with its digest, every entry stored, the digest must match", async () => {
  const emu = await startEmulator({ loud: false });
  try {
    await gqlClient(emu)(UPSERT_BUCKET, { name: "r1", project: "p", entity: "e" });
    const a = await pendingArtifact(emu);
    assert.equal(a.created.data!.createArtifact.artifact.state, "PENDING");
    const commit = () => a.gql(COMMIT, { artifactID: a.id });
    assert.match((await commit()).errors![0].message, /manifest .* never uploaded/);
    const json = JSON.stringify(a.manifest);
    const file = await a.finalManifest(json);
    assert.deepEqual(file.uploadHeaders, [`Content-MD5:${md5b64(enc.encode(json))}`]);
    assert.equal(await put(file.uploadUrl, json, headersOf(file.uploadHeaders)), 200);
    assert.match((await commit()).errors![0].message, /entry 'a.txt' .* never uploaded/);
    const f = a.files[0];
    assert.ok(f.uploadUrl);
    assert.equal(f.storagePath, `wandb_artifacts/e/p/art/${"5d41402abc4b2a76b9719d911017c592"}`);
    const h = headersOf(f.uploadHeaders);
    assert.equal(
      await put(f.uploadUrl, "hello", { ...h, Authorization: "Basic eA==" }),
      403,
      "no extra headers",
    );
    assert.equal(await put(f.uploadUrl, "hello", {}), 403, "the signed headers are required");
    assert.equal(emu.takeInvalid().length, 2);
    // a streamed fetch body goes chunked, without Content-Length: a presigned URL refuses it
    const chunked = await fetch(f.uploadUrl, {
      method: "PUT",
      body: ReadableStream.from([enc.encode("hello")]),
      headers: h,
    });
    await chunked.body?.cancel();
    assert.equal(chunked.status, 411, "a chunked upload is refused");
    assert.match(emu.takeInvalid()[0].message, /no Content-Length \(chunked\)/);
    assert.equal(await put(f.uploadUrl, "hellO", h), 400, "the body must match the Content-MD5");
    assert.equal(await put(f.uploadUrl, "hello", h), 200);
    // a manifest whose bytes differ from the digest it was created with
    const bad = {
      ...a.manifest,
      contents: { ...a.manifest.contents, "b.txt": a.manifest.contents["a.txt"] },
    };
    const badFile = await a.finalManifest(JSON.stringify(bad));
    assert.equal(await put(badFile.uploadUrl, JSON.stringify(bad), headersOf(badFile.uploadHeaders)), 200);
    assert.match((await commit()).errors![0].message, /digest .* does not match the manifest/);
    const good = await a.finalManifest(json);
    assert.equal(await put(good.uploadUrl, json, headersOf(good.uploadHeaders)), 200);
    const ok = await commit();
    assert.equal(ok.errors, undefined);
    assert.deepEqual(ok.data!.commitArtifact.artifact, {
      id: a.id,
      digest: a.digest,
      versionIndex: 0,
      state: "COMMITTED",
    });
    assert.deepEqual(emu.state().artifacts[a.id].aliases, ["latest", "x"]);
  } finally {
    await emu.close();
  }
});

Deno.test("digest: paths sorted by code point as Python sorts them (an emoji file name)", async () => {
  const emu = await startEmulator({ loud: false });
  try {
    await gqlClient(emu)(UPSERT_BUCKET, { name: "r1", project: "p", entity: "e" });
    // U+1F600 sorts after U+FF5E by code point; by UTF-16 code unit (0xD83D) it would sort before
    const files = { "\u{1F600}.txt": "smile", "\uFF5E.txt": "tilde" };
    const py = createHashHex(
      `wandb-artifact-manifest-v1\n\uFF5E.txt:${md5b64(enc.encode("tilde"))}\n\u{1F600}.txt:${
        md5b64(enc.encode("smile"))
      }\n`,
    );
    const a = await pendingArtifact(emu, "emoji", files);
    assert.equal(a.digest, py);
    for (const [i, f] of a.files.entries()) {
      assert.equal(await put(f.uploadUrl!, Object.values(files)[i], headersOf(f.uploadHeaders)), 200);
    }
    const json = JSON.stringify(a.manifest);
    const file = await a.finalManifest(json);
    await put(file.uploadUrl, json, headersOf(file.uploadHeaders));
    const ok = await a.gql(COMMIT, { artifactID: a.id });
    assert.equal(ok.errors, undefined, JSON.stringify(ok.errors));
  } finally {
    await emu.close();
  }
});

function createHashHex(text: string): string {
  return createHash("md5").update(text).digest("hex");
}

Deno.test("versions, digest dedup, alias moves, lookups and blob reads", async () => {
  const emu = await startEmulator({ loud: false });
  try {
    const gql = gqlClient(emu);
    await gql(UPSERT_BUCKET, { name: "r1", project: "p", entity: "e" });
    const a = await pendingArtifact(emu, "coll");
    await put(a.files[0].uploadUrl!, "hello", headersOf(a.files[0].uploadHeaders));
    const json = JSON.stringify(a.manifest);
    const mf = await a.finalManifest(json);
    await put(mf.uploadUrl, json, headersOf(mf.uploadHeaders));
    await gql(COMMIT, { artifactID: a.id });
    // the same digest again: COMMITTED, same id
    const again = await pendingArtifact(emu, "coll");
    assert.equal(again.created.data!.createArtifact.artifact.state, "COMMITTED");
    assert.equal(again.id, a.id);
    // a new digest in the same collection becomes v1 and takes `latest` and `x`; its files are stored already
    const b = await pendingArtifact(emu, "coll", { "a.txt": "hello", "b.txt": "hello" });
    assert.equal(b.created.data!.createArtifact.artifact.artifactSequence.latestArtifact.id, a.id);
    assert.deepEqual(
      b.files.map((f) => [f.uploadUrl, f.artifact.id]),
      [[null, a.id], [null, a.id]],
      "already stored: no upload URL, the birth artifact is the first one",
    );
    const json2 = JSON.stringify(b.manifest);
    const mf2 = await b.finalManifest(json2);
    await put(mf2.uploadUrl, json2, headersOf(mf2.uploadHeaders));
    const committed = await gql(COMMIT, { artifactID: b.id });
    assert.equal(committed.data!.commitArtifact.artifact.versionIndex, 1);
    const s = emu.state();
    assert.deepEqual(s.artifacts[a.id].aliases, []);
    assert.deepEqual(s.artifacts[b.id].aliases.sort(), ["latest", "x"]);
    // lookups: membership by name, by id, the manifest by its directUrl, a file by the SDK's V2 URL
    const byV0 = await gql(MEMBERSHIP, { entity: "e", project: "p", name: "coll:v0" });
    assert.equal(byV0.data!.project.artifactCollectionMembership.artifact.id, a.id);
    const byLatest = await gql(MEMBERSHIP, { entity: "e", project: "p", name: "coll:latest" });
    assert.equal(byLatest.data!.project.artifactCollectionMembership.artifact.id, b.id);
    const nope = await gql(MEMBERSHIP, { entity: "e", project: "p", name: "coll:nope" });
    assert.equal(nope.data!.project.artifactCollectionMembership, null);
    const byId = await gql(BY_ID, { id: b.id });
    const direct = byId.data!.artifact.currentManifest.file.directUrl;
    assert.deepEqual(await fetch(direct).then((r) => r.json()), b.manifest);
    const v2 = await fetch(
      `${emu.url}/artifactsV2/default/e/p/coll/${
        encodeURIComponent(a.id)
      }/5d41402abc4b2a76b9719d911017c592/a.txt`,
    );
    assert.equal(await v2.text(), "hello");
    assert.deepEqual(emu.state().errors, [], "the file's own name");
    // b.txt has the same MD5 (its birth artifact is a's): its name is right too
    await fetch(`${emu.url}/artifactsV2/default/e/p/coll/${encodeURIComponent(a.id)}/${HELLO}/b.txt`).then((
      r,
    ) => r.body?.cancel());
    assert.deepEqual(emu.state().errors, []);
    // a name cut at '#' (as the SDK's requests sends 'x#y.txt'), a folder left in: served, but recorded
    for (const tail of ["x#y.txt", "dir%2Fa.txt"]) {
      await fetch(`${emu.url}/artifactsV2/default/e/p/coll/${encodeURIComponent(a.id)}/${HELLO}/${tail}`)
        .then((
          r,
        ) => r.body?.cancel());
    }
    assert.deepEqual(emu.state().errors.map((e) => e.message.slice(0, 22)), [
      "the URL names 'x', whi",
      "the URL names 'dir/a.t",
    ]);
    // a malformed escape is refused
    const bad = await fetch(
      `${emu.url}/artifactsV2/default/e/p/coll/${encodeURIComponent(a.id)}/${HELLO}/100%zz`,
    );
    assert.equal(bad.status, 400);
    await bad.body?.cancel();
    // lineage
    await gql(UPSERT_BUCKET, { name: "reader", project: "p", entity: "e" });
    await gql(USE, { input: { artifactID: b.id, entityName: "e", projectName: "p", runName: "reader" } });
    assert.deepEqual(emu.state().runs["e/p/reader"].inputs, [b.id]);
    // type conflict
    const conflict = await gql(CREATE_ARTIFACT, {
      input: {
        ...run,
        artifactTypeName: "model",
        artifactCollectionName: "coll",
        digest: b.digest,
        digestAlgorithm: "MANIFEST_MD5",
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
