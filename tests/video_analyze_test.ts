import assert from "node:assert/strict";
import { finishRun, getRun, listRuns } from "../lib/tracking/mod.ts";
import { analyzeVideo, timelineSvg } from "../lib/video/mod.ts";
import { CUES, join, keywordModel, makeMp4, tempDir, writeSrt } from "./video_fixtures.ts";

Deno.test("analyzeVideo: timeline, chart file, a finished video run with its config, input and chart", async () => {
  const dir = await tempDir();
  try {
    const file = await makeMp4(join(dir, "talk.mp4"));
    await writeSrt(join(dir, "talk.srt"), CUES);
    const store = join(dir, "store");
    const model = keywordModel();
    const { result, chartPath, run, logged } = await analyzeVideo(file, {
      model,
      subtitles: join(dir, "talk.srt"),
      verify: true,
      out: join(dir, "charts"),
      tracking: { dir: store, tracker: "local", project: "video-test" },
    });
    assert.deepEqual(result.text.timeline.map((e) => e.label), ["positive", "negative", "neutral"]);
    assert.equal(result.metadata.verify?.ok, true, "verify: the whole file decoded");
    assert.equal(chartPath, join(dir, "charts", "talk.timeline.svg"));
    assert.equal(await Deno.readTextFile(chartPath), timelineSvg(result));

    const details = getRun(run.id, { dir: store })!;
    assert.equal(details.status, "finished", "finish defaults to true");
    assert.equal(details.jobType, "video");
    assert.equal(details.config.video, file);
    assert.equal(details.config.model, "keywords");
    assert.equal(details.config.model_type, "keyword");
    assert.equal(details.config.faces, false);
    assert.deepEqual(details.used.map((a) => a.ref), ["talk:v0"]);
    assert.deepEqual(details.produced.map((a) => a.ref), [logged.chart!.ref]);
    assert.equal(details.summary.text_label, result.text.overall!.label);
    assert.equal(model.calls.length > 0, true, "the given model scored the cues");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("analyzeVideo: finish false leaves the run open; a bad video throws with no run and no chart", async () => {
  const dir = await tempDir();
  try {
    const file = await makeMp4(join(dir, "clip.mp4"), 1);
    const store = join(dir, "store");
    const tracking = { dir: store, tracker: "local" as const };
    const open = await analyzeVideo(file, { model: "lexicon", out: dir, tracking, finish: false });
    assert.equal(getRun(open.run.id, { dir: store })!.status, "running");
    assert.equal(open.result.text.found, false, "no subtitles: nothing invented");

    const bad = join(dir, "broken.mp4");
    await Deno.writeFile(bad, new Uint8Array(1000));
    const out = join(dir, "never");
    await assert.rejects(
      analyzeVideo(bad, { model: "lexicon", out, tracking }),
      /Cannot read video '.*broken\.mp4'/,
    );
    assert.deepEqual(listRuns({ dir: store }).map((r) => r.id), [open.run.id], "no second run");
    await assert.rejects(Deno.stat(out), Deno.errors.NotFound, "no chart folder");
    await finishRun(open.run);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
