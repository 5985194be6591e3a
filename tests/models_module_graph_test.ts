import assert from "node:assert/strict";

/** The specifiers of every module `entry` loads, as Deno resolves them (`deno info --json`). */
async function moduleGraph(entry: string): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "--config", new URL("../deno.json", import.meta.url).pathname, entry],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as { modules: { specifier: string }[] };
  return info.modules.map((m) => m.specifier);
}

Deno.test("loadModel's module (lib/models/mod.ts) loads no training code and no cli-progress", async () => {
  const graph = await moduleGraph(new URL("../lib/models/mod.ts", import.meta.url).pathname);
  assert.ok(graph.some((s) => s.endsWith("/lib/models/load_model.ts")), "the graph was read");
  assert.ok(graph.some((s) => s.includes("onnxruntime-node")), "serving loads onnxruntime");
  const training = graph.filter((s) => s.includes("/lib/training/"));
  assert.deepEqual(training, [], "training modules in the serving graph");
  const heavy = graph.filter((s) => /cli-progress|onnx-proto/.test(s));
  assert.deepEqual(heavy, [], "training-only npm packages in the serving graph");
});

Deno.test("the root mod.ts still exports the training functions", async () => {
  const mod = await import("../mod.ts");
  assert.equal(typeof mod.trainClassifier, "function");
  assert.equal(typeof mod.readTrainRecipe, "function");
  assert.equal(typeof mod.loadModel, "function");
});
