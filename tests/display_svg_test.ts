import assert from "node:assert/strict";
import { confusionMatrixSvg, lineageGraphSvg, lineChartSvg, perClassBars } from "../lib/display/mod.ts";
import { findAll, parseXml, textOf, type XmlElement } from "./_display_xml.ts";

const LABELS = ["negative", "neutral", "positive"];

function luminance(hex: string): number {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  assert.ok(m, `not a #rrggbb colour: ${hex}`);
  const [r, g, b] = [m[1], m[2], m[3]].map((h) => {
    const c = parseInt(h, 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function cells(svg: string): Array<{ row: number; col: number; value: number; fill: string; text: string }> {
  const root = parseXml(svg);
  return findAll(root, (e) => e.name === "g" && e.attrs.class === "cell").map((g) => {
    const rect = g.children.find((c) => c.name === "rect")!;
    const texts = g.children.filter((c) => c.name === "text");
    return {
      row: Number(g.attrs["data-row"]),
      col: Number(g.attrs["data-col"]),
      value: Number(g.attrs["data-value"]),
      fill: rect.attrs.fill,
      text: texts.map(textOf).join(" "),
    };
  });
}

Deno.test("confusionMatrixSvg: well-formed SVG with every count and label drawn", () => {
  const m = [[50, 10, 3], [8, 20, 12], [2, 9, 70]];
  const svg = confusionMatrixSvg(m, LABELS, { title: "Eval <v1>" });
  const root = parseXml(svg);
  assert.equal(root.name, "svg");
  assert.equal(root.attrs.xmlns, "http://www.w3.org/2000/svg");
  assert.equal(root.children.find((c) => c.name === "title")?.text, "Eval <v1>");
  const cs = cells(svg);
  assert.equal(cs.length, 9);
  for (const c of cs) {
    assert.equal(c.value, m[c.row][c.col]);
    assert.match(c.text, new RegExp(`^${m[c.row][c.col]} `));
  }
  // row shares: 50/63 = 79%
  assert.match(cs.find((c) => c.row === 0 && c.col === 0)!.text, /79%/);
  const all = textOf(root);
  for (const l of LABELS) assert.ok(all.includes(l), `label ${l} missing`);
  assert.ok(all.includes("n = 184, diagonal = 140 (76.1%)"));
});

Deno.test("confusionMatrixSvg: colour darkens monotonically with the value", () => {
  const values = [0, 1, 2, 3, 5, 8, 13, 21, 34, 55];
  const n = values.length;
  const m = values.map((v, i) => values.map((_, j) => (j === i ? v : 0)));
  const labels = values.map((_, i) => `c${i}`);
  const cs = cells(confusionMatrixSvg(m, labels, { normalize: "none", cellSize: 24 }))
    .filter((c) => c.row === c.col)
    .sort((a, b) => a.value - b.value);
  assert.equal(cs.length, n);
  for (let k = 1; k < n; k++) {
    assert.ok(
      luminance(cs[k].fill) < luminance(cs[k - 1].fill),
      `value ${cs[k].value} (${cs[k].fill}) is not darker than ${cs[k - 1].value} (${cs[k - 1].fill})`,
    );
  }
  // Row normalisation: a row with all counts equal has cells of equal colour.
  const even = cells(confusionMatrixSvg([[4, 4], [1, 3]], ["a", "b"]));
  assert.equal(even[0].fill, even[1].fill);
  assert.notEqual(even[2].fill, even[3].fill);
});

Deno.test("confusionMatrixSvg: labels are escaped and bad input is named", () => {
  const svg = confusionMatrixSvg([[1, 0], [0, 1]], ["<script>x</script>", 'a"b&c']);
  assert.ok(!svg.includes("<script>"));
  const root = parseXml(svg);
  const text = textOf(root);
  assert.ok(text.includes("<script>x</script>"), "label text is kept, escaped");
  assert.ok(text.includes('a"b&c'));
  assert.throws(() => confusionMatrixSvg([[1, 2]], ["a", "b"]), /has 1 rows but 2 labels/);
  assert.throws(() => confusionMatrixSvg([[1, 2], [3]], ["a", "b"]), /row 1 \('b'\) has 1 cells, expected 2/);
  assert.throws(
    () => confusionMatrixSvg([[1, -2], [0, 1]], ["a", "b"]),
    /cell \[0\]\[1\] \(gold 'a', predicted 'b'\) is -2/,
  );
  assert.throws(() => confusionMatrixSvg([[1, NaN], [0, 1]], ["a", "b"]), /is NaN/);
  assert.throws(() => confusionMatrixSvg([], []), /empty/);
  assert.throws(() => confusionMatrixSvg([[1]], ["a"], { cellSize: 3 }), /Invalid cellSize 3/);
});

Deno.test("perClassBars: one bar per series and class, heights proportional to values", () => {
  const series = [
    { name: "onnx", values: { negative: 0.81, neutral: 0.5, positive: 0.9 } },
    { name: "lexicon <b>", values: { negative: 0.6, neutral: 0.25, positive: 0.72 } },
  ];
  const svg = perClassBars(series, { metric: "F1" });
  const root = parseXml(svg);
  const bars = findAll(root, (e) => e.name === "g" && e.attrs.class === "bar");
  assert.equal(bars.length, 6);
  const height = (s: string, c: string) => {
    const g = bars.find((b) => b.attrs["data-series"] === s && b.attrs["data-class"] === c)!;
    return Number(g.children.find((x) => x.name === "rect")!.attrs.height);
  };
  const unit = height("onnx", "neutral") / 0.5;
  assert.ok(unit > 0);
  for (const s of series) {
    for (const [c, v] of Object.entries(s.values)) {
      assert.ok(Math.abs(height(s.name, c) - v * unit) < 0.05, `${s.name}/${c}`);
    }
  }
  const text = textOf(root);
  for (const v of ["0.81", "0.50", "0.90", "0.60", "0.25", "0.72", "lexicon <b>", "F1"]) {
    assert.ok(text.includes(v), `${v} missing`);
  }
  assert.ok(!svg.includes("<b>"));
  const partial = parseXml(perClassBars([{ name: "a", values: { x: 1 } }], { classes: ["x", "y"] }));
  assert.ok(textOf(partial).includes("n/a"));
  assert.throws(() => perClassBars([]), /1 to 10 series, got 0/);
  assert.throws(
    () => perClassBars([{ name: "m", values: { neutral: -0.1 } }]),
    /series 'm' for class 'neutral' is -0.1/,
  );
});

Deno.test("lineChartSvg: points map to coordinates in order, NaN breaks the line", () => {
  const pts = [{ x: 2, y: 0.5 }, { x: 0, y: 0 }, { x: 1, y: 1 }, { x: 3, y: NaN }, { x: 4, y: 0.25 }];
  const svg = lineChartSvg([{ name: "positive", points: pts }], {
    yDomain: [0, 1],
    xLabel: "seconds",
    yLabel: "score",
    title: "T & t",
  });
  const root = parseXml(svg);
  const path = findAll(root, (e) => e.name === "path" && e.attrs.stroke !== undefined)[0];
  const segs = [...path.attrs.d.matchAll(/([ML])([\d.]+) ([\d.]+)/g)].map((m) => ({
    cmd: m[1],
    x: Number(m[2]),
    y: Number(m[3]),
  }));
  assert.deepEqual(segs.map((s) => s.cmd), ["M", "L", "L", "M"]);
  // x ascending, and y of x=1 (1.0) above (smaller) y of x=0 (0.0); y of 0.5 exactly between.
  assert.ok(segs[0].x < segs[1].x && segs[1].x < segs[2].x && segs[2].x < segs[3].x);
  assert.ok(segs[1].y < segs[0].y);
  assert.ok(Math.abs(segs[2].y - (segs[0].y + segs[1].y) / 2) < 0.02);
  const text = textOf(root);
  for (const s of ["seconds", "score", "T & t", "positive", "0.5", "1"]) assert.ok(text.includes(s), s);
  assert.equal(findAll(root, (e) => e.name === "circle").length, 4);
  assert.throws(
    () => lineChartSvg([{ name: "a", points: [{ x: NaN, y: 1 }] }]),
    /Point 0 of series 'a' has x = NaN/,
  );
  assert.throws(() => lineChartSvg([{ name: "a", points: [{ x: 1, y: NaN }] }]), /no series has a point/);
  assert.throws(
    () => lineChartSvg([{ name: "a", points: [{ x: 1, y: 1 }] }], { yDomain: [1, 1] }),
    /yDomain/,
  );
});

Deno.test("lineageGraphSvg: inputs left of runs, outputs right; cycles and unknown nodes rejected", () => {
  const graph = {
    nodes: [
      { id: "preds:v0", kind: "predictions" },
      { id: "run-1", kind: "run", label: "evaluate" },
      { id: "sample:v0", kind: "dataset" },
      { id: "default:v0", kind: "model", detail: "<onnx>" },
    ],
    edges: [
      { from: "sample:v0", to: "run-1", label: "used" },
      { from: "default:v0", to: "run-1" },
      { from: "run-1", to: "preds:v0" },
    ],
  };
  const root = parseXml(lineageGraphSvg(graph));
  const nodes = findAll(root, (e) => e.name === "g" && e.attrs.class === "node");
  assert.equal(nodes.length, 4);
  const x = (id: string) => {
    const g = nodes.find((n: XmlElement) => n.attrs["data-id"] === id)!;
    return Number(g.children.find((c) => c.name === "rect")!.attrs.x);
  };
  assert.equal(x("sample:v0"), x("default:v0"));
  assert.ok(x("sample:v0") < x("run-1") && x("run-1") < x("preds:v0"));
  assert.equal(findAll(root, (e) => e.name === "path" && e.attrs.class === "edge").length, 3);
  const text = textOf(root);
  for (const s of ["evaluate", "<onnx>", "used", "preds:v0"]) assert.ok(text.includes(s), s);
  assert.throws(
    () => lineageGraphSvg({ nodes: [{ id: "a", kind: "run" }], edges: [{ from: "a", to: "b" }] }),
    /unknown node 'b'/,
  );
  assert.throws(
    () =>
      lineageGraphSvg({
        nodes: [{ id: "a", kind: "run" }, { id: "b", kind: "model" }, { id: "c", kind: "run" }],
        edges: [{ from: "a", to: "b" }, { from: "b", to: "a" }, { from: "c", to: "a" }],
      }),
    /cycle through 'a', 'b'/,
  );
  assert.throws(
    () => lineageGraphSvg({ nodes: [{ id: "a", kind: "run" }, { id: "a", kind: "run" }], edges: [] }),
    /'a' appears twice/,
  );
});

Deno.test("every chart survives hostile text: control characters, lone surrogates, quotes", () => {
  const nasty = "a\u0001b\uD800c\"'<&>]]>";
  const svgs = [
    confusionMatrixSvg([[1]], [nasty], { title: nasty }),
    perClassBars([{ name: nasty, values: { [nasty]: 0.5 } }], { title: nasty, metric: nasty }),
    lineChartSvg([{ name: nasty, points: [{ x: 0, y: 0 }, { x: 1, y: 1 }] }], {
      title: nasty,
      xLabel: nasty,
    }),
    lineageGraphSvg({ nodes: [{ id: nasty, kind: nasty, label: nasty }], edges: [] }, { title: nasty }),
  ];
  for (const svg of svgs) {
    const text = textOf(parseXml(svg));
    assert.ok(text.includes("ab\uFFFDc\"'<&>"), "text survives, minus characters XML forbids");
  }
});

Deno.test("lineChartSvg: a series named like an Object.prototype key gets a palette colour", () => {
  const names = ["toString", "constructor", "__proto__", "hasOwnProperty"];
  const svg = lineChartSvg(names.map((name, i) => ({ name, points: [{ x: 0, y: i }, { x: 1, y: i + 1 }] })));
  const root = parseXml(svg);
  const strokes = findAll(root, (e) => e.name === "path" && e.attrs.stroke !== undefined).map((e) =>
    e.attrs.stroke
  );
  assert.equal(strokes.length, names.length);
  for (const s of strokes) assert.match(s, /^#[0-9a-f]{6}$/i, `stroke is a colour, got ${s.slice(0, 40)}`);
  // A real label still gets its label colour, the same whatever its position.
  const a = lineChartSvg([{ name: "positive", points: [{ x: 0, y: 0 }] }]);
  const b = lineChartSvg([{ name: "x", points: [{ x: 0, y: 0 }] }, {
    name: "positive",
    points: [{ x: 0, y: 0 }],
  }]);
  const fill = (svg: string) =>
    findAll(parseXml(svg), (e) => e.name === "circle").map((e) => e.attrs.fill ?? e.attrs.stroke);
  assert.equal(fill(a)[0], fill(b)[1]);
});

/** The labels of the y axis (text anchored at its end, left of the plot). */
function yTickLabels(svg: string): string[] {
  return findAll(parseXml(svg), (e) => e.name === "text" && e.attrs["text-anchor"] === "end").map(textOf);
}

Deno.test("lineChartSvg: small values get distinct tick labels (a learning rate is not '0, 0, 0')", () => {
  const pts = Array.from({ length: 50 }, (_, i) => ({ x: i, y: 3e-4 * (1 - i / 50) }));
  const labels = yTickLabels(lineChartSvg([{ name: "lr", points: pts }]));
  assert.ok(labels.length >= 3, labels.join(" "));
  assert.equal(new Set(labels).size, labels.length, `repeated tick labels: ${labels.join(" ")}`);
  assert.ok(labels.includes("0.0003"), labels.join(" "));
  const tiny = yTickLabels(lineChartSvg([{ name: "g", points: [{ x: 0, y: 2e-7 }, { x: 1, y: 8e-7 }] }]));
  assert.equal(new Set(tiny).size, tiny.length, `repeated tick labels: ${tiny.join(" ")}`);
  // Float noise never shows: ticks of 0.1 steps read 0.3, not 0.30000000000000004.
  const tenths = yTickLabels(lineChartSvg([{ name: "a", points: [{ x: 0, y: 0.1 }, { x: 1, y: 0.7 }] }]));
  assert.ok(tenths.every((t) => t.length <= 4), tenths.join(" "));
});

Deno.test("lineChartSvg: one value gets a y range near it, not value ± 1", () => {
  const labels = yTickLabels(lineChartSvg([{ name: "acc", points: [{ x: 0, y: 0.813 }] }])).map(Number);
  assert.ok(Math.min(...labels) >= 0.5 && Math.max(...labels) <= 1, labels.join(" "));
  assert.ok(Math.min(...labels) <= 0.813 && Math.max(...labels) >= 0.813, labels.join(" "));
});

Deno.test("confusionMatrixSvg: wide enough for its title and its note (nothing cut off)", () => {
  const title = "Confusion matrix (predictions of a long run)";
  const svg = confusionMatrixSvg([[335, 93], [70, 374]], ["negative", "positive"], { title });
  const root = parseXml(svg);
  const width = Number(root.attrs.width);
  // About 8 px per character of 14 px bold text; the title and note start at the matrix's left edge.
  const titleText = findAll(root, (e) => e.name === "text" && textOf(e) === title)[0];
  assert.ok(Number(titleText.attrs.x) + title.length * 8 <= width, `title cut off at width ${width}`);
  const note = findAll(root, (e) => e.name === "text" && textOf(e).startsWith("n = "))[0];
  assert.ok(Number(note.attrs.x) + textOf(note).length * 6.2 <= width, `note cut off at width ${width}`);
});

Deno.test("lineChartSvg: long y tick labels (0.00025) stay clear of the y axis title", () => {
  const pts = Array.from({ length: 50 }, (_, i) => ({ x: i, y: 3e-4 * (1 - i / 50) }));
  const root = parseXml(lineChartSvg([{ name: "lr", points: pts }], { yLabel: "train/lr" }));
  const ticks = findAll(root, (e) => e.name === "text" && e.attrs["text-anchor"] === "end");
  const title = findAll(root, (e) => e.name === "text" && textOf(e) === "train/lr" && !!e.attrs.transform)[0];
  // The rotated title is about 12 px tall around its x; a tick label of n characters spans about 6.5n px.
  for (const t of ticks) {
    const start = Number(t.attrs.x) - textOf(t).length * 6.5;
    assert.ok(start > Number(title.attrs.x) + 7, `tick '${textOf(t)}' starts at ${start}, over the title`);
  }
});
