/**
 * Every GraphQL document sentilab's W&B client sends validates against W&B's own schema
 * (tests/fixtures/wandb_schema.graphql), checked directly, with no server in between.
 */
import assert from "node:assert/strict";
import { checkGraphql } from "./_wandb_schema.ts";

const DIR = new URL("../lib/tracking/wandb/", import.meta.url);

/** The GraphQL documents in a source file: template literals that start with `query Name` or `mutation Name`. */
function documentsOf(source: string): string[] {
  return [...source.matchAll(/`\s*((?:query|mutation)\s+\w+\s*[({][^`]*)`/g)].map((m) => m[1]);
}

Deno.test("every GraphQL document in lib/tracking/wandb validates against W&B's schema", async () => {
  const found: string[] = [];
  for await (const entry of Deno.readDir(DIR)) {
    if (!entry.isFile || !entry.name.endsWith(".ts")) continue;
    const source = await Deno.readTextFile(new URL(entry.name, DIR));
    for (const doc of documentsOf(source)) {
      assert.ok(!doc.includes("${"), `${entry.name}: a document is built by interpolation; keep it literal`);
      const r = checkGraphql(doc, undefined);
      const name = /^(?:query|mutation)\s+(\w+)/.exec(doc)?.[1] ?? "(anonymous)";
      found.push(name);
      if ("errors" in r) {
        assert.fail(`${entry.name} ${name}: ${r.errors.map((e) => e.message).join("; ")}`);
      }
    }
  }
  // The operations the replica needs; a document that is dropped or renamed shows here.
  for (
    const op of [
      "Viewer",
      "UpsertBucket",
      "CreateRunFiles",
      "CreateArtifact",
      "CreateArtifactManifest",
      "CreateArtifactFiles",
      "CommitArtifact",
      "UseArtifact",
      "ArtifactMembershipByName",
      "AddAliases",
      "DeleteAliases",
    ]
  ) {
    assert.ok(
      found.includes(op),
      `no ${op} document found in lib/tracking/wandb (found ${found.join(", ")})`,
    );
  }
});

Deno.test("the schema check refuses what W&B refuses", () => {
  const bad = checkGraphql(
    `mutation CreateArtifactFiles($storageLayout: ArtifactStorageLayout!, $artifactFiles: [CreateArtifactFileSpecInput!]!) {
      createArtifactFiles(input: {artifactFiles: $artifactFiles}) {
        files { edges { node { storagePath(layout: $storageLayout) } } }
      }
    }`,
    undefined,
  );
  assert.ok("errors" in bad);
  assert.match(
    bad.errors.map((e) => e.message).join("\n"),
    /Unknown argument "layout" on field "File.storagePath"/,
  );
  const vars = checkGraphql(
    `mutation CommitArtifact($artifactID: ID!) { commitArtifact(input: {artifactID: $artifactID}) { artifact { id } } }`,
    { artifactID: null },
  );
  assert.ok("errors" in vars);
  assert.match(vars.errors[0].message, /artifactID/);
});
