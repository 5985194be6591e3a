import assert from "node:assert/strict";
import { probeVideo, VideoError } from "../lib/video/mod.ts";
import {
  CUES,
  embedSubtitles,
  ffmpeg,
  join,
  makeMp4,
  makeWebm,
  tempDir,
  writeSrt,
} from "./video_fixtures.ts";

Deno.test("probeVideo reads an mp4 with a mov_text track, through ffprobe and the ffmpeg fallback", async (t) => {
  const dir = await tempDir();
  try {
    const plain = await makeMp4(join(dir, "plain.mp4"));
    const srt = await writeSrt(join(dir, "cues.srt"), CUES);
    const file = await embedSubtitles(plain, srt, join(dir, "subs.mp4"), "fra");
    for (const tool of ["ffprobe", "ffmpeg"] as const) {
      await t.step(tool, async () => {
        const m = await probeVideo(file, { tool });
        assert.equal(m.source, tool);
        assert.equal(m.container, "mp4");
        assert.match(m.formatName, /mp4/);
        // The 2018 ffmpeg counts AAC encoder padding (5.02 s); ffprobe says 5.000.
        assert.ok(Math.abs(m.duration - 5) < 0.05, `duration ${m.duration}`);
        assert.equal(m.width, 640);
        assert.equal(m.height, 480);
        assert.equal(m.frameRate, "25/1");
        assert.equal(m.fps, 25);
        assert.deepEqual(m.codecs, { video: "h264", audio: "aac", subtitles: ["mov_text"] });
        assert.equal(m.video.pixelFormat, "yuv420p");
        assert.equal(m.audio?.sampleRate, 44100);
        assert.equal(m.audio?.channels, 1);
        assert.equal(m.audio?.channelLayout, "mono");
        assert.ok(m.bitRate !== null && m.bitRate > 100_000 && m.bitRate < 600_000, `bit rate ${m.bitRate}`);
        assert.equal(m.subtitles.length, 1);
        assert.equal(m.subtitles[0].language, "fra");
        assert.equal(m.subtitles[0].index, 2);
        assert.equal(m.size, (await Deno.stat(file)).size);
        assert.equal(m.verify, undefined);
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("probeVideo reads a webm (VP8 + Opus, NTSC rate) through both tools", async () => {
  const dir = await tempDir();
  try {
    const file = await makeWebm(join(dir, "clip.webm"));
    for (const tool of ["ffprobe", "ffmpeg"] as const) {
      const m = await probeVideo(file, { tool });
      assert.equal(m.container, "webm");
      assert.equal(m.formatName, "matroska,webm");
      assert.ok(Math.abs(m.duration - 2) < 0.05, `${tool} duration ${m.duration}`);
      assert.equal(m.frameRate, "30000/1001");
      assert.equal(m.fps, 29.97);
      assert.deepEqual(m.codecs, { video: "vp8", audio: "opus", subtitles: [] });
      assert.equal(m.audio?.sampleRate, 48000);
      assert.equal(m.audio?.channels, 2);
      assert.deepEqual(m.subtitles, []);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("probeVideo verify: a clean file decodes; mid-file corruption that a probe misses is reported", async () => {
  const dir = await tempDir();
  try {
    const file = await makeMp4(join(dir, "clean.mp4"));
    const clean = await probeVideo(file, { verify: true });
    assert.deepEqual(clean.verify, { ok: true, errors: [] });

    const bytes = await Deno.readFile(file);
    const mid = Math.floor(bytes.length / 2);
    for (let i = 0; i < 4096; i++) bytes[mid + i] = (i * 7919 + 13) & 0xff;
    const bad = join(dir, "corrupt.mp4");
    await Deno.writeFile(bad, bytes);
    const probed = await probeVideo(bad);
    assert.ok(Math.abs(probed.duration - 5) < 0.05, "the probe alone does not see the damage");
    const verified = await probeVideo(bad, { verify: true });
    assert.equal(verified.verify?.ok, false);
    assert.ok(verified.verify!.errors.length > 0);
    assert.match(verified.verify!.errors.join("\n"), /error|invalid|out of range|not allocated/i);
    for (const line of verified.verify!.errors) {
      assert.ok(!/^\[\w+ @ 0x|^file:/.test(line), `verify lines carry no tool prefix: ${line}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("probeVideo: a file cut short after its header is truncated (faststart mp4, webm), through both tools", async (t) => {
  const dir = await tempDir();
  try {
    const faststart = join(dir, "faststart.mp4");
    await ffmpeg([
      "-i",
      await makeMp4(join(dir, "plain.mp4"), 2),
      "-c",
      "copy",
      "-movflags",
      "+faststart",
      faststart,
    ]);
    const webm = await makeWebm(join(dir, "clip.webm"), 2);
    const cut = async (file: string, name: string, keep: (n: number) => number) => {
      const bytes = await Deno.readFile(file);
      await Deno.writeFile(join(dir, name), bytes.slice(0, keep(bytes.length)));
      return join(dir, name);
    };
    const cases: Array<[string, string]> = [
      ["faststart mp4 cut in half", await cut(faststart, "half.mp4", (n) => Math.floor(n / 2))],
      ["faststart mp4 missing its last 300 bytes", await cut(faststart, "short.mp4", (n) => n - 300)],
      ["webm cut in half", await cut(webm, "half.webm", (n) => Math.floor(n / 2))],
      ["webm missing its last 300 bytes", await cut(webm, "short.webm", (n) => n - 300)],
    ];
    for (const tool of ["ffprobe", "ffmpeg"] as const) {
      await t.step(`${tool}: the complete files are fine`, async () => {
        assert.ok(Math.abs((await probeVideo(faststart, { tool })).duration - 2) < 0.1);
        assert.ok(Math.abs((await probeVideo(webm, { tool })).duration - 2) < 0.1);
      });
      for (const [what, file] of cases) {
        await t.step(`${tool}: ${what}`, async () => {
          const err = await probeVideo(file, { tool }).then(() => null, (e) => e);
          assert.ok(err instanceof VideoError, `${what}: expected a VideoError, got ${err}`);
          assert.equal(err.path, file);
          assert.match(err.reason, /^the file is truncated: /);
          assert.ok(
            err.message.startsWith(`Cannot read video '${file}': the file is truncated (`),
            err.message,
          );
          assert.match(err.message, /partial file|ended prematurely|Read error/);
          assert.ok(!/\[\w+ @ 0x|file:\//.test(err.message), `no tool prefixes in: ${err.message}`);
        });
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("probeVideo errors name the file and quote the tool's cause", async (t) => {
  const dir = await tempDir();
  try {
    const good = await makeMp4(join(dir, "good.mp4"), 2);
    const bytes = await Deno.readFile(good);
    const truncated = join(dir, "truncated.mp4");
    await Deno.writeFile(truncated, bytes.slice(0, Math.floor(bytes.length / 3)));
    const empty = join(dir, "empty.mp4");
    await Deno.writeFile(empty, new Uint8Array());
    const random = join(dir, "random.mp4");
    const noise = new Uint8Array(30_000);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
    await Deno.writeFile(random, noise);
    const text = join(dir, "notes.txt");
    await Deno.writeTextFile(text, "hello, this is not a video\n");
    const audio = join(dir, "tone.m4a");
    await ffmpeg(["-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", audio]);
    const missing = join(dir, "missing.mp4");

    const cases: Array<[string, string, RegExp, RegExp]> = [
      ["missing", missing, /No such file or directory/, /check the path/],
      ["empty", empty, /Invalid data found when processing input/, /empty \(0 bytes\)/],
      ["truncated", truncated, /moov atom not found/, /truncated/],
      ["random", random, /Invalid data found|moov atom not found/, /./],
      ["text", text, /Invalid data found when processing input/, /not a video/],
      ["audio only", audio, /no video stream/, /audio aac/],
      ["directory", dir, /directory/, /./],
      // Names are always local files (`file:` protocol): nothing is fetched, nothing is read as an option.
      ["url-like name", "http://127.0.0.1:9/clip.mp4", /No such file or directory/, /check the path/],
    ];
    for (const tool of ["ffprobe", "ffmpeg"] as const) {
      for (const [what, file, cause, hint] of cases) {
        await t.step(`${tool}: ${what}`, async () => {
          const err = await probeVideo(file, { tool }).then(() => null, (e) => e);
          assert.ok(err instanceof VideoError, `${what}: expected a VideoError, got ${err}`);
          assert.equal(err.path, file);
          assert.ok(err.message.includes(`'${file}'`), err.message);
          assert.match(err.message, cause);
          assert.match(err.message, hint);
          assert.ok(!/\[\w+ @ 0x/.test(err.message), `no ffmpeg context prefix in: ${err.message}`);
        });
      }
    }
    await assert.rejects(probeVideo(good, { tool: "nope" as "auto" }), /tool must be/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
