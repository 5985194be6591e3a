import assert from "node:assert/strict";
import { getRun } from "../lib/tracking/mod.ts";
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

const TASK = new URL("../tasks/video.ts", import.meta.url).pathname;

async function task(args: string[], cwd: string, env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", TASK, ...args],
    cwd,
    env: { NO_COLOR: "1", SENTILAB_DIR: join(cwd, "store"), ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

async function exists(p: string): Promise<boolean> {
  try {
    await Deno.stat(p);
    return true;
  } catch {
    return false;
  }
}

Deno.test("deno task video --json: metadata, cues, timeline, overall, chart, tracked run", async () => {
  const dir = await tempDir();
  try {
    const plain = await makeMp4(join(dir, "plain.mp4"));
    await embedSubtitles(plain, await writeSrt(join(dir, "c.srt"), CUES), join(dir, "talk.mp4"));
    const r = await task(["talk.mp4", "--model", "lexicon", "--json", "--out", "charts"], dir);
    assert.equal(r.code, 0, r.stderr);
    const o = JSON.parse(r.stdout);
    assert.equal(o.metadata.width, 640);
    assert.equal(o.metadata.frameRate, "25/1");
    assert.equal(o.metadata.source, "ffprobe");
    assert.deepEqual(o.cues.map((c: { text: string }) => c.text), [
      "I love this, it is wonderful",
      "This is terrible, awful and sad",
      "The box is on the table",
    ]);
    assert.deepEqual(o.timeline.map((e: { label: string }) => e.label).slice(0, 2), ["positive", "negative"]);
    assert.equal(o.text.source, "embedded");
    assert.ok(["negative", "neutral", "positive"].includes(o.overall.label));
    assert.equal(o.faces, null);
    assert.equal(o.series.length, 5);
    assert.equal(o.chart, join("charts", "talk.timeline.svg"));
    assert.match(await Deno.readTextFile(join(dir, o.chart)), /^<svg /);
    assert.equal(o.run.backend, "local");
    assert.equal(o.run.video, "talk:v0");
    const details = getRun(o.run.id, { dir: join(dir, "store") })!;
    assert.equal(details.status, "finished");
    assert.equal(details.config.video, "talk.mp4");
    assert.deepEqual(details.used.map((a) => a.ref), ["talk:v0"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task video: text report; ffmpeg fallback when ffprobe is unavailable", async () => {
  const dir = await tempDir();
  try {
    await makeMp4(join(dir, "quiet.mp4"), 2);
    await writeSrt(join(dir, "subs.srt"), [[0.1, 1.5, "What a wonderful, happy day"]]);
    const r = await task(
      [
        "quiet.mp4",
        "--subs",
        "subs.srt",
        "--model",
        "lexicon",
        "--tracker",
        "disabled",
        "--verify",
      ],
      dir,
      {
        SENTILAB_FFPROBE: "none",
      },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /2\.0 s, mp4, 640x480 @ 25 fps \(25\/1\)/);
    assert.match(r.stdout, /verify: decoded cleanly/);
    assert.match(r.stdout, /text: 1 cue from sidecar subs\.srt, model lexicon/);
    assert.match(r.stdout, /0\.10 +1\.50 +positive +\d\.\d\d +What a wonderful, happy day/);
    assert.match(r.stdout, /overall \(weighted by cue duration\): positive/);
    assert.match(r.stdout, /was not tracked \(--tracker disabled\): nothing was stored/);
    assert.ok(await exists(join(dir, "out", "quiet.timeline.svg")));

    const silent = await task(["quiet.mp4", "--model", "lexicon", "--tracker", "disabled", "--json"], dir, {
      SENTILAB_FFPROBE: "none",
    });
    assert.equal(silent.code, 0, silent.stderr);
    const o = JSON.parse(silent.stdout);
    assert.equal(o.metadata.source, "ffmpeg");
    assert.equal(o.text.found, false, "subs.srt does not share quiet.mp4's base name: no text track");
    assert.match(o.text.reason, /no text subtitle stream in 'quiet\.mp4' and no sidecar/);
    assert.deepEqual(o.timeline, []);
    assert.equal(o.overall, null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task video: every error path exits 1, names the cause, and records nothing", async (t) => {
  const dir = await tempDir();
  try {
    const good = await makeMp4(join(dir, "good.mp4"), 1);
    const bytes = await Deno.readFile(good);
    await Deno.writeFile(join(dir, "truncated.mp4"), bytes.slice(0, 4000));
    await Deno.writeFile(join(dir, "empty.mp4"), new Uint8Array());
    const noise = new Uint8Array(20_000).map((_, i) => (i * 2654435761) >>> 24);
    await Deno.writeFile(join(dir, "random.mp4"), noise);
    await Deno.writeTextFile(join(dir, "notes.txt"), "not a video\n");
    // Cut short after a complete header: a +faststart mp4 (moov first) and a webm. Both probe "fine"
    // unless the packets are read.
    await ffmpeg(["-i", good, "-c", "copy", "-movflags", "+faststart", join(dir, "faststart.mp4")]);
    const fast = await Deno.readFile(join(dir, "faststart.mp4"));
    await Deno.writeFile(join(dir, "cut_faststart.mp4"), fast.slice(0, Math.floor(fast.length / 2)));
    const webm = await Deno.readFile(await makeWebm(join(dir, "clip.webm"), 2));
    await Deno.writeFile(join(dir, "cut.webm"), webm.slice(0, Math.floor(webm.length / 2)));
    // Mid-file damage that only a full decode sees.
    const clip = await Deno.readFile(await makeMp4(join(dir, "long.mp4"), 5));
    const mid = Math.floor(clip.length / 2);
    for (let i = 0; i < 4096; i++) clip[mid + i] = (i * 7919 + 13) & 0xff;
    await Deno.writeFile(join(dir, "corrupt.mp4"), clip);
    const cases: Array<[string, string[], RegExp, Record<string, string>?]> = [
      ["missing", ["missing.mp4"], /Cannot read video 'missing\.mp4': No such file or directory/],
      ["empty", ["empty.mp4"], /Cannot read video 'empty\.mp4': .*Invalid data found.*empty \(0 bytes\)/],
      ["truncated", ["truncated.mp4"], /Cannot read video 'truncated\.mp4': moov atom not found/],
      ["random", ["random.mp4"], /Cannot read video 'random\.mp4': .*(Invalid data found|moov atom)/],
      [
        "truncated faststart mp4",
        ["cut_faststart.mp4"],
        /Cannot read video 'cut_faststart\.mp4': the file is truncated \(.*partial file/,
      ],
      [
        "truncated webm",
        ["cut.webm"],
        /Cannot read video 'cut\.webm': the file is truncated \(.*prematurely/,
      ],
      [
        "truncated webm, ffmpeg fallback (no ffprobe)",
        ["cut.webm"],
        /Cannot read video 'cut\.webm': the file is truncated \(Read error; ffmpeg\)/,
        { SENTILAB_FFPROBE: "none" },
      ],
      [
        "corruption found by --verify",
        ["corrupt.mp4", "--verify"],
        /Cannot use video 'corrupt\.mp4': it is corrupt \(decoding it fails: .+\); get an undamaged copy/,
      ],
      [
        "not a video",
        ["notes.txt"],
        /Cannot read video 'notes\.txt': Invalid data found when processing input/,
      ],
      [
        "missing subtitles",
        ["good.mp4", "--subs", "gone.srt"],
        /Cannot read subtitles 'gone\.srt': no such file/,
      ],
      ["unknown model", ["good.mp4", "--model", "no-such-model"], /no-such-model/],
      ["no file", [], /deno task video takes exactly 1 video FILE, got 0/],
      ["bad face rate", ["good.mp4", "--faces", "--face-fps", "9"], /--face-fps must be at most 5, got 9/],
      [
        "face rate without faces",
        ["good.mp4", "--face-fps", "1"],
        /--face-fps and --max-frames need --faces/,
      ],
      ["bad tracker", ["good.mp4", "--tracker", "s3"], /--tracker must be one of/],
    ];
    for (const [what, args, pattern, env] of cases) {
      await t.step(what, async () => {
        const model = args.includes("--model") ? [] : ["--model", "lexicon"];
        const r = await task([...args, ...model], dir, env);
        assert.equal(r.code, 1, `${what}: exit code (stdout ${r.stdout})`);
        assert.match(r.stderr, /^error: /);
        assert.match(r.stderr, pattern);
        assert.equal(r.stdout, "");
      });
    }
    assert.equal(await exists(join(dir, "store")), false, "no run was started");
    assert.equal(await exists(join(dir, "out")), false, "no chart was written");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
