/**
 * `deno task evaluate --report DIR` as a user runs it (a subprocess): the report files are written, the
 * SVG is well-formed XML, texts from the data are escaped, and the report is logged as a `report` artifact
 * produced by the run. Every run uses a temp store and HOME and a W&B URL on a closed loopback port.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { getRun, listRuns } from "../lib/tracking/mod.ts";
import { parseXml, type XmlElement } from "./_display_xml.ts";
import { runTask } from "./_task_env.ts";

const SCRIPT_TEXT = "<script>alert('x')</script> I love this & that";

function evaluateTask(args: string[], dir: string) {
  return runTask("tasks/evaluate.ts", args, { SENTILAB_DIR: join(dir, "store"), HOME: dir });
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "sentilab-report-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A CSV of `n` labelled rows; the first text carries markup that must never reach a page unescaped. */
async function writeData(path: string, n: number): Promise<void> {
  const words = [["great, I love it", "positive"], ["awful, I hate it", "negative"], [
    "the train leaves at nine",
    "neutral",
  ]];
  const rows = [`"${SCRIPT_TEXT.replaceAll('"', '""')}",positive`];
  for (let i = 1; i < n; i++) rows.push(`"row ${i} ${words[i % 3][0]}",${words[i % 3][1]}`);
  await Deno.writeTextFile(path, `text,label\n${rows.join("\n")}\n`);
}

/** The display fragment inside a report page's <body>, parsed as XML (the display helpers emit XHTML-style). */
function bodyOf(html: string): XmlElement {
  assert.match(html, /^<!DOCTYPE html>\n<html lang="en">/);
  assert.match(html, /<meta charset="utf-8">/);
  const start = html.indexOf(">", html.indexOf("<body")) + 1;
  const end = html.lastIndexOf("</body>");
  assert.ok(start > 0 && end > start, "a <body> element");
  return parseXml(html.slice(start, end).trim());
}

function all(el: XmlElement, name: string): XmlElement[] {
  return [...(el.name === name ? [el] : []), ...el.children.flatMap((c) => all(c, name))];
}

function textOf(el: XmlElement): string {
  return el.text + el.children.map(textOf).join("");
}

