import assert from "node:assert/strict";
import { join } from "node:path";
import { lineageFromRuns, lineageGraphSvg } from "../lib/display/mod.ts";
import { finishRun, getRun, initRun, logArtifact, useArtifact } from "../lib/tracking/mod.ts";
import { findAll, parseXml } from "./_display_xml.ts";

Deno.test("lineageFromRuns: the chain dataset → run → model → run from a real local store", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sentilab_lineage_" });
  try {
    const store = join(dir, "store");
    await Deno.writeTextFile(join(dir, "train.jsonl"), '{"text":"good","label":"positive"}\n');
    await Deno.writeTextFile(join(dir, "weights.bin"), "0.1 0.2 0.3");

    const train = await initRun({ dir: store, name: "train", jobType: "train", tracker: "local" });
    const data = await useArtifact(train, {
      name: "reviews",
      type: "dataset",
      files: [join(dir, "train.jsonl")],
    });
    const model = await logArtifact(
      train,
      { name: "clf", type: "model", files: [join(dir, "weights.bin")] },
      {
        aliases: ["best"],
      },
    );
    await finishRun(train);
    const evalRun = await initRun({ dir: store, name: "evaluate", jobType: "eval", tracker: "local" });
    await useArtifact(evalRun, "clf:best");
    await useArtifact(evalRun, "reviews:latest");
    await finishRun(evalRun);
    assert.ok(data && model);

    const graph = lineageFromRuns([getRun(train.id, { dir: store })!, getRun(evalRun.id, { dir: store })!]);
    assert.deepEqual(
      graph.nodes.map((n) => n.id).sort(),
      [evalRun.id, train.id, "clf:v0", "reviews:v0"].sort(),
    );
    const edges = graph.edges.map((e) => `${e.from}>${e.to}:${e.label}`).sort();
    assert.deepEqual(
      edges,
      [
        `${train.id}>clf:v0:logged`,
        `clf:v0>${evalRun.id}:used`,
        `reviews:v0>${evalRun.id}:used`,
        `reviews:v0>${train.id}:used`,
      ].sort(),
    );
    const clf = graph.nodes.find((n) => n.id === "clf:v0")!;
    assert.equal(clf.kind, "model");
    assert.ok(
      clf.detail?.includes(model.digest.slice(0, 8)) && clf.detail.includes("best"),
      clf.detail ?? "(no detail)",
    );

    const root = parseXml(lineageGraphSvg(graph));
    const x = (id: string) => {
      const g = findAll(root, (e) => e.attrs.class === "node" && e.attrs["data-id"] === id)[0];
      return Number(g.children.find((c) => c.name === "rect")!.attrs.x);
    };
    assert.ok(x("reviews:v0") < x(train.id) && x(train.id) < x("clf:v0") && x("clf:v0") < x(evalRun.id));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lineageFromRuns: a version used and logged by one run stays acyclic; duplicate runs rejected", () => {
  const v = { ref: "a:v0", type: "dataset", digest: "abcdef0123", aliases: ["latest"] };
  const run = { id: "r1", name: "r", jobType: null, status: "finished", used: [v, v], produced: [v] };
  const graph = lineageFromRuns([run]);
  assert.deepEqual(graph.edges, [{ from: "a:v0", to: "r1", label: "used, logged" }]);
  lineageGraphSvg(graph); // no cycle error
  assert.throws(() => lineageFromRuns([run, run]), /Run 'r1' is given twice/);
});
