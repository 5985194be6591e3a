import assert from "node:assert/strict";
import { logDataset, normalizeLabel, readDataset, readTextLines } from "../lib/data/mod.ts";
import { finishRun, getRun, initRun, listArtifactVersions } from "../lib/tracking/mod.ts";

async function withFile(
  name: string,
  content: string | Uint8Array,
  fn: (path: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "sentilab-data-" });
  const path = `${dir}/${name}`;
  try {
    if (typeof content === "string") await Deno.writeTextFile(path, content);
    else await Deno.writeFile(path, content);
    await fn(path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("readDataset: JSONL with mixed label spellings, blank lines, CRLF and a BOM", async () => {
  const content = '\uFEFF{"text": "Great phone", "label": "Positive"}\r\n\r\n' +
    '{"text": "It is Tuesday", "label": "neu"}\r\n{"text": "Awful", "label": "NEG", "extra": 1}\r\n';
  await withFile("a.jsonl", content, async (path) => {
    const d = await readDataset(path);
    assert.equal(d.format, "jsonl");
    assert.equal(d.count, 3);
    assert.deepEqual(d.texts, ["Great phone", "It is Tuesday", "Awful"]);
    assert.deepEqual(d.labels, ["positive", "neutral", "negative"]);
    assert.deepEqual(d.lines, [1, 3, 4]);
    assert.deepEqual(d.labelDistribution, { negative: 1, neutral: 1, positive: 1 });
    assert.equal(d.textField, "text");
    assert.equal(d.artifact, null);
  });
});

Deno.test("readDataset: CSV quoted fields with commas, newlines and escaped quotes; CRLF; BOM", async () => {
  const content =
    '\uFEFFid,text,label\r\n1,"Loved it, truly",pos\r\n2,"Line one\r\nline two ""quoted""",negative\r\n' +
    "3,plain text,neutral\r\n";
  await withFile("b.csv", content, async (path) => {
    const d = await readDataset(path);
    assert.equal(d.format, "csv");
    assert.deepEqual(d.texts, ["Loved it, truly", 'Line one\r\nline two "quoted"', "plain text"]);
    assert.deepEqual(d.labels, ["positive", "negative", "neutral"]);
    assert.deepEqual(d.lines, [2, 3, 5]);
  });
});

Deno.test("readDataset: TSV with custom columns and a declared 0/1/2 mapping", async () => {
  await withFile("c.tsv", "sentiment\ttweet\n2\tyay\n0\tboo\n1\tok then\n", async (path) => {
    const d = await readDataset(path, { labelMap: "0/1/2" });
    assert.equal(d.textField, "tweet");
    assert.equal(d.labelField, "sentiment");
    assert.deepEqual(d.labels, ["positive", "negative", "neutral"]);
  });
  await withFile("d.tsv", "review\tstars\nfine\t4\nbad\t1\n", async (path) => {
    const d = await readDataset(path, {
      textField: "review",
      labelField: "stars",
      labelMap: { "4": "positive", "1": "negative" },
    });
    assert.deepEqual(d.labels, ["positive", "negative"]);
  });
});

Deno.test("readDataset: numeric labels: -1/0/1 is recognised, 0/1/2 without a map is an error naming the line", async () => {
  await withFile(
    "e.jsonl",
    '{"text":"a","label":1}\n{"text":"b","label":-1}\n{"text":"c","label":0}\n',
    async (path) => {
      assert.deepEqual((await readDataset(path)).labels, ["positive", "negative", "neutral"]);
    },
  );
  await withFile("f.jsonl", '{"text":"a","label":"pos"}\n{"text":"b","label":2}\n', async (path) => {
    await assert.rejects(readDataset(path), (e: Error) => {
      assert.equal(e.message.split(":").slice(0, 2).join(":"), `${path}:2`);
      assert.match(e.message, /numeric label 2 is ambiguous; declare the mapping, e\.g\. labelMap "0\/1\/2"/);
      return true;
    });
  });
});

Deno.test("readDataset: errors name file:line and say what to do", async () => {
  const cases: [string, string, RegExp][] = [
    [
      "g.jsonl",
      '{"text":"a","label":"pos"}\n{"text": "b", "label": \n',
      /:2: invalid JSON .*each line must be one JSON object/,
    ],
    ["h.jsonl", '{"text":"a","label":"pos"}\n\n["x"]\n', /:3: expected a JSON object, found an array/],
    [
      "i.jsonl",
      '{"text":"a","label":"pos"}\n{"text":"b","label":"happy"}\n',
      /:2: unknown label "happy"; use negative\/neutral\/positive/,
    ],
    [
      "j.jsonl",
      '{"text":"a","label":"pos"}\n{"label":"neg"}\n',
      /:2: no "text" field; every row needs a text/,
    ],
    [
      "k.jsonl",
      '{"text":"a","label":"pos"}\n{"text":5,"label":"neg"}\n',
      /:2: field "text" is a number, expected a string/,
    ],
    [
      "l.jsonl",
      '{"body":"a","label":"pos"}\n',
      /:1: no text field \(looked for text, sentence, tweet, review, content\); found "body", "label"; pass textField/,
    ],
    [
      "m.csv",
      'text,label\nfine,pos\n"never closed,neg\nmore,pos\n',
      /:3: unterminated quoted field .*close it with '"'/,
    ],
    [
      "n.csv",
      "text,label\nfine,pos\na,b,c\n",
      /:3: 3 fields but the header \(line 1\) has 2; put fields that contain ',' in double quotes/,
    ],
    ["o.csv", 'text,label\n"quoted" tail,pos\n', /:2: unexpected " " after a closing quote/],
    ["p.csv", "text,label\n", /no samples found/],
    ["q.txt", "x", /cannot tell the format from the extension; use a \.jsonl, \.csv or \.tsv file/],
  ];
  for (const [name, content, re] of cases) {
    await withFile(name, content, async (path) => {
      await assert.rejects(readDataset(path), (e: Error) => {
        assert.ok(e.message.startsWith(path), `${name}: ${e.message}`);
        assert.match(e.message, re, name);
        return true;
      });
    });
  }
  await assert.rejects(
    readDataset("/nonexistent/x.jsonl"),
    /\/nonexistent\/x\.jsonl: the file does not exist; check the path/,
  );
  await withFile("r.jsonl", '{"text":"a","label":"pos"}\n', async (path) => {
    await assert.rejects(
      readDataset(path, { textField: "body" }),
      /:1: no text field "body"; found "text", "label"/,
    );
    await assert.rejects(
      readDataset(path, { labelMap: "1/2/3" as unknown as "0/1" }),
      /unknown label map "1\/2\/3"; use one of/,
    );
  });
});

Deno.test("readDataset: invalid UTF-8 is an error naming the line", async () => {
  const bytes = new Uint8Array([
    ...new TextEncoder().encode('{"text":"ok","label":"pos"}\n{"text":"'),
    0xff,
    0xfe,
    ...new TextEncoder().encode('","label":"neg"}\n'),
  ]);
  await withFile("s.jsonl", bytes, async (path) => {
    await assert.rejects(
      readDataset(path),
      new RegExp(`^Error: ${path}:2: invalid UTF-8 \\(byte 0xff at offset 37\\); re-encode`),
    );
  });
});

Deno.test("normalizeLabel: names, presets and declared maps", () => {
  assert.equal(normalizeLabel("Positive"), "positive");
  assert.equal(normalizeLabel(" NEG "), "negative");
  assert.equal(normalizeLabel("neu"), "neutral");
  assert.equal(normalizeLabel(-1), "negative");
  assert.equal(normalizeLabel("1"), null);
  assert.equal(normalizeLabel("0"), null);
  assert.equal(normalizeLabel(1, { labelMap: "0/1" }), "positive");
  assert.equal(normalizeLabel("1.0", { labelMap: "0/1/2" }), "neutral");
  assert.equal(normalizeLabel("Good", { labelMap: { good: "positive" } }), "positive");
  assert.equal(normalizeLabel("meh", { labelMap: { good: "positive" } }), null);
  assert.equal(normalizeLabel(true), null);
});

Deno.test("readTextLines: BOM, CRLF, empty lines, invalid UTF-8 as an error or replaced", () => {
  const enc = new TextEncoder();
  assert.deepEqual(readTextLines(enc.encode("\uFEFFa\r\n\r\nb 😀\nc")), ["a", "b 😀", "c"]);
  assert.deepEqual(readTextLines(enc.encode("a\n\nb\n"), { keepEmpty: true }), ["a", "", "b"]);
  // Blank means empty or whitespace only: both dropped by default, both kept (untrimmed) with keepEmpty.
  assert.deepEqual(readTextLines(enc.encode(" \t\na \n\u3000\r\n\nb")), ["a ", "b"]);
  assert.deepEqual(readTextLines(enc.encode(" \t\na \n\u3000\r\n\nb"), { keepEmpty: true }), [
    " \t",
    "a ",
    "\u3000",
    "",
    "b",
  ]);
  const bad = new Uint8Array([0x61, 0x0a, 0x62, 0xc3, 0x28, 0x0a]);
  assert.throws(() => readTextLines(bad), /^Error: stdin:2: invalid UTF-8 \(byte 0xc3 at offset 3\)/);
  assert.deepEqual(readTextLines(bad, { replaceInvalid: true }), ["a", "b\uFFFD("]);
  // Overlong encodings and surrogates are invalid too.
  assert.throws(() => readTextLines(new Uint8Array([0xc0, 0x80])), /offset 0/);
  assert.throws(
    () => readTextLines(new Uint8Array([0x41, 0xed, 0xa0, 0x80]), { source: "in.txt" }),
    /^Error: in\.txt:1: .*offset 1/,
  );
});

Deno.test("readDataset with a run: the file is a dataset artifact used by the run, deduplicated", async () => {
  await withFile("reviews.csv", "text,label\nnice,pos\nawful,neg\nfine,Positive\n", async (path) => {
    const store = `${path}.store`;
    const run = await initRun({ dir: store, tracker: "local" });
    const d = await readDataset(path, { run });
    // the dataset naming rule: <folder>-<file name>
    const name = `${path.split("/").at(-2)}-reviews.csv`;
    assert.equal(d.artifact?.ref, `${name}:v0`);
    assert.equal((await readDataset(path, { run })).artifact?.ref, `${name}:v0`);
    await logDataset(run, d, { name: "renamed", metadata: { split: "test" } });
    await finishRun(run);
    const used = getRun(run.id, { dir: store })!.used;
    const reviews = used.find((u) => u.name === name)!;
    assert.equal(reviews.type, "dataset");
    assert.deepEqual(reviews.metadata, {
      samples: 3,
      label_distribution: { negative: 1, neutral: 0, positive: 2 },
      format: "csv",
      text_field: "text",
      label_field: "label",
    });
    assert.deepEqual(Object.keys(reviews.manifest.contents), ["reviews.csv"]);
    assert.equal(used.find((u) => u.name === "renamed")!.metadata.split, "test");
    assert.equal(listArtifactVersions(name, { dir: store }).length, 1);
    await Deno.remove(store, { recursive: true });
  });
});