Deno.test("evaluate --report: metrics, confusion matrix and predictions pages, escaped, logged as a report artifact", async () => {
  await withDir(async (dir) => {
    const data = join(dir, "data.csv");
    await writeData(data, 40);
    const report = join(dir, "out", "report");
    const r = await evaluateTask(
      ["--model", "lexicon", "--data", data, "--limit", "30", "--report", report, "--json"],
      dir,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim().split("\n").length, 1, "--json prints one line");
    const out = JSON.parse(r.stdout);
    const files = ["metrics.html", "confusion_matrix.svg", "predictions.html"].map((f) => join(report, f));
    const index = join(report, "index.html");
    assert.deepEqual(out.report.files, [index, ...files]);
    assert.equal(out.report.dir, report);
    assert.match(out.report.artifact, /^lexicon-.+-data\.csv-report:v\d+$/, "named after model and data");
    assert.deepEqual([...Deno.readDirSync(report)].map((e) => e.name).sort(), [
      "confusion_matrix.svg",
      "index.html",
      "metrics.html",
      "predictions.html",
    ], "no temp files left behind");

    // The SVG is a well-formed document whose cells are the confusion matrix of the JSON result.
    const svgText = await Deno.readTextFile(files[1]);
    assert.match(svgText, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<svg /);
    const svg = parseXml(svgText);
    assert.equal(svg.name, "svg");
    const drawn = all(svg, "text").map(textOf);
    for (const label of ["negative", "neutral", "positive"]) assert.ok(drawn.includes(label), label);
    const counts = out.metrics.confusionMatrix.flat().map(String);
    for (const c of counts) assert.ok(drawn.includes(c), `cell ${c} drawn in ${JSON.stringify(drawn)}`);

    // Metrics page: the accuracy of the run.
    const metrics = bodyOf(await Deno.readTextFile(files[0]));
    const metricRows = all(metrics, "tr").map((tr) => all(tr, "td").map(textOf));
    const accuracy = metricRows.find((cells) => cells[0] === "accuracy");
    assert.ok(accuracy, "an accuracy row");
    assert.equal(Number(accuracy[1]), Number(out.metrics.accuracy.toFixed(4)));

    // Predictions page: the 30 evaluated rows with gold labels; markup in a text is shown, never run.
    const predictionsHtml = await Deno.readTextFile(files[2]);
    assert.ok(!/<script/i.test(predictionsHtml), "no <script> element in the page");
    assert.ok(predictionsHtml.includes("&lt;script&gt;"), "the text's <script> is escaped");
    const predictions = bodyOf(predictionsHtml);
    const headers = all(predictions, "th").map(textOf);
    assert.ok(headers.includes("gold"), `a gold column in ${headers}`);
    const body = all(predictions, "tbody")[0];
    const rows = all(body, "tr");
    assert.equal(rows.length, 30);
    assert.ok(textOf(rows[0]).includes(SCRIPT_TEXT), "the first text, decoded, is the original text");

    // The index, drawn by the viewer's renderer: run id, date, metrics, matrix, predictions; no script.
    const indexHtml = await Deno.readTextFile(index);
    assert.ok(!/<script/i.test(indexHtml), "no <script> element in the index");
    const indexBody = bodyOf(indexHtml);
    const facts = all(indexBody, "tr").map((tr) => all(tr, "td").map(textOf));
    assert.deepEqual(facts.find((c) => c[0] === "Run"), ["Run", out.run.id]);
    assert.ok(!Number.isNaN(Date.parse(facts.find((c) => c[0] === "Date")![1])), "a date");
    assert.equal(Number(facts.find((c) => c[0] === "accuracy")![1]), Number(out.metrics.accuracy.toFixed(4)));
    assert.equal(all(indexBody, "svg").length, 1, "the confusion matrix");
    assert.equal(all(all(indexBody, "tbody").at(-1)!, "tr").length, 30, "the predictions");
    assert.ok(indexHtml.includes("&lt;script&gt;"), "the text's <script> is escaped");

    // The run produced the report: exactly the four files, type "report".
    const store = join(dir, "store");
    const run = getRun(out.run.id, { dir: store })!;
    assert.equal(run.status, "finished");
    const produced = run.produced.filter((a) => a.type === "report");
    assert.deepEqual(produced.map((a) => a.ref), [out.report.artifact]);
    assert.deepEqual(Object.keys(produced[0].manifest.contents).sort(), [
      "confusion_matrix.svg",
      "index.html",
      "metrics.html",
      "predictions.html",
    ]);
    assert.equal(produced[0].metadata.samples, 30);
  });
});

Deno.test("evaluate --report: the predictions page stops at 500 rows and says so; the summary says where the report is", async () => {
  await withDir(async (dir) => {
    const data = join(dir, "data.csv");
    await writeData(data, 520);
    const report = join(dir, "report");
    const r = await evaluateTask(["--model", "lexicon", "--data", data, "--report", report], dir);
    assert.equal(r.code, 0, r.stderr);
    const line = r.stdout.split("\n").find((l) => l.startsWith("report: "));
    assert.ok(line, r.stdout);
    assert.ok(line.includes(join(report, "confusion_matrix.svg")), line);
    assert.match(line, /\(logged as report lexicon-.+-data\.csv-report:v0\)$/);
    const predictions = bodyOf(await Deno.readTextFile(join(report, "predictions.html")));
    assert.equal(all(all(predictions, "tbody")[0], "tr").length, 500);
    assert.match(textOf(predictions), /the first 500 of 520 predictions/);
  });
});

Deno.test("evaluate --report FILE: an error before anything is tracked or written", async () => {
  await withDir(async (dir) => {
    const file = join(dir, "taken");
    await Deno.writeTextFile(file, "not a folder");
    const r = await evaluateTask(["--model", "lexicon", "--limit", "30", "--report", file], dir);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--report .*taken is a file, not a folder/);
    assert.equal(r.stdout, "");
    assert.equal(await Deno.readTextFile(file), "not a folder");
    let runs: unknown[] = [];
    try {
      runs = listRuns({ dir: join(dir, "store") });
    } catch { /* no store at all: nothing tracked */ }
    assert.equal(runs.length, 0);
  });
});
