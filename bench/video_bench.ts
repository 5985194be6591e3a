/**
 * `deno task bench:video`: probe, cue extraction, text timeline and face track on a generated 60 s clip,
 * each against a named baseline measured in the same run. Prints one table.
 *
 * Baselines: probe → a bare tool process (`ffprobe -version`: the floor of any probe) and the
 * `ffmpeg -i` fallback; embedded cue extraction → reading a sidecar .srt; timeline → scoring the same
 * texts with `model.scoreBatch` directly (no video work); face track → decoding the same frames without
 * detection.
 * @module
 */
import { join } from "node:path";
import { loadModel } from "../lib/models/mod.ts";
import {
  analyzeFaces,
  extractCues,
  ffmpegPath,
  parseSubtitles,
  probeVideo,
  videoSentiment,
} from "../lib/video/mod.ts";
import { ffprobePath } from "../lib/video/_tools.ts";
import { embedSubtitles, makeMp4, writeSrt } from "../tests/video_fixtures.ts";
import { readFrames } from "../lib/video/_frames.ts";

const SECONDS = 60;
const FACE_FRAMES = Number(Deno.env.get("BENCH_FACE_FRAMES") ?? 10);

async function run(bin: string, args: string[]): Promise<void> {
  const out = await new Deno.Command(bin, { args, stdout: "null", stderr: "piped" }).output();
  if (!out.success) throw new Error(`${bin} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
}

async function time(n: number, f: () => Promise<unknown>): Promise<number[]> {
  await f(); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await f();
    ms.push(performance.now() - t);
  }
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Row {
  step: string;
  variant: string;
  runs: number;
  ms: number;
  rate: string;
  vs: string;
}

const dir = await Deno.makeTempDir({ prefix: "sentilab-video-bench-" });
try {
  const ffmpeg = await ffmpegPath();
  const ffprobe = await ffprobePath();
  const video = join(dir, "clip.mp4");
  const srt = join(dir, "clip_cues.srt");
  const embedded = join(dir, "clip_subs.mp4");
  const words = ["I love this, it is wonderful", "This is terrible and sad", "The box is on the table"];
  const cues: Array<[number, number, string]> = [];
  for (let i = 0; i < SECONDS * 2; i++) cues.push([i * 0.5, i * 0.5 + 0.45, `${words[i % 3]} (${i})`]);
  await writeSrt(srt, cues);
  const t0 = performance.now();
  // The same clip recipe as the tests (tests/video_fixtures.ts), 60 s long.
  await embedSubtitles(await makeMp4(video, SECONDS), srt, embedded);
  const genMs = performance.now() - t0;
  const meta = await probeVideo(embedded);
  const rows: Row[] = [];
  const N = 10;

  // Probe.
  const spawn = median(await time(N, () => run(ffprobe ?? ffmpeg, ["-version"])));
  rows.push({
    step: "probe",
    variant: "baseline: bare process (-version)",
    runs: N,
    ms: spawn,
    rate: "",
    vs: "1.00x",
  });
  const probe = median(await time(N, () => probeVideo(embedded, { tool: "ffprobe" })));
  rows.push({
    step: "probe",
    variant: "probeVideo (ffprobe JSON)",
    runs: N,
    ms: probe,
    rate: "",
    vs: `${(probe / spawn).toFixed(2)}x`,
  });
  const fallback = median(await time(N, () => probeVideo(embedded, { tool: "ffmpeg" })));
  rows.push({
    step: "probe",
    variant: "probeVideo (ffmpeg -i fallback)",
    runs: N,
    ms: fallback,
    rate: "",
    vs: `${(fallback / spawn).toFixed(2)}x`,
  });
  const verify = median(await time(3, () => probeVideo(embedded, { verify: true })));
  rows.push({
    step: "probe",
    variant: "probeVideo verify (full decode)",
    runs: 3,
    ms: verify,
    rate: `${(SECONDS / (verify / 1000)).toFixed(0)} s of video/s`,
    vs: `${(verify / spawn).toFixed(2)}x`,
  });

  // Cues.
  const side = median(await time(N, () => extractCues(video, { subtitles: srt, metadata: meta })));
  rows.push({
    step: "cues",
    variant: "baseline: sidecar .srt",
    runs: N,
    ms: side,
    rate: `${(120 / (side / 1000)).toFixed(0)} cues/s`,
    vs: "1.00x",
  });
  const emb = median(await time(N, () => extractCues(embedded, { metadata: meta })));
  rows.push({
    step: "cues",
    variant: "embedded mov_text → WebVTT",
    runs: N,
    ms: emb,
    rate: `${(120 / (emb / 1000)).toFixed(0)} cues/s`,
    vs: `${(emb / side).toFixed(2)}x`,
  });
  const text = await Deno.readTextFile(srt);
  const parse = median(await time(N, () => Promise.resolve(parseSubtitles(text))));
  rows.push({
    step: "cues",
    variant: "parseSubtitles only (120 cues)",
    runs: N,
    ms: parse,
    rate: `${(120 / (parse / 1000)).toFixed(0)} cues/s`,
    vs: `${(parse / side).toFixed(2)}x`,
  });

  // Timeline.
  const model = await loadModel("lexicon");
  const texts = (await extractCues(embedded)).cues.map((c) => c.text);
  const score = median(await time(N, () => model.scoreBatch(texts)));
  rows.push({
    step: "timeline",
    variant: "baseline: lexicon scoreBatch alone",
    runs: N,
    ms: score,
    rate: `${(120 / (score / 1000)).toFixed(0)} cues/s`,
    vs: "1.00x",
  });
  const tl = median(await time(5, () => videoSentiment(embedded, model)));
  rows.push({
    step: "timeline",
    variant: "videoSentiment text (lexicon)",
    runs: 5,
    ms: tl,
    rate: `${(120 / (tl / 1000)).toFixed(0)} cues/s`,
    vs: `${(tl / score).toFixed(2)}x`,
  });
  await model.close();

  // Faces.
  const decode = median(
    await time(3, async () => {
      let n = 0;
      for await (const _ of readFrames(video, FACE_FRAMES / SECONDS, 640, 480, FACE_FRAMES)) n++;
      if (n !== FACE_FRAMES) throw new Error(`decoded ${n} frames`);
    }),
  );
  rows.push({
    step: "faces",
    variant: `baseline: decode ${FACE_FRAMES} frames only`,
    runs: 3,
    ms: decode,
    rate: `${(FACE_FRAMES / (decode / 1000)).toFixed(1)} frames/s`,
    vs: "1.00x",
  });
  await analyzeFaces(video, { maxFrames: 1 }); // load the models once
  // 416 is about 5x slower and reports false faces on the test pattern: measured on fewer frames.
  for (const [inputSize, frames] of [[224, FACE_FRAMES], [416, Math.min(3, FACE_FRAMES)]]) {
    const t = performance.now();
    const f = await analyzeFaces(video, { fps: frames / SECONDS, maxFrames: frames, inputSize });
    const ms = performance.now() - t;
    rows.push({
      step: "faces",
      variant: `analyzeFaces, input ${inputSize} (${f.framesAnalyzed} frames, ${f.framesWithFaces} w/ faces)`,
      runs: 1,
      ms,
      rate: `${(f.framesAnalyzed / (ms / 1000)).toFixed(2)} frames/s`,
      vs: `${((ms / f.framesAnalyzed) / (decode / FACE_FRAMES)).toFixed(1)}x per frame`,
    });
  }

  console.log(
    `video bench: generated ${SECONDS} s 640x480 H.264+AAC clip with 120 mov_text cues in ${
      genMs.toFixed(0)
    } ms; ` +
      `Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} CPUs`,
  );
  const header = ["step", "variant", "runs", "median ms", "throughput", "vs baseline"];
  const table = rows.map((r) => [r.step, r.variant, String(r.runs), r.ms.toFixed(1), r.rate, r.vs]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    "| " + cells.map((c, i) => (i >= 2 && i <= 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(" | ") +
    " |";
  console.log(line(header));
  console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
  for (const r of table) console.log(line(r));
} finally {
  await Deno.remove(dir, { recursive: true });
}
