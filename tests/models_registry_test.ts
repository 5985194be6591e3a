import assert from "node:assert/strict";
import { loadModel } from "../lib/models/mod.ts";
import { writeTinyModel } from "./model_fixtures.ts";
import { finishRun, getRun, initRun, listArtifactVersions } from "../lib/tracking/mod.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "sentilab-models-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const REGISTRY = `models:
  tiny:
    type: onnx
    folder: ./tiny
    labels: [negative, neutral, positive]
    description: a tiny test model
  words:
    type: lexicon
    library: sentiment
    labels: [negative, neutral, positive]
    description: AFINN
`;

Deno.test("loadModel: registry names, onnx folders relative to the registry, lexicon entries", async () => {
  await withDir(async (dir) => {
    await writeTinyModel(`${dir}/tiny`);
    await Deno.writeTextFile(`${dir}/models.yaml`, REGISTRY);
    const tiny = await loadModel("tiny", { registry: `${dir}/models.yaml` });
    assert.equal(tiny.name, "tiny");
    assert.equal(tiny.type, "onnx");
    assert.equal(tiny.dir, `${dir}/tiny`);
    const rows = await tiny.scoreBatch(["anything", "", "😀 " + "x".repeat(100_000)]);
    assert.equal(rows.length, 3);
    for (const r of rows) {
      assert.equal(r.length, 3);
      assert.ok(r[2] > r[1] && r[1] > r[0], "the bias decides: positive > neutral > negative");
      assert.ok(Math.abs(r[0] + r[1] + r[2] - 1) < 1e-5);
    }
    await tiny.close();
    const words = await loadModel("words", { registry: `${dir}/models.yaml` });
    assert.equal(words.type, "lexicon");
    assert.equal(words.card?.library, "sentiment");
    // A folder path works without the registry.
    const byPath = await loadModel(`${dir}/tiny/`);
    assert.equal(byPath.type, "onnx");
    await byPath.close();
  });
});

Deno.test("loadModel: the shipped registry names default and lexicon", async () => {
  const text = await Deno.readTextFile(new URL("../config/models.yaml", import.meta.url));
  assert.match(text, /^ {2}default:\n {4}type: onnx\n {4}folder: \.\.\/models\/default$/m);
  const lexicon = await loadModel("lexicon");
  assert.equal(lexicon.name, "lexicon");
  assert.equal(lexicon.card?.library, "wink-sentiment");
  await assert.rejects(
    loadModel("nope"),
    /Unknown model "nope": not in .*config\/models\.yaml \(known: default, lexicon\)/,
  );
});

Deno.test("loadModel: errors name the file and what is wrong", async () => {
  await withDir(async (dir) => {
    const reg = `${dir}/models.yaml`;
    const cases: [string, RegExp][] = [
      ["models:\n  a:\n    type: onnx\n   folder: x\n", new RegExp(`^Error: ${reg}:4:\\d+: invalid YAML: `)],
      ["models:\n  a: [unclosed\n", new RegExp(`^Error: ${reg}:\\d+:\\d+: invalid YAML`)],
      ["- just\n- a list\n", new RegExp(`^Error: ${reg}:1: expected a top-level "models:" mapping`)],
      [
        "models:\n  x:\n    type: lexicon\n  a:\n    type: bert\n",
        new RegExp(`^Error: ${reg}:4: model "a": unknown type "bert"; use "onnx", "hf-onnx" or "lexicon"`),
      ],
      ["models:\n  a:\n    type: onnx\n", /model "a": an onnx model needs "folder: path\/to\/model"/],
      [
        "models:\n  a:\n    type: lexicon\n    library: afinn\n",
        /model "a": unknown library "afinn"; use one of wink-sentiment, sentiment, vader-sentiment/,
      ],
      [
        "models:\n  a:\n    type: lexicon\n    labels: [good, bad]\n",
        /model "a": labels must be a list of distinct labels/,
      ],
      [
        "models:\n  a:\n    type: onnx\n    folder: ./missing\n",
        new RegExp(`^Error: ${reg}:2: model "a": folder ${dir}/missing does not exist; train it`),
      ],
      [
        "models:\n  a:\n    type: onnx\n    folder: ./models.yaml\n",
        new RegExp(`^Error: ${reg}:2: model "a": folder ${reg} is a file, not a folder; .*train it`),
      ],
    ];
    for (const [yaml, re] of cases) {
      await Deno.writeTextFile(reg, yaml);
      await assert.rejects(loadModel("a", { registry: reg }), re, yaml);
    }
    await assert.rejects(
      loadModel("a", { registry: `${dir}/none.yaml` }),
      /none\.yaml: model registry not found/,
    );
    await Deno.writeTextFile(reg, REGISTRY);
    await assert.rejects(
      loadModel("b", { registry: reg }),
      /Unknown model "b": not in .*models\.yaml \(known: tiny, words\)/,
    );
  });
});

