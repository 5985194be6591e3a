/**
 * Finding ffmpeg: `ffmpegPath()` and every function that runs ffmpeg say how to point sentilab at it when
 * it cannot be found (e.g. mod.ts imported from a URL: no node_modules, @ffmpeg-installer throws), instead
 * of a bare "No such file or directory". Each case runs in a child process: the lookup is cached per process.
 */
import assert from "node:assert/strict";
import { ffmpegPath } from "../lib/video/mod.ts";
import { join, makeMp4, tempDir } from "./video_fixtures.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const NOT_FOUND =
  "ffmpeg not found: set SENTILAB_FFMPEG (and SENTILAB_FFPROBE) to its path or put it on PATH";

const CHILD = `
import { ffmpegPath, probeVideo, thumbnails } from "${new URL("../lib/video/mod.ts", import.meta.url).href}";
import { readFrames } from "${new URL("../lib/video/_frames.ts", import.meta.url).href}";
const file = Deno.args[0];
const outcome = async (f) => {
  try {
    const value = await f();
    return { ok: true, value };
  } catch (e) {
    return { ok: false, name: e?.name ?? typeof e, path: e?.path ?? null, message: e?.message ?? String(e) };
  }
};
const meta = { duration: 1, fps: 25, width: 640, height: 480 };
console.log(JSON.stringify({
  ffmpegPath: await outcome(() => ffmpegPath()),
  probe: await outcome(async () => (await probeVideo(file)).duration),
  thumbnails: await outcome(async () => (await thumbnails(file, Deno.args[1], { count: 1, metadata: meta })).length),
  frames: await outcome(async () => {
    let n = 0;
    for await (const _ of readFrames(file, 1, 64, 48, 2)) n++;
    return n;
  }),
}));
`;

async function child(dir: string, file: string, env: Record<string, string>) {
  const script = join(dir, "child.js");
  await Deno.writeTextFile(script, CHILD);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", join(ROOT, "deno.json"), script, file, join(dir, "thumbs")],
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000),
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.ok(out.success, `child failed: ${stderr.slice(-2000)}`);
  return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!);
}

Deno.test("ffmpegPath: the binary that the video functions run, executable", async () => {
  const path = await ffmpegPath();
  assert.ok(path.startsWith("/"), path);
  const st = await Deno.stat(path);
  assert.ok(st.isFile && (st.mode! & 0o111) !== 0);
  const out = await new Deno.Command(path, { args: ["-version"], stdout: "piped", stderr: "null" }).output();
  assert.match(new TextDecoder().decode(out.stdout), /^ffmpeg version/);
});

Deno.test("ffmpeg not found: ffmpegPath, probe, thumbnails and frame decoding all say how to fix it", async (t) => {
  const dir = await tempDir();
  try {
    const file = await makeMp4(join(dir, "clip.mp4"), 1);
    const notExecutable = join(dir, "ffmpeg");
    await Deno.writeTextFile(notExecutable, "not a program\n");
    const settings: Array<[string, Record<string, string>, string]> = [
      [
        "SENTILAB_FFMPEG names a missing file",
        { SENTILAB_FFMPEG: join(dir, "nope", "ffmpeg") },
        "nope/ffmpeg",
      ],
      [
        "SENTILAB_FFMPEG names a file that is not executable",
        { SENTILAB_FFMPEG: notExecutable },
        notExecutable,
      ],
      // A bare name is looked up on PATH, as a shell would.
      [
        "SENTILAB_FFMPEG is a name not on PATH",
        { SENTILAB_FFMPEG: "ffmpeg", PATH: join(dir, "empty") },
        "ffmpeg",
      ],
    ];
    for (const [what, env, shown] of settings) {
      await t.step(what, async () => {
        // SENTILAB_FFPROBE=none: the probe goes through ffmpeg too.
        const r = await child(dir, file, { ...env, SENTILAB_FFPROBE: "none" });
        for (const [step, o] of Object.entries(r) as Array<[string, Record<string, string | boolean>]>) {
          assert.equal(o.ok, false, `${step} should fail: ${JSON.stringify(o)}`);
          assert.equal(o.name, "VideoError", `${step}: ${JSON.stringify(o)}`);
          assert.ok((o.message as string).includes(NOT_FOUND), `${step}: ${o.message}`);
          assert.ok((o.message as string).includes(shown), `${step} names the setting: ${o.message}`);
        }
        for (const step of ["probe", "thumbnails", "frames"]) {
          assert.equal(r[step].path, file, `${step} names the video`);
          assert.ok(r[step].message.includes(`'${file}'`), r[step].message);
        }
      });
    }
    await t.step("a bare name on PATH is found there", async () => {
      const real = await ffmpegPath();
      const bin = join(dir, "bin");
      await Deno.mkdir(bin, { recursive: true });
      await Deno.symlink(real, join(bin, "ffmpeg"));
      const r = await child(dir, file, { SENTILAB_FFMPEG: "ffmpeg", PATH: bin, SENTILAB_FFPROBE: "none" });
      assert.deepEqual(r.ffmpegPath, { ok: true, value: join(bin, "ffmpeg") });
      assert.equal(r.probe.ok, true, JSON.stringify(r.probe));
      assert.ok(Math.abs(r.probe.value - 1) < 0.1);
      assert.deepEqual(r.frames, { ok: true, value: 1 });
      assert.equal(r.thumbnails.ok, true, JSON.stringify(r.thumbnails));
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
