/**
 * Pictures that travel: a notebook with every chart of sentilab (confusion matrix, per-class bars, a
 * calibration line chart, lineage graph, video timeline) is executed on the Deno kernel by the project's
 * runner, then exported with nbconvert (Debian's python3-nbconvert, the version users have), and every
 * SVG must be in the exported HTML, inline, so it renders there and on GitHub's notebook viewer. The
 * text/plain fallback of each picture is a one-line description, not a character count.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { launchChromium } from "./_chromium.ts";
import { ROOT } from "./_task_env.ts";

const PYTHON = "/usr/bin/python3";

function hasPython(modules: string): boolean {
  try {
    return new Deno.Command(PYTHON, { args: ["-c", `import ${modules}`], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}
const READY = hasPython("jupyter_client, nbformat, nbconvert");
if (!READY) {
  console.warn(
    "notebooks_export_test: skipped: /usr/bin/python3 lacks nbclient/nbconvert " +
      "(apt-get install -y --no-install-recommends python3-nbclient python3-nbconvert)",
  );
}

const PICTURES: [string, string][] = [
  [
    "Confusion matrix: demo",
    `confusionMatrixSvg([[5, 1, 0], [1, 3, 1], [0, 2, 6]], ["negative", "neutral", "positive"], { title: "Confusion matrix: demo" })`,
  ],
  [
    "F1 per class",
    `perClassBars([{ name: "onnx", values: { negative: 0.8, neutral: 0.5, positive: 0.9 } }, { name: "lexicon", values: { negative: 0.6, neutral: 0.3, positive: 0.7 } }], { metric: "F1", title: "F1 per class" })`,
  ],
  [
    "Calibration",
    `lineChartSvg([{ name: "onnx", points: [{ x: 0.1, y: 0.15 }, { x: 0.5, y: 0.45 }, { x: 0.9, y: 0.85 }] }], { title: "Calibration", xLabel: "confidence", yLabel: "accuracy", yDomain: [0, 1] })`,
  ],
  [
    "Lineage of run-1",
    `lineageGraphSvg({ nodes: [{ id: "sample:v0", kind: "dataset" }, { id: "run-1", kind: "run" }, { id: "preds:v0", kind: "predictions" }], edges: [{ from: "sample:v0", to: "run-1" }, { from: "run-1", to: "preds:v0" }] }, { title: "Lineage of run-1" })`,
  ],
  [
    "Sentiment timeline of clip.mp4",
    `timelineSvg({ metadata: { path: "clip.mp4", duration: 4, width: 640, height: 360, container: "mp4" }, text: { found: true, model: "lexicon", reason: null, timeline: [{ index: 0, start: 0.5, end: 1.5, text: "great", label: "positive", confidence: 0.9, scores: { negative: 0.05, neutral: 0.05, positive: 0.9 }, valence: 0.85 }], overall: { label: "positive", valence: 0.85, coverage: 0.25, coveredSeconds: 1, scores: { negative: 0.05, neutral: 0.05, positive: 0.9 } } }, faces: null, series: [] } as any)`,
  ],
];

/** A prediction with a long text: the table must keep it readable under nbconvert's (JupyterLab's) CSS. */
const TABLE_ROW = `{ text: "${"a long review that goes on and on ".repeat(4).trim()}", label: "positive", ` +
  `confidence: 0.9, scores: { negative: 0.05, neutral: 0.05, positive: 0.9 } }`;

/**
 * The exported page in Chromium: JupyterLab's stylesheet, which nbconvert inlines, sets
 * `td { text-align: right }` and `table { table-layout: fixed }` on rendered HTML, so a table without its
 * own alignment shows texts right-aligned and squeezed into a column as wide as the row number's.
 */
