import assert from "node:assert/strict";
import { finishRun, getRun, getTableRows, initRun } from "../lib/tracking/mod.ts";
import { logVideo, VideoError, videoSentiment } from "../lib/video/mod.ts";
import { CUES, join, keywordModel, makeMp4, tempDir, writeSrt } from "./video_fixtures.ts";

Deno.test("logVideo: the video (input, with probe metadata and contact sheet), timeline table, chart, metrics", async () => {
  const dir = await tempDir();
  try {
    const file = await makeMp4(join(dir, "talk.mp4"));
    await writeSrt(join(dir, "talk.srt"), CUES);
    const result = await videoSentiment(file, keywordModel());
    const store = join(dir, "store");
    const run = await initRun({ dir: store, tracker: "local", project: "video-test" });
    const logged = await logVideo(run, file, { result, metadata: { source: "generated" } });
    await finishRun(run);

    assert.ok(logged.video);
    assert.equal(logged.video.ref, "talk:v0");
    assert.equal(logged.video.type, "video");
    assert.deepEqual(logged.video.files(), ["contact_sheet.png", "talk.mp4"]);
    const meta = logged.video.metadata;
    assert.equal(meta.duration, 5);
    assert.equal(meta.resolution, "640x480");
    assert.equal(meta.format, "mp4");
    assert.equal(meta.fps, 25);
    assert.equal(meta.frameRate, "25/1");
    assert.deepEqual(meta.codecs, { video: "h264", audio: "aac", subtitles: [] });
    assert.equal(meta.source, "generated");
    const sheet = await Deno.readFile(logged.video.path("contact_sheet.png"));
    assert.deepEqual([...sheet.slice(1, 4)], [0x50, 0x4e, 0x47], "PNG magic");

    const details = getRun(run.id, { dir: store })!;
    assert.deepEqual(details.used.map((a) => a.ref), ["talk:v0"], "the video is an input of the run");
    assert.deepEqual(details.produced.map((a) => `${a.ref} ${a.type}`), ["talk-timeline:v0 chart"]);
    assert.equal(logged.chart?.files()[0], "timeline.svg");
    const svg = await Deno.readTextFile(logged.chart!.path("timeline.svg"));
    assert.match(svg, /^<svg /);

    const table = getTableRows(run.id, "video_timeline", { dir: store })!;
    assert.deepEqual(table.columns.slice(0, 5), ["index", "start", "end", "text", "label"]);
    assert.deepEqual(table.rows.map((r) => r[4]), ["positive", "negative", "neutral"]);
    assert.equal(table.rows[1][3], "This is terrible, awful and sad");

    assert.equal(details.summary.text_cues, 3);
    assert.equal(details.summary.text_label, result.text.overall!.label);
    assert.equal(details.summary.text_valence, result.text.overall!.valence);
    assert.equal(details.summary.text_source, "sidecar");
    assert.equal(details.summary.faces_found, null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("logVideo: a bad video throws before anything is logged; the disabled backend logs nothing", async () => {
  const dir = await tempDir();
  try {
    const store = join(dir, "store");
    const run = await initRun({ dir: store, tracker: "local" });
    const bad = join(dir, "broken.mp4");
    await Deno.writeFile(bad, new Uint8Array(1000));
    const err = await logVideo(run, bad).catch((e) => e);
    assert.ok(err instanceof VideoError, String(err));
    await finishRun(run);
    const details = getRun(run.id, { dir: store })!;
    assert.deepEqual(details.used, []);
    assert.deepEqual(details.produced, []);

    const file = await makeMp4(join(dir, "ok.mp4"), 1);
    const off = await initRun({ tracker: "disabled" });
    const logged = await logVideo(off, file, { contactSheet: false });
    assert.equal(logged.video, null);
    assert.equal(logged.metadata.width, 640);
    assert.equal(logged.artifactMetadata.resolution, "640x480");
    await finishRun(off);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
