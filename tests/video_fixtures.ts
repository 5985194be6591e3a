/**
 * Test media for the video tests, generated with ffmpeg at test time (recipes: reference video.md).
 * Not a test file itself.
 * @module
 */

import { join } from "node:path";
import { ffmpegPath } from "../lib/video/mod.ts";
import type { Model } from "../lib/models/types.ts";

/** Runs ffmpeg; throws with its stderr on failure. */
export async function ffmpeg(args: string[]): Promise<void> {
  const out = await new Deno.Command(await ffmpegPath(), {
    args: ["-hide_banner", "-nostdin", "-v", "error", "-y", ...args],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`ffmpeg ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}

const BITEXACT = [
  "-fflags",
  "+bitexact",
  "-flags:v",
  "+bitexact",
  "-flags:a",
  "+bitexact",
  "-map_metadata",
  "-1",
];

/** mp4, 640x480, 25 fps, H.264 + AAC 44.1 kHz mono sine, `seconds` long. */
export async function makeMp4(file: string, seconds = 5): Promise<string> {
  await ffmpeg([
    "-f",
    "lavfi",
    "-i",
    `testsrc=size=640x480:rate=25:duration=${seconds}`,
    "-f",
    "lavfi",
    "-i",
    `sine=frequency=440:sample_rate=44100:duration=${seconds}`,
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-pix_fmt",
    "yuv420p",
    "-c:a",
    "aac",
    "-shortest",
    ...BITEXACT,
    file,
  ]);
  return file;
}

/** Remuxes `video` with `srt` as an embedded mov_text stream tagged with `language`. */
export async function embedSubtitles(
  video: string,
  srt: string,
  out: string,
  language = "eng",
): Promise<string> {
  await ffmpeg([
    "-i",
    video,
    "-i",
    srt,
    "-map",
    "0",
    "-map",
    "1",
    "-c",
    "copy",
    "-c:s",
    "mov_text",
    "-metadata:s:s:0",
    `language=${language}`,
    out,
  ]);
  return out;
}

/** webm, 320x240 at 30000/1001 fps, VP8 + Opus 48 kHz stereo. */
export async function makeWebm(file: string, seconds = 2): Promise<string> {
  await ffmpeg([
    "-f",
    "lavfi",
    "-i",
    `testsrc=size=320x240:rate=30000/1001:duration=${seconds}`,
    "-f",
    "lavfi",
    "-i",
    `sine=frequency=330:sample_rate=48000:duration=${seconds}`,
    "-ac",
    "2",
    "-c:v",
    "libvpx",
    "-deadline",
    "realtime",
    "-c:a",
    "libopus",
    file,
  ]);
  return file;
}

/** A three-shot clip: red 2 s, blue 1.5 s, testsrc 1.5 s (cuts at 2.0 and 3.5 s). */
export async function makeSceneClip(file: string): Promise<string> {
  await ffmpeg([
    "-f",
    "lavfi",
    "-i",
    "color=c=red:s=320x240:d=2:r=25",
    "-f",
    "lavfi",
    "-i",
    "color=c=blue:s=320x240:d=1.5:r=25",
    "-f",
    "lavfi",
    "-i",
    "testsrc=s=320x240:d=1.5:r=25",
    "-filter_complex",
    "[0][1][2]concat=n=3:v=1[v]",
    "-map",
    "[v]",
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-pix_fmt",
    "yuv420p",
    file,
  ]);
  return file;
}

/** The sample photos shipped inside npm:@vladmandic/face-api (part of the dependency, not /work/shared). */
export function faceSample(n: number): string {
  return new URL(`./demo/sample${n}.jpg`, import.meta.resolve("npm:@vladmandic/face-api@1.7.15/package.json"))
    .pathname;
}

/** A 2 s, 640x480 video: 1 s of face-api's sample5 (a smiling face), then 1 s of sample2 (a sad face). */
export async function makeFaceClip(file: string): Promise<string> {
  await ffmpeg([
    "-framerate",
    "2",
    "-loop",
    "1",
    "-t",
    "1",
    "-i",
    faceSample(5),
    "-framerate",
    "2",
    "-loop",
    "1",
    "-t",
    "1",
    "-i",
    faceSample(2),
    "-filter_complex",
    "[0]scale=640:480,setsar=1[a];[1]scale=640:480,setsar=1[b];[a][b]concat=n=2:v=1[v]",
    "-map",
    "[v]",
    "-r",
    "2",
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-qp",
    "8",
    "-pix_fmt",
    "yuv420p",
    file,
  ]);
  return file;
}

/** Writes an SRT with the given cues ([start, end, text]) and CRLF line ends. */
export async function writeSrt(file: string, cues: Array<[number, number, string]>): Promise<string> {
  const ts = (s: number) => {
    const ms = Math.round(s * 1000);
    const h = Math.floor(ms / 3600000);
    const m = Math.floor(ms / 60000) % 60;
    const sec = Math.floor(ms / 1000) % 60;
    const rest = ms % 1000;
    return `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}:${String(sec).padStart(2, "0")},${
      String(rest).padStart(3, "0")
    }`;
  };
  const text = cues.map(([a, b, t], i) => `${i + 1}\r\n${ts(a)} --> ${ts(b)}\r\n${t}\r\n`).join("\r\n");
  await Deno.writeTextFile(file, text);
  return file;
}

/** The cues the tests use: clearly positive, clearly negative, neutral. */
export const CUES: Array<[number, number, string]> = [
  [0.5, 2.0, "<i>I love this</i>, it is wonderful"],
  [2.5, 4.0, "This is terrible, awful and sad"],
  [4.2, 4.8, "The box is on the table"],
];

/**
 * A small real model for tests: counts positive and negative keywords. Labels in a non-default order
 * (positive, negative, neutral) to check that callers map scores by `labels`.
 */
export function keywordModel(): Model & { calls: string[][] } {
  const pos = ["love", "wonderful", "great", "happy", "good"];
  const neg = ["terrible", "awful", "sad", "hate", "bad"];
  const calls: string[][] = [];
  return {
    name: "keywords",
    type: "keyword",
    labels: ["positive", "negative", "neutral"],
    description: "keyword counts (test model)",
    dir: null,
    card: null,
    calls,
    scoreBatch(texts: readonly string[]): Promise<Float32Array[]> {
      calls.push([...texts]);
      return Promise.resolve(texts.map((t) => {
        const words = t.toLowerCase().match(/[a-z]+/g) ?? [];
        const p = words.filter((w) => pos.includes(w)).length;
        const n = words.filter((w) => neg.includes(w)).length;
        const e = [Math.exp(p), Math.exp(n), Math.exp(p === 0 && n === 0 ? 1.5 : 0)];
        const sum = e[0] + e[1] + e[2];
        return Float32Array.from(e.map((v) => v / sum));
      }));
    },
    close: () => Promise.resolve(),
  };
}

/** A temp dir for one test; remove it with `Deno.remove(dir, { recursive: true })`. */
export function tempDir(): Promise<string> {
  return Deno.makeTempDir({ prefix: "sentilab-video-test-" });
}

/** Joins paths. */
export { join };
