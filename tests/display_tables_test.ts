import assert from "node:assert/strict";
import { disagreementsTable, metricsTable, predictionsTable } from "../lib/display/mod.ts";
import { findAll, parseXml, textOf } from "./_display_xml.ts";

const XSS = `<script>alert("x")</script><img src=x onerror=alert(1)>`;

function pred(text: string, label: string, confidence: number) {
  const rest = (1 - confidence) / 2;
  const scores: Record<string, number> = { negative: rest, neutral: rest, positive: rest };
  scores[label] = confidence;
  return { text, label, confidence, scores };
}

Deno.test("the XML checker used by these tests rejects what a browser would mangle", () => {
  assert.throws(() => parseXml("<a><b></a>"), /does not match/);
  assert.throws(() => parseXml("<a>x & y</a>"), /Bare '&'/);
  assert.throws(() => parseXml('<a t="1" t="2"/>'), /Duplicate attribute/);
  assert.throws(() => parseXml("<a>1 > 0</a>"), /Raw '>'/);
  assert.throws(() => parseXml("<a></a><b></b>"), /Second root/);
  assert.equal(textOf(parseXml("<a>&lt;&#39;&#x41;</a>")), "<'A");
});

Deno.test("metricsTable: scalars in order, nested flattened, per-class as a grid, numbers formatted", () => {
  const html = metricsTable({
    accuracy: 0.8125,
    n: 160,
    model: "default<v1>",
    macro: { precision: 0.75, f1: 0.7 },
    perClass: {
      negative: { precision: 0.9, recall: 0.8, f1: 0.847, support: 60 },
      positive: { precision: 0.7, recall: 0.75, f1: 0.724, support: 100 },
    },
    confusion: [[1, 2], [3, 4]],
  }, { title: "Eval & more", digits: 3 });
  const root = parseXml(html);
  const tables = findAll(root, (e) => e.name === "table");
  assert.equal(tables.length, 2);
  const rows = findAll(tables[0], (e) => e.name === "tr").slice(1).map((tr) =>
    tr.children.map((td) => textOf(td))
  );
  assert.deepEqual(rows, [
    ["accuracy", "0.813"],
    ["n", "160"],
    ["model", "default<v1>"],
    ["macro.precision", "0.750"],
    ["macro.f1", "0.700"],
  ]);
  assert.equal(textOf(findAll(root, (e) => e.name === "caption")[0]), "Eval & more");
  const grid = findAll(tables[1], (e) => e.name === "tr").map((tr) => tr.children.map((td) => textOf(td)));
  assert.deepEqual(grid[0], ["perClass", "precision", "recall", "f1", "support"]);
  assert.deepEqual(grid[1], ["negative", "0.900", "0.800", "0.847", "60"]);
  assert.deepEqual(grid[2], ["positive", "0.700", "0.750", "0.724", "100"]);
  assert.ok(!html.includes("confusion"), "matrices are left to confusionMatrixSvg");
  assert.ok(textOf(parseXml(metricsTable({}))).includes("no metrics"));
  assert.equal(textOf(parseXml(metricsTable({ x: NaN }))).includes("n/a"), true);
  assert.throws(() => metricsTable([] as unknown as Record<string, unknown>), /got an array/);
  assert.throws(() => metricsTable({ a: 1 }, { digits: 1.5 }), /Invalid digits 1.5/);
});

