import assert from "node:assert/strict";
import { extractCues, parseSubtitles, VideoError } from "../lib/video/mod.ts";
import { CUES, embedSubtitles, join, makeMp4, makeWebm, tempDir, writeSrt } from "./video_fixtures.ts";

Deno.test("parseSubtitles reads SRT with a BOM, CRLF, multi-line cues and markup", () => {
  const srt =
    '\uFEFF1\r\n00:00:01,000 --> 00:00:02,500\r\n<font color="#ffff00">Hello</font> <b>there</b>\r\n' +
    "second &amp; <i>last</i> line\r\n\r\n" +
    "2\r\n00:00:03,250 --> 00:00:04,000 X1:10 X2:20 Y1:5 Y2:9\r\n{\\an8}Top &lt;note&gt;\r\n\r\n\r\n" +
    "3\r\n01:02:03,004 --> 01:02:04,5\r\n  spaced   out  \r\n";
  assert.deepEqual(parseSubtitles(srt), [
    { start: 1, end: 2.5, text: "Hello there\nsecond & last line" },
    { start: 3.25, end: 4, text: "Top <note>" },
    { start: 3723.004, end: 3724.5, text: "spaced out" },
  ]);
});

Deno.test("parseSubtitles reads WebVTT: header, NOTE/STYLE blocks, identifiers, cue settings, voices", () => {
  const vtt = [
    "WEBVTT - a title",
    "Kind: captions",
    "",
    "STYLE",
    "::cue { color: lime }",
    "",
    "NOTE this is a comment",
    "spanning --> two lines",
    "",
    "intro",
    "00:01.000 --> 00:02.000 align:start position:10% line:0",
    "<v Roger Bingham>We are <c.loud>in</c> the <00:01.500>studio",
    "",
    "00:00:02.500 --> 00:00:03.000",
    "<ruby>漢<rt>kan</rt></ruby> &#128512; &#x41;",
    "",
    "00:03.000 --> 00:04.000",
    "<i></i>",
    "",
  ].join("\r");
  assert.deepEqual(parseSubtitles(vtt), [
    { start: 1, end: 2, text: "We are in the studio" },
    { start: 2.5, end: 3, text: "漢kan 😀 A" },
  ]);
});

Deno.test("parseSubtitles strips only subtitle tags: other angle-bracket text is kept", () => {
  const lines = [
    ["a <b and c> d", "a <b and c> d"],
    ["if x < 3 and y > 2", "if x < 3 and y > 2"],
    ["<3 you <html> <br>", "<3 you <html> <br>"],
    ['<font color="#ff0000" size=2>red</font> <b.loud>bold</b> <i >kept', "red bold <i >kept"],
    ["<v.loud Bob Smith>Hi</v> <lang en-GB>colour</lang> <c.yellow.bg_blue>x</c>", "Hi colour x"],
    ["<ruby>kanji<rt>kan</rt></ruby> <span style='x'>s</span> <u>u</u><s>s</s>", "kanjikan s us"],
    ["{\\an8}{\\i1}top{\\i0} &lt;b&gt; \\Nnext", "top <b>\nnext"],
  ];
  const srt = lines.map(([raw], i) => `${i + 1}\n00:00:0${i},000 --> 00:00:0${i},500\n${raw}\n`).join("\n");
  assert.deepEqual(parseSubtitles(srt).map((c) => c.text), lines.map(([, want]) => want));
});

Deno.test("parseSubtitles: unsorted cues are sorted, cues ending before they start are dropped", () => {
  const srt = "2\n00:00:05,000 --> 00:00:06,000\nlater\n\n1\n00:00:01,000 --> 00:00:02,000\nearlier\n\n" +
    "3\n00:00:09,000 --> 00:00:08,000\nbackwards\n";
  assert.deepEqual(parseSubtitles(srt).map((c) => c.text), ["earlier", "later"]);
});

Deno.test("parseSubtitles: a cue number right after text starts a new cue even without a blank line", () => {
  const srt = "1\n00:00:01,000 --> 00:00:02,000\nfirst\n2\n00:00:03,000 --> 00:00:04,000\nsecond\n";
  assert.deepEqual(parseSubtitles(srt).map((c) => [c.start, c.text]), [[1, "first"], [3, "second"]]);
});

