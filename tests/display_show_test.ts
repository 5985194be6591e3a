import assert from "node:assert/strict";
import { join } from "node:path";
import { confusionMatrixSvg, metricsTable, show, writeSvg } from "../lib/display/mod.ts";
import { parseXml } from "./_display_xml.ts";

Deno.test("show: outside a Jupyter kernel it returns the content unchanged", async () => {
  const html = metricsTable({ accuracy: 0.5 });
  assert.equal(await show(html), html);
  const svg = confusionMatrixSvg([[1]], ["a"]);
  assert.equal(await show(svg, { kind: "svg" }), svg);
  await assert.rejects(
    () => show(42 as unknown as string),
    /expects an HTML, SVG or Markdown string, got number/,
  );
});

Deno.test("writeSvg: writes a standalone SVG file atomically, creating folders", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sentilab_display_" });
  try {
    const svg = confusionMatrixSvg([[3, 1], [0, 4]], ["negative", "positive"]);
    const path = join(dir, "reports", "nested", "cm.svg");
    assert.equal(await writeSvg(path, svg), path);
    const text = await Deno.readTextFile(path);
    assert.ok(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg'));
    assert.equal(parseXml(text).name, "svg");
    assert.deepEqual([...Deno.readDirSync(join(dir, "reports", "nested"))].map((e) => e.name), ["cm.svg"]);
    // Re-writing an SVG that already has a declaration does not double it.
    await writeSvg(path, text);
    assert.equal((await Deno.readTextFile(path)).match(/<\?xml/g)?.length, 1);

    await assert.rejects(
      () => writeSvg(join(dir, "x.svg"), "<div>no</div>"),
      /Cannot write '.*x\.svg': not a complete SVG/,
    );
    await assert.rejects(
      () => writeSvg(join(dir, "missing", "y.svg"), svg, { mkdir: false }),
      Deno.errors.NotFound,
    );
    assert.deepEqual(
      [...Deno.readDirSync(dir)].map((e) => e.name).sort(),
      ["reports"],
      "nothing half-written",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
