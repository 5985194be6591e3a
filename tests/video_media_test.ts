import assert from "node:assert/strict";
import {
  contactSheet,
  detectScenes,
  probeVideo,
  thumbnails,
  timelineSvg,
  VideoError,
  videoSentiment,
  type VideoSentimentResult,
} from "../lib/video/mod.ts";
import { join, keywordModel, makeMp4, makeSceneClip, tempDir, writeSrt } from "./video_fixtures.ts";

Deno.test("detectScenes finds the two cuts of a three-shot clip and none in one shot", async () => {
  const dir = await tempDir();
  try {
    const clip = await makeSceneClip(join(dir, "scenes.mp4"));
    const cuts = await detectScenes(clip);
    assert.equal(cuts.length, 2, JSON.stringify(cuts));
    assert.ok(Math.abs(cuts[0].time - 2.0) < 0.1, `first cut at ${cuts[0].time}`);
    assert.ok(Math.abs(cuts[1].time - 3.5) < 0.1, `second cut at ${cuts[1].time}`);
    assert.ok(cuts.every((c) => c.score > 0.3 && c.score <= 1));
    const oneShot = await makeMp4(join(dir, "one.mp4"), 2);
    assert.deepEqual(await detectScenes(oneShot), []);
    await assert.rejects(detectScenes(clip, { threshold: 1.5 }), /threshold must be in \(0, 1\), got 1\.5/);
    await assert.rejects(detectScenes(join(dir, "nope.mp4")), /nope\.mp4': No such file or directory/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("thumbnails: evenly spaced JPEG stills of the right size", async () => {
  const dir = await tempDir();
  try {
    const clip = await makeSceneClip(join(dir, "scenes.mp4"));
    const stills = await thumbnails(clip, join(dir, "thumbs"), { count: 5, width: 160 });
    assert.equal(stills.length, 5);
    stills.forEach((s, i) => assert.ok(Math.abs(s.time - i) < 0.05, `still ${i} at ${s.time}`));
    for (const s of stills) {
      const head = (await Deno.readFile(s.path)).slice(0, 3);
      assert.deepEqual([...head], [0xff, 0xd8, 0xff], "JPEG magic");
      const m = await probeVideo(s.path);
      assert.equal(m.width, 160);
      assert.equal(m.height, 120);
    }
    await assert.rejects(thumbnails(clip, dir, { count: 0 }), /count must be an integer in 1\.\.100, got 0/);
    await assert.rejects(thumbnails(clip, dir, { prefix: "a/b" }), /prefix 'a\/b' cannot contain/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("contactSheet: one tiled image, written atomically; errors leave no file", async () => {
  const dir = await tempDir();
  try {
    const clip = await makeMp4(join(dir, "clip.mp4"), 3);
    const out = join(dir, "sheet.png");
    const sheet = await contactSheet(clip, out, { columns: 4, rows: 2, tileWidth: 160 });
    assert.deepEqual(sheet, { path: out, width: 640, height: 240, columns: 4, rows: 2 });
    const m = await probeVideo(out);
    assert.equal(m.codecs.video, "png");
    assert.equal(m.width, 640);
    assert.equal(m.height, 240);

    await assert.rejects(
      contactSheet(clip, join(dir, "sheet.gif")),
      /use a \.png, \.jpg or \.jpeg file name/,
    );
    await assert.rejects(contactSheet(clip, out, { rows: 0 }), /rows must be an integer in 1\.\.20, got 0/);
    const empty = join(dir, "empty.mp4");
    await Deno.writeFile(empty, new Uint8Array());
    const err = await contactSheet(empty, join(dir, "bad.png")).catch((e) => e);
    assert.ok(err instanceof VideoError);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
      "clip.mp4",
      "empty.mp4",
      "sheet.png",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("timelineSvg draws both signals, states missing ones, escapes text, links nothing", async () => {
  const dir = await tempDir();
  try {
    const clip = await makeMp4(join(dir, "a&b <clip>.mp4"), 3);
    const srt = await writeSrt(join(dir, "x.srt"), [
      [0.2, 1.2, `I love "quotes" &amp; 'apostrophes'`],
      [1.5, 2.5, "&lt;script&gt;alert(1)&lt;/script&gt; terrible"],
    ]);
    const r = await videoSentiment(clip, keywordModel(), { subtitles: srt });
    assert.equal(r.text.timeline[1].text, "<script>alert(1)</script> terrible");
    const svg = timelineSvg(r, { width: 600 });
    assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="600"'));
    assert.ok(svg.trimEnd().endsWith("</svg>"));
    assert.ok(!svg.includes("<script"), "cue text is escaped");
    assert.ok(svg.includes("&lt;script&gt;alert(1)&lt;/script&gt; terrible"));
    assert.ok(svg.includes("I love &quot;quotes&quot; &amp; &#39;apostrophes&#39;"));
    assert.ok(svg.includes("a&amp;b &lt;clip&gt;.mp4"), "title escaped");
    assert.equal((svg.match(/https?:/g) ?? []).length, 1, "only the xmlns URI, no external resource");
    assert.ok(!/href=/.test(svg));
    assert.equal((svg.match(/fill="#2ca02c" fill-opacity/g) ?? []).length, 1, "one positive bar");
    assert.equal((svg.match(/fill="#d62728" fill-opacity/g) ?? []).length, 1, "one negative bar");
    // faces were not asked for: no faces panel (no empty band, no "faces" axis label, no face legend)
    assert.ok(
      !svg.includes("faces not analysed") && !svg.includes(">faces</text>") && !svg.includes("face valence"),
    );
    assert.ok(svg.includes(">text</text>"));
    const panels = (svg.match(/fill="#fafafa" stroke="#dddddd"/g) ?? []).length;
    assert.equal(panels, 1, "one panel: text");
    // Every opened element is closed (a cheap well-formedness check).
    const opened = (svg.match(/<(?!\/)[a-z]+[^>]*[^/]>/g) ?? []).length;
    const closed = (svg.match(/<\/[a-z]+>/g) ?? []).length;
    assert.equal(opened, closed);

    const none: VideoSentimentResult = {
      ...r,
      text: {
        ...r.text,
        found: false,
        source: "none",
        timeline: [],
        overall: null,
        reason: "no subtitles here",
      },
      faces: {
        found: false,
        framesAnalyzed: 7,
        framesWithFaces: 0,
        sampleFps: 1,
        inputSize: 224,
        samples: [],
        valence: null,
        label: null,
        expressions: null,
        seconds: 1,
      },
    };
    const svg2 = timelineSvg(none);
    assert.ok(svg2.includes("no text track: no subtitles here"));
    assert.ok(svg2.includes("no face found in 7 frames analysed"));
    assert.equal(
      (svg2.match(/fill="#fafafa" stroke="#dddddd"/g) ?? []).length,
      2,
      "faces asked for: two panels",
    );
    assert.ok(!svg2.includes("fill-opacity"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
