/**
 * `deno task video FILE [--subs FILE] [--faces] [--model NAME] [--wandb] [--json] [--out DIR]`
 *
 * Analyses the sentiment of a video: metadata, the subtitle timeline through a text model, optionally the
 * faces; writes the SVG chart and tracks the run (the video as an input artifact with its contact sheet,
 * the timeline table, the chart, the overall scores).
 * @module
 */
import { finishRun, type Run } from "../lib/tracking/mod.ts";
import { type AnalyzedVideo, analyzeVideo, type VideoSentimentResult } from "../lib/video/mod.ts";
import { progress as showProgress } from "./_progress.ts";
import {
  closingLines,
  fail,
  parseTask,
  plural,
  positiveNumber,
  runJson,
  TRACKING_FLAGS,
  trackingOptions,
} from "./_cli.ts";

const { values, positionals } = parseTask({
  name: "video",
  usage: ["[options] FILE"],
  about: "Analyses the sentiment of a video from its subtitles (and faces) and tracks the run (the local " +
    "store by default).",
  positionals: { min: 1, max: 1, arg: "video FILE" },
  flags: {
    subs: {
      type: "string",
      arg: "FILE",
      help: "sidecar .srt or .vtt (default: the embedded subtitle stream, else FILE.srt/.vtt)",
    },
    language: {
      type: "string",
      arg: "L",
      help: "preferred language of an embedded subtitle stream (e.g. eng)",
    },
    faces: { type: "boolean", help: "also analyse faces (face-api, offline; slow: about 0.4-1 s per frame)" },
    "face-fps": { type: "string", arg: "N", help: "face frames per second of video (at most 5; default: 1)" },
    "max-frames": { type: "string", arg: "N", help: "most face frames analysed (default: 30)" },
    model: {
      type: "string",
      arg: "NAME|FOLDER",
      default: "default",
      help: "text model: registry name (config/models.yaml), folder or stored model artifact NAME:vN / " +
        "NAME:ALIAS",
    },
    out: { type: "string", arg: "DIR", default: "out", help: "folder for the chart <name>.timeline.svg" },
    verify: {
      type: "boolean",
      help: "also decode the whole file; a corrupt file is an error (exit 1, nothing tracked)",
    },
    json: {
      type: "boolean",
      help: "print one JSON object (metadata, cues, timeline, overall, faces, series, run)",
    },
    ...TRACKING_FLAGS,
  },
});
const file = positionals[0];
const faceFps = positiveNumber("face-fps", values["face-fps"], false);
const maxFrames = positiveNumber("max-frames", values["max-frames"], true);
if (faceFps !== undefined && faceFps > 5) fail(`--face-fps must be at most 5, got ${faceFps}`);
if ((faceFps !== undefined || maxFrames !== undefined) && !values.faces) {
  fail("--face-fps and --max-frames need --faces");
}
const tracking = trackingOptions(values);

// analyzeVideo does everything that depends on the user's input before a run exists: a bad video,
// subtitle file or model exits 1 with nothing tracked.
let analyzed: AnalyzedVideo;
const progress = values.faces ? showProgress("faces", false, "frames") : null;
try {
  analyzed = await analyzeVideo(file, {
    model: values.model!,
    subtitles: values.subs,
    language: values.language,
    faces: values.faces,
    faceFps,
    maxFrames,
    onProgress: progress ?? undefined,
    verify: values.verify,
    out: values.out!,
    tracking,
    finish: false,
  });
} catch (e) {
  fail((e as Error).message);
} finally {
  progress?.stop();
}
const { result, chartPath, run, logged } = analyzed;

// The result is printed before the run ends, so the run's output keeps it too.
if (values.json) {
  console.log(JSON.stringify({
    metadata: result.metadata,
    cues: result.text.timeline.map(({ start, end, text }) => ({ start, end, text })),
    text: {
      found: result.text.found,
      source: result.text.source,
      file: result.text.file,
      language: result.text.language,
      reason: result.text.reason ?? null,
      model: result.text.model,
    },
    timeline: result.text.timeline,
    overall: result.text.overall,
    faces: result.faces,
    series: result.series,
    chart: chartPath,
    run: {
      ...runJson(run),
      video: logged.video?.ref ?? null,
      chart: logged.chart?.ref ?? null,
    },
  }));
} else {
  console.log(report(result, chartPath, run));
}
await finishRun(run, { exitCode: 0 });

function report(r: VideoSentimentResult, chart: string, run: Run): string {
  const m = r.metadata;
  const lines: string[] = [];
  const kbps = (b: number | null) => b === null ? "?" : `${Math.round(b / 1000)} kb/s`;
  lines.push(`${m.path}`);
  lines.push(
    `  ${m.duration.toFixed(1)} s, ${m.container}, ${m.width}x${m.height} @ ${m.fps} fps (${m.frameRate}), ` +
      `${kbps(m.bitRate)}, ${(m.size / 1024).toFixed(0)} KiB`,
  );
  lines.push(
    `  video ${m.video.codec}${m.video.profile ? ` (${m.video.profile})` : ""}` +
      (m.audio ? `, audio ${m.audio.codec} ${m.audio.sampleRate} Hz ${m.audio.channels} ch` : ", no audio") +
      (m.subtitles.length
        ? `, subtitles ${m.subtitles.map((s) => `#${s.index} ${s.codec} ${s.language ?? "und"}`).join(", ")}`
        : ", no subtitle stream"),
  );
  if (m.verify) {
    lines.push(
      m.verify.ok
        ? "  verify: decoded cleanly"
        : `  verify: CORRUPT: ${m.verify.errors.slice(0, 3).join("; ")}`,
    );
  }
  lines.push("");
  const t = r.text;
  if (!t.found) {
    lines.push(`text: none (${t.reason})`);
  } else {
    lines.push(
      `text: ${plural(t.timeline.length, "cue")} from ${t.source} ${t.file}${
        t.language ? ` [${t.language}]` : ""
      }, model ${t.model}`,
    );
    lines.push("  start    end      label     conf  text");
    for (const e of t.timeline) {
      const text = e.text.replace(/\s+/g, " ");
      lines.push(
        `  ${e.start.toFixed(2).padStart(7)}  ${e.end.toFixed(2).padStart(7)}  ${e.label.padEnd(8)}  ` +
          `${e.confidence.toFixed(2)}  ${text.length > 60 ? text.slice(0, 59) + "…" : text}`,
      );
    }
    const o = t.overall!;
    lines.push(
      `overall (weighted by cue duration): ${o.label}, valence ${o.valence.toFixed(3)} ` +
        `(neg ${o.scores.negative.toFixed(3)}, neu ${o.scores.neutral.toFixed(3)}, pos ${
          o.scores.positive.toFixed(3)
        }), ` +
        `${o.coveredSeconds.toFixed(1)} s covered (${(o.coverage * 100).toFixed(0)}%)`,
    );
  }
  const f = r.faces;
  if (f) {
    lines.push(
      f.found
        ? `faces: ${f.label}, valence ${f.valence!.toFixed(3)}, faces in ${f.framesWithFaces} of ${
          plural(f.framesAnalyzed, "frame")
        } ` +
          `(${f.sampleFps} frames/s sampled, ${f.seconds.toFixed(1)} s)`
        : `faces: none found in ${plural(f.framesAnalyzed, "frame")} (${f.sampleFps} frames/s sampled)`,
    );
  }
  lines.push(`chart: ${chart}`);
  lines.push(...closingLines(run));
  return lines.join("\n");
}