Deno.test("parseSubtitles errors name the source and the first line when no timing line exists", () => {
  assert.throws(
    () => parseSubtitles("just some text\nnot subtitles\n", { source: "notes.srt" }),
    /Cannot parse 'notes\.srt': no cue timing line found \(line 1: 'just some text'\)/,
  );
  assert.throws(
    () => parseSubtitles("1\n00:00:01,000 --> 2\n", { format: "vtt", source: "x.vtt" }),
    /WEBVTT/,
  );
  assert.deepEqual(parseSubtitles(""), []);
  assert.deepEqual(parseSubtitles("WEBVTT\n\n"), []);
  assert.equal(
    parseSubtitles("1\n00:00:01,000 --> 00:00:02,000\n<i>x</i>\n", { keepMarkup: true })[0].text,
    "<i>x</i>",
  );
});

Deno.test("extractCues: embedded mov_text, a given sidecar, a sidecar found beside the video, none", async (t) => {
  const dir = await tempDir();
  try {
    const plain = await makeMp4(join(dir, "plain.mp4"));
    const srt = await writeSrt(join(dir, "cues.srt"), CUES);
    const embedded = await embedSubtitles(plain, srt, join(dir, "embedded.mp4"));
    const expected = [
      { start: 0.5, end: 2, text: "I love this, it is wonderful" },
      { start: 2.5, end: 4, text: "This is terrible, awful and sad" },
      { start: 4.2, end: 4.8, text: "The box is on the table" },
    ];

    await t.step("embedded stream (probed, converted to WebVTT)", async () => {
      const track = await extractCues(embedded);
      assert.equal(track.source, "embedded");
      assert.equal(track.streamIndex, 2);
      assert.equal(track.language, "eng");
      assert.deepEqual(track.cues, expected);
    });

    await t.step("no subtitles at all: source none with the reason", async () => {
      const track = await extractCues(plain);
      assert.equal(track.source, "none");
      assert.deepEqual(track.cues, []);
      assert.match(track.reason!, /no text subtitle stream in '.*plain\.mp4' and no sidecar/);
    });

    await t.step("a given sidecar (.srt) wins over the embedded stream", async () => {
      const other = await writeSrt(join(dir, "other.srt"), [[1, 2, "Only this"]]);
      const track = await extractCues(embedded, { subtitles: other });
      assert.equal(track.source, "sidecar");
      assert.equal(track.file, other);
      assert.deepEqual(track.cues, [{ start: 1, end: 2, text: "Only this" }]);
    });

    await t.step("a sidecar .vtt with the same base name is found beside a webm", async () => {
      const webm = await makeWebm(join(dir, "talk.webm"), 1);
      await Deno.writeTextFile(
        join(dir, "talk.vtt"),
        "WEBVTT\n\n00:00.200 --> 00:00.900\n<b>Good</b> news\n",
      );
      const track = await extractCues(webm);
      assert.equal(track.source, "sidecar");
      assert.equal(track.file, join(dir, "talk.vtt"));
      assert.deepEqual(track.cues, [{ start: 0.2, end: 0.9, text: "Good news" }]);
    });

    await t.step("a language-tagged sidecar (clip.en.srt) is found, with its language", async () => {
      const clip = await makeMp4(join(dir, "clip.mp4"), 1);
      await writeSrt(join(dir, "clip.en.srt"), [[0, 1, "Hi"]]);
      const track = await extractCues(clip);
      assert.equal(track.file, join(dir, "clip.en.srt"));
      assert.equal(track.language, "en");
    });

    await t.step("errors: missing sidecar, wrong extension, unparsable sidecar, bad video", async () => {
      const missing = join(dir, "nope.srt");
      await assert.rejects(extractCues(plain, { subtitles: missing }), (e: unknown) => {
        assert.ok(e instanceof VideoError);
        assert.equal(e.path, missing);
        assert.match(e.message, /Cannot read subtitles '.*nope\.srt': no such file/);
        return true;
      });
      const ass = join(dir, "x.ass");
      await Deno.writeTextFile(ass, "[Script Info]\n");
      await assert.rejects(
        extractCues(plain, { subtitles: ass }),
        /only \.srt and \.vtt files are supported, got '\.ass'/,
      );
      const garbage = join(dir, "garbage.srt");
      await Deno.writeTextFile(garbage, "this is not\nan srt file\n");
      await assert.rejects(
        extractCues(plain, { subtitles: garbage }),
        /garbage\.srt': no cue timing line found \(line 1/,
      );
      const empty = join(dir, "empty.mp4");
      await Deno.writeFile(empty, new Uint8Array());
      await assert.rejects(extractCues(empty, { subtitles: srt }), /Cannot read video '.*empty\.mp4'/);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
