import assert from "node:assert/strict";
import { createLexiconModel, LEXICON_LIBRARIES, type LexiconLibrary } from "../lib/models/mod.ts";

const EDGE_CASES = [
  "",
  "   \t\n ",
  "😀😀😀",
  "Это ужасно",
  "这部电影很好看",
  "مرحبا بالعالم",
  "\uD800 lone surrogate",
  "good ".repeat(210_000), // about 1 MB
  "ab!".repeat(350_000), // 1 MB without a space (wink-sentiment alone takes minutes on it)
];

for (const library of Object.keys(LEXICON_LIBRARIES) as LexiconLibrary[]) {
  Deno.test(`lexicon model (${library}): clear texts, any string, rows that are probabilities`, async () => {
    const model = await createLexiconModel({ library });
    assert.equal(model.type, "lexicon");
    assert.deepEqual(model.labels, ["negative", "neutral", "positive"]);
    assert.equal(model.dir, null);
    assert.equal(model.card?.library, library);
    const [pos, neg] = await model.scoreBatch([
      "This is wonderful, I love it",
      "This is terrible, I hate it",
    ]);
    assert.ok(pos[2] > 0.5 && pos[2] > pos[0], `positive: ${pos}`);
    assert.ok(neg[0] > 0.5 && neg[0] > neg[2], `negative: ${neg}`);
    const rows = await model.scoreBatch(EDGE_CASES);
    assert.equal(rows.length, EDGE_CASES.length);
    for (const r of rows) {
      assert.equal(r.length, 3);
      assert.ok(r.every((x) => Number.isFinite(x) && x >= 0 && x <= 1));
      assert.ok(Math.abs(r[0] + r[1] + r[2] - 1) < 1e-5);
    }
    // Nothing to score: neutral wins, negative and positive are equal.
    assert.ok(rows[0][1] > rows[0][0] && rows[0][0] === rows[0][2]);
    assert.deepEqual(rows[1], rows[0]);
    await model.close();
  });
}

Deno.test("lexicon model: the documented mapping softmax([-k*s, k*t, k*s])", async () => {
  // sentiment (AFINN-165): "good" scores 3, "bad" -3, nothing 0.
  const model = await createLexiconModel({ library: "sentiment", scale: 1, threshold: 0.5 });
  const [zero, good, bad] = await model.scoreBatch(["table", "good", "bad"]);
  const softmax = (z: number[]) => {
    const e = z.map(Math.exp);
    const s = e[0] + e[1] + e[2];
    return e.map((x) => x / s);
  };
  const expect = (s: number) => softmax([-s, 0.5, s]);
  for (const [row, s] of [[zero, 0], [good, 3], [bad, -3]] as const) {
    expect(s).forEach((p, i) => assert.ok(Math.abs(row[i] - p) < 1e-6, `s=${s}: ${row} vs ${expect(s)}`));
  }
  assert.ok(Math.abs(zero[1] - 0.4519) < 1e-4);
  // A wider neutral band turns weak texts neutral.
  const wide = await createLexiconModel({ library: "sentiment", threshold: 4 });
  const [weak] = await wide.scoreBatch(["good"]);
  assert.ok(weak[1] > weak[2]);
});

Deno.test("lexicon model: bad options are errors naming the value", async () => {
  await assert.rejects(
    createLexiconModel({ library: "afinn" as LexiconLibrary }),
    /Unknown lexicon library "afinn"; use one of wink-sentiment/,
  );
  await assert.rejects(createLexiconModel({ scale: 0 }), /Invalid lexicon scale 0: use a positive number/);
  await assert.rejects(createLexiconModel({ threshold: NaN }), /Invalid lexicon threshold/);
});
