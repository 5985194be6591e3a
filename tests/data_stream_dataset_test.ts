import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readDataset, streamDataset } from "../lib/data/mod.ts";

async function withFile(name: string, content: string | Uint8Array, fn: (path: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "sentilab-stream-" });
  const path = `${dir}/${name}`;
  try {
    if (typeof content === "string") await Deno.writeTextFile(path, content);
    else await Deno.writeFile(path, content);
    await fn(path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const LABELS = ["negative", "neutral", "positive"] as const;

Deno.test("streamDataset: a CSV larger than a read piece, with quoted newlines and quotes, reads as readDataset does", async () => {
  // ~3 MB: quoted fields with newlines, commas and "" cross the 1 MiB piece boundaries somewhere
  const rows = ["text,label"];
  for (let i = 0; i < 30_000; i++) {
    const text = i % 3 === 0 ? `"line one ${i},\nline ""two""\r\nthree ${"x".repeat(i % 50)}"` : `plain ${i}`;
    rows.push(`${text},${LABELS[i % 3]}`);
  }
  await withFile("big.csv", rows.join("\r\n") + "\r\n", async (path) => {
    const s = await streamDataset(path);
    assert.equal(s.count, 30_000);
    assert.deepEqual(s.labelDistribution, { negative: 10_000, neutral: 10_000, positive: 10_000 });
    const bytes = await Deno.readFile(path);
    assert.equal(s.sha256, createHash("sha256").update(bytes).digest("hex"));
    assert.equal(s.bytes, bytes.length);
    const whole = await readDataset(path);
    let n = 0;
    for await (const b of s.batches({ size: 7_000 })) {
      assert.equal(b.start, n);
      for (let i = 0; i < b.texts.length; i++) {
        assert.equal(b.texts[i], whole.texts[n + i]);
        assert.equal(b.labels[i], whole.labels[n + i]);
        assert.equal(b.lines[i], whole.lines[n + i]);
      }
      n += b.texts.length;
    }
    assert.equal(n, 30_000);
    assert.equal(whole.texts[0], 'line one 0,\nline "two"\r\nthree ');
    assert.equal(whole.lines[1], 5); // row 0 spans lines 2-4 (its newlines inside quotes are kept)
    // a range: the same rows, whatever the batch size
    const part: string[] = [];
    for await (const b of s.batches({ from: 12_345, to: 12_350, size: 2 })) part.push(...b.texts);
    assert.deepEqual(part, whole.texts.slice(12_345, 12_350));
  });
});

Deno.test("streamDataset: errors name the file and line, also past the first piece", async () => {
  const good = Array.from({ length: 40_000 }, (_, i) => JSON.stringify({ text: `t${i}`, label: "pos" })).join(
    "\n",
  );
  await withFile("late.jsonl", `${good}\n{"text": "x", "label": "maybe"}\n`, async (path) => {
    await assert.rejects(streamDataset(path), new RegExp(`late\\.jsonl:40001: unknown label "maybe"`));
  });
  await withFile("broken.jsonl", `${good}\n{"text": \n`, async (path) => {
    await assert.rejects(streamDataset(path), /broken\.jsonl:40001: invalid JSON/);
  });
  const bytes = new TextEncoder().encode(`${good}\n`);
  const bad = new Uint8Array(bytes.length + 20);
  bad.set(bytes);
  bad.set(new TextEncoder().encode('{"text": "'), bytes.length);
  bad[bytes.length + 10] = 0xff;
  bad.set(new TextEncoder().encode('", "l'), bytes.length + 11);
  await withFile("latin.jsonl", bad, async (path) => {
    await assert.rejects(streamDataset(path), /latin\.jsonl:40001: invalid UTF-8 \(byte 0xff/);
  });
  await withFile("notext.jsonl", '{"text": "a", "label": "pos"}\n{"label": "neg"}\n', async (path) => {
    await assert.rejects(streamDataset(path), /notext\.jsonl:2: no "text" field/);
  });
});

Deno.test("streamDataset: -1 labels found anywhere select the -1/0/1 map", async () => {
  const lines = Array.from(
    { length: 100 },
    (_, i) => JSON.stringify({ text: `t${i}`, label: i === 99 ? -1 : 1 }),
  );
  await withFile("signs.jsonl", lines.join("\n"), async (path) => {
    const s = await streamDataset(path);
    assert.equal(s.labelMap, "-1/0/1");
    assert.deepEqual(s.labelDistribution, { negative: 1, neutral: 0, positive: 99 });
  });
});

Deno.test("streamTextLines: the rules of readTextLines over any chunking", async () => {
  const { readTextLines, streamTextLines } = await import("../lib/data/mod.ts");
  const text = "\uFEFFgood film\r\n\n  \nawful food\r\nnaïve 😀\nlast";
  const bytes = new TextEncoder().encode(text);
  for (const keepEmpty of [false, true]) {
    const want = readTextLines(bytes, { keepEmpty });
    for (const size of [1, 2, 3, 7, 1000]) {
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.slice(i, i + size));
      const got: string[] = [];
      for await (const lines of streamTextLines(ReadableStream.from(chunks), { keepEmpty })) {
        got.push(...lines);
      }
      assert.deepEqual(got, want, `chunks of ${size}, keepEmpty ${keepEmpty}`);
    }
  }
  const bad = new Uint8Array([...new TextEncoder().encode("a\nb\nc"), 0xff, 10]);
  const chunks = [bad.slice(0, 3), bad.slice(3)];
  await assert.rejects(
    (async () => {
      for await (const _ of streamTextLines(ReadableStream.from(chunks))) { /* read */ }
    })(),
    /^Error: stdin:3: invalid UTF-8 \(byte 0xff at offset 5\)/,
  );
});