async function tableReadsInBrowser(file: string): Promise<void> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1100, height: 900 });
    await page.goto(`file://${file}`, { waitUntil: "load", timeout: 30_000 });
    // A string, evaluated in the page (this file is type-checked without the DOM library).
    const cells = await page.evaluate(`
      [...document.querySelector(".sentilab-predictions tbody tr").querySelectorAll("td")]
        .map((td) => ({ align: getComputedStyle(td).textAlign, width: td.getBoundingClientRect().width }))
    `) as { align: string; width: number }[];
    const [num, text, predicted] = cells;
    assert.equal(text.align, "left", "the text column reads left to right");
    assert.equal(predicted.align, "left", "the label column is left-aligned like its header");
    assert.ok(
      text.width > 3 * num.width,
      `the text gets the room, not the row number (${text.width} vs ${num.width})`,
    );
  } finally {
    await browser.close();
  }
}

Deno.test({
  name: "an executed notebook exported with nbconvert keeps every SVG, inline, with a one-line text fallback",
  ignore: !READY,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "sentilab_nbexport_" });
  try {
    const display = new URL("../lib/display/mod.ts", import.meta.url).href;
    const video = new URL("../lib/video/timeline_svg.ts", import.meta.url).href;
    const cells = [
      `import { confusionMatrixSvg, lineageGraphSvg, lineChartSvg, perClassBars, predictionsTable, show } from "${display}";\n` +
      `import { timelineSvg } from "${video}";`,
      ...PICTURES.map(([, call]) => `// expect-output: image/svg+xml text/html\nawait show(${call});`),
      `// expect-output: text/html\nawait show(predictionsTable([${TABLE_ROW}, ${TABLE_ROW}], { gold: ["negative", "positive"] }));`,
    ];
    await Deno.writeTextFile(
      join(dir, "pictures.ipynb"),
      JSON.stringify({
        nbformat: 4,
        nbformat_minor: 4,
        metadata: { kernelspec: { name: "deno", display_name: "Deno", language: "typescript" } },
        cells: cells.map((source) => ({
          cell_type: "code",
          metadata: {},
          source,
          outputs: [],
          execution_count: null,
        })),
      }),
    );
    const run = await new Deno.Command(PYTHON, {
      args: [
        join(ROOT, "notebooks", "run_notebooks.py"),
        "--output-dir",
        join(dir, "out"),
        join(dir, "pictures.ipynb"),
      ],
      cwd: ROOT,
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(240_000),
    }).output();
    const dec = new TextDecoder();
    assert.equal(run.code, 0, dec.decode(run.stdout) + dec.decode(run.stderr));
    const executed = join(dir, "out", "pictures.ipynb");

    // text/plain: a one-line description naming the picture
    const nb = JSON.parse(await Deno.readTextFile(executed));
    const plain = nb.cells.flatMap((c: { outputs?: { data?: Record<string, string | string[]> }[] }) =>
      (c.outputs ?? []).filter((o) => o.data?.["image/svg+xml"]).map((o) =>
        [o.data!["text/plain"]].flat().join("")
      )
    );
    assert.equal(plain.length, PICTURES.length, "one picture per cell");
    PICTURES.forEach(([label], i) => {
      assert.match(
        plain[i],
        new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\(chart, \\d+×\\d+\\)$`),
      );
    });

    const convert = await new Deno.Command(PYTHON, {
      args: ["-m", "nbconvert", "--to", "html", "--output-dir", join(dir, "html"), executed],
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(120_000),
    }).output();
    assert.equal(convert.code, 0, dec.decode(convert.stderr));
    const html = await Deno.readTextFile(join(dir, "html", "pictures.html"));
    // Only the outputs: nbconvert's template has its own inline SVG icons elsewhere.
    const outputs = [
      ...html.matchAll(
        /<div class="jp-RenderedHTMLCommon jp-RenderedHTML jp-OutputArea-output[^"]*"[^>]*>([\s\S]*?)<\/div>\s*<\/div>/g,
      ),
    ]
      .map((m) => m[1]);
    const svgs = outputs.flatMap((o) =>
      [...o.matchAll(/<svg\b[^>]*\baria-label="([^"]*)"/g)].map((m) => m[1])
    );
    assert.deepEqual(svgs, PICTURES.map(([label]) => label), "every picture is an inline <svg> of the HTML");
    assert.ok(
      !outputs.some((o) => /<img\b/.test(o)),
      "no picture is an <img> (nbconvert 6.5 draws those empty)",
    );
    await tableReadsInBrowser(join(dir, "html", "pictures.html"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