Deno.test("loadModel: folders: missing files, corrupt ONNX, Hugging Face Optimum exports detected", async () => {
  await withDir(async (dir) => {
    await assert.rejects(
      loadModel(`${dir}/nothing`),
      /Model folder .*nothing does not exist; check the path/,
    );
    await Deno.mkdir(`${dir}/empty`);
    await assert.rejects(loadModel(`${dir}/empty`), /empty: not a model folder: no model\.onnx/);
    await writeTinyModel(`${dir}/broken`);
    await Deno.writeFile(`${dir}/broken/model.onnx`, new TextEncoder().encode("not an onnx file"));
    await assert.rejects(loadModel(`${dir}/broken`), /broken\/model\.onnx is not a valid ONNX file/);
    await writeTinyModel(`${dir}/nolabels`);
    await Deno.remove(`${dir}/nolabels/labels.json`);
    await assert.rejects(loadModel(`${dir}/nolabels`), /nolabels\/labels\.json is missing/);
    await Deno.mkdir(`${dir}/hf`);
    await Deno.writeFile(`${dir}/hf/model.onnx`, new Uint8Array([1, 2, 3]));
    await Deno.writeTextFile(`${dir}/hf/tokenizer.json`, "{}");
    await Deno.writeTextFile(
      `${dir}/hf/config.json`,
      JSON.stringify({ id2label: { 0: "NEGATIVE", 1: "POSITIVE" } }),
    );
    // recognised as a transformer export by its files; this one's tokenizer.json is empty
    await assert.rejects(loadModel(`${dir}/hf`), /hf\/tokenizer\.json: cannot build the tokenizer/);
  });
});

Deno.test("loadModel: a file is not a model; a damaged folder says to restore it from git or retrain", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/notes.txt`, "root:x:0:0:root:/root:/bin/bash\n");
    await assert.rejects(
      loadModel(`${dir}/notes.txt`),
      (e: Error) => {
        assert.match(e.message, /notes\.txt is a file, not a folder: a model path must be a model folder/);
        assert.match(e.message, /or a registry name/);
        assert.doesNotMatch(e.message, /does not exist/);
        return true;
      },
    );
    await writeTinyModel(`${dir}/tiny`);
    await assert.rejects(
      loadModel(`${dir}/tiny/model.onnx`),
      /model\.onnx is a file, not a folder: .*; pass the folder that holds this file/,
    );
    const restore = (path: string) =>
      new RegExp(
        `restore the folder from git \\(git checkout -- ${path}\\) or retrain it \\(deno task train --out ${path}\\)`,
      );
    await Deno.writeFile(`${dir}/tiny/model.onnx`, new TextEncoder().encode("not an onnx file"));
    await assert.rejects(loadModel(`${dir}/tiny`), /tiny\/model\.onnx is not a valid ONNX file/);
    await assert.rejects(loadModel(`${dir}/tiny`), restore(`${dir}/tiny`));
    await writeTinyModel(`${dir}/tiny`);
    await Deno.writeTextFile(`${dir}/tiny/features.json`, '{"version": 1, "hashBits": 99}');
    await assert.rejects(loadModel(`${dir}/tiny`), /Invalid feature spec .*features\.json: field/);
    await assert.rejects(loadModel(`${dir}/tiny`), restore(`${dir}/tiny`));
    await Deno.writeTextFile(`${dir}/tiny/features.json`, "{broken");
    await assert.rejects(loadModel(`${dir}/tiny`), /features\.json is not valid JSON/);
    await assert.rejects(loadModel(`${dir}/tiny`), restore(`${dir}/tiny`));
  });
});

Deno.test("loadModel with a run: the model is an input artifact, deduplicated by content", async () => {
  await withDir(async (dir) => {
    await writeTinyModel(`${dir}/tiny`);
    await Deno.writeTextFile(`${dir}/models.yaml`, REGISTRY);
    const store = `${dir}/store`;
    const run = await initRun({ dir: store, tracker: "local", project: "t" });
    for (let i = 0; i < 2; i++) {
      await (await loadModel("tiny", { run, registry: `${dir}/models.yaml` })).close();
      await (await loadModel("words", { run, registry: `${dir}/models.yaml` })).close();
    }
    await finishRun(run);
    const run2 = await initRun({ dir: store, tracker: "local", project: "t" });
    await (await loadModel("tiny", { run: run2, registry: `${dir}/models.yaml` })).close();
    await finishRun(run2);
    assert.equal(listArtifactVersions("tiny", { dir: store }).length, 1);
    assert.equal(listArtifactVersions("words", { dir: store }).length, 1);
    const details = getRun(run.id, { dir: store })!;
    const used = details.used.map((u) => `${u.ref}:${u.type}`).sort();
    assert.deepEqual([...new Set(used)], ["tiny:v0:model", "words:v0:model"]);
    const tiny = details.used.find((u) => u.name === "tiny")!;
    assert.deepEqual(tiny.metadata.metrics, { accuracy: 0.5 });
    assert.equal(tiny.metadata.model_type, "onnx");
    assert.deepEqual(Object.keys(tiny.manifest.contents).sort(), [
      "card.json",
      "features.json",
      "labels.json",
      "model.onnx",
    ]);
    assert.deepEqual(getRun(run2.id, { dir: store })!.used.map((u) => u.ref), ["tiny:v0"]);
  });
});

Deno.test("loadModel: a registry served over HTTP works for lexicon models; a remote ONNX folder that serves no model is named", async () => {
  const yaml =
    "models:\n  words:\n    type: lexicon\n    library: sentiment\n  far:\n    type: onnx\n    folder: ../models/far\n";
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, () => new Response(yaml));
  try {
    const url = `http://127.0.0.1:${server.addr.port}/config/models.yaml`;
    const words = await loadModel("words", { registry: url });
    assert.equal(words.card?.library, "sentiment");
    await assert.rejects(
      loadModel("far", { registry: new URL(url) }),
      /models\.yaml:5: model "far": .*http:\/\/127\.0\.0\.1:\d+\/models\/far\/features\.json is not valid JSON/,
    );
  } finally {
    await server.shutdown();
  }
});