Deno.test("predictionsTable: escapes hostile text, marks wrong rows, pages with offset/limit", () => {
  const preds = [
    pred(XSS, "negative", 0.9),
    pred("fine & dandy", "positive", 0.8),
    pred("meh", "neutral", 0.55),
    pred("bad", "negative", 0.7),
  ];
  const gold = ["positive", "positive", "neutral", "negative"];
  const html = predictionsTable(preds, { gold, title: "Predictions" });
  assert.ok(!html.includes("<script"), "no live script element");
  assert.ok(!html.includes("<img"), "no live img element");
  const root = parseXml(html);
  const body = findAll(root, (e) => e.name === "tbody")[0];
  const rows = body.children;
  assert.equal(rows.length, 4);
  assert.equal(textOf(rows[0].children[1]), XSS, "the text itself is shown, as text");
  assert.deepEqual(rows.map((r) => r.attrs.class), ["wrong", "ok", "ok", "ok"]);
  assert.equal(textOf(rows[0].children[3]), "0.900");
  assert.equal(textOf(rows[0].children[5]), "✗ positive");
  const footer = textOf(root);
  assert.ok(footer.includes("rows 1–4 of 4 · 1 wrong of 4"), footer);

  const page = parseXml(predictionsTable(preds, { limit: 2, offset: 1 }));
  const pageRows = findAll(page, (e) => e.name === "tbody")[0].children;
  // "#" counts from 1, like the footer: rows 2–3 are the 2nd and 3rd predictions
  assert.deepEqual(pageRows.map((r) => textOf(r.children[0])), ["2", "3"]);
  assert.ok(textOf(page).includes("rows 2–3 of 4 · next page: offset 3"));

  const errors = parseXml(predictionsTable(preds, { gold, errorsOnly: true }));
  assert.deepEqual(findAll(errors, (e) => e.name === "tbody")[0].children.map((r) => textOf(r.children[0])), [
    "1",
  ]);
  assert.match(rows[0].children[5].attrs.style, /white-space:nowrap/, "the gold cell does not wrap");

  const long = "x".repeat(500);
  const cut = parseXml(predictionsTable([pred(long, "neutral", 0.5)], { maxTextLength: 10 }));
  const cell = findAll(cut, (e) => e.name === "tbody")[0].children[0].children[1];
  assert.equal(textOf(cell), "x".repeat(9) + "…");
  assert.equal(cell.attrs.title, long);

  assert.throws(
    () => predictionsTable(preds, { gold: ["a"] }),
    /gold has 1 labels but there are 4 predictions/,
  );
  assert.throws(() => predictionsTable(preds, { errorsOnly: true }), /errorsOnly needs gold/);
  assert.throws(() => predictionsTable(preds, { limit: 0 }), /Invalid limit 0/);
  assert.throws(() => predictionsTable(preds, { offset: -1 }), /Invalid offset -1/);
});

Deno.test("disagreementsTable: lists only differing labels, counts who was right", () => {
  const a = [
    pred("a", "positive", 0.9),
    pred("b", "negative", 0.6),
    pred(XSS, "neutral", 0.5),
    pred("d", "positive", 0.7),
  ];
  const b = [
    pred("a", "positive", 0.8),
    pred("b", "positive", 0.9),
    pred(XSS, "negative", 0.99),
    pred("d", "neutral", 0.6),
  ];
  const gold = ["positive", "positive", "neutral", "negative"];
  const html = disagreementsTable(a, b, { names: ["onnx", "lexicon"], gold });
  assert.ok(!html.includes("<script"));
  const root = parseXml(html);
  const rows = findAll(root, (e) => e.name === "tbody")[0].children;
  // most confident first: XSS (1.49), b (1.5) -> b first, then XSS, then d (1.3)
  assert.deepEqual(rows.map((r) => textOf(r.children[0])), ["1", "2", "3"]);
  assert.equal(textOf(rows[1].children[1]), XSS);
  const text = textOf(root);
  assert.ok(text.includes("3 of 4 texts (75.0%) get different labels"), text);
  assert.ok(text.includes("right among them: onnx 1, lexicon 1, neither 1"), text);
  assert.throws(() => disagreementsTable(a, b.slice(1)), /Cannot compare 4 predictions with 3/);
  assert.throws(
    () => disagreementsTable([pred("x", "neutral", 1)], [pred("y", "neutral", 1)]),
    /differ in text at index 0/,
  );
});
