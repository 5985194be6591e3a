/**
 * A store for the viewer's tests: runs in two projects with metrics, a prediction table, artifacts with
 * two versions and lineage, a video-like run, and XSS payloads planted in every place a user's text can
 * reach the page (prediction texts, run names, config values, notes, tags, artifact file names and
 * contents). Each payload would set `window.__xss` if it ever ran.
 * @module
 */
import { join } from "node:path";
import {
  finishRun,
  initRun,
  logArtifact,
  logMetrics,
  logTable,
  setSummary,
  useArtifact,
} from "../lib/tracking/mod.ts";

/** Payloads that must show as text and never run. */
export const XSS = [
  `<script>window.__xss = 1</script>`,
  `<img src=x onerror="window.__xss = 2">`,
  `<svg onload="window.__xss = 3">`,
  `javascript:window.__xss = 4`,
  `"><script>window.__xss = 5</script>`,
];

/** Ids and names of what the fixture created. */
export interface UiFixture {
  dir: string;
  alpha: string;
  beta: string;
  consumer: string;
  video: string;
  predictionRows: number;
  errorRows: number;
}

const LABELS = ["negative", "neutral", "positive"];
/** A 1x1 PNG (a valid image). */
const PNG = Uint8Array.from(
  atob(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==",
  ),
  (c) => c.charCodeAt(0),
);

/** Builds the fixture store in `root/store`; `predictionRows` rows in the prediction table. */
export async function makeUiFixture(root: string, predictionRows = 2500): Promise<UiFixture> {
  const dir = join(root, "store");
  const files = join(root, "files");
  await Deno.mkdir(files, { recursive: true });
  const common = { dir, tracker: "local" as const, captureConsole: false };

  const alpha = await initRun({
    ...common,
    project: "sentiment",
    name: "alpha",
    group: "sweep-1",
    tags: ["baseline", XSS[1].slice(0, 40)],
    notes: `notes ${XSS[1]} ${XSS[0]}`,
    config: { lr: 0.1, model: "lexicon", payload: XSS[0], nested: { depth: 2 } },
    jobType: "evaluate",
  });
  for (let step = 0; step < 300; step++) {
    logMetrics(alpha, { loss: 1 / (step + 1), acc: 0.5 + step / 700 });
  }
  const rows: unknown[][] = [];
  let errors = 0;
  for (let i = 0; i < predictionRows; i++) {
    const gold = LABELS[i % 3];
    const predicted = i % 5 === 0 ? LABELS[(i + 1) % 3] : gold;
    if (gold !== predicted) errors++;
    const text = i < XSS.length ? `${XSS[i]} row ${i}` : `review number ${i}`;
    const conf = ((i * 7919) % 1000) / 1000;
    rows.push([text, gold, predicted, conf, 0.1, 0.2, 0.7]);
  }
  await logTable(alpha, "predictions", {
    columns: ["text", "gold", "predicted", "confidence", "score_negative", "score_neutral", "score_positive"],
    rows,
  });
  await setSummary(alpha, { macro_f1: 0.61, payload: XSS[2] });
  await Deno.writeTextFile(join(files, "train.jsonl"), `{"text":"good","label":"positive"}\n`);
  await Deno.writeTextFile(join(files, "evil.txt"), `${XSS.join("\n")}\n`);
  await Deno.writeTextFile(join(files, "info.json"), `{"a": 1, "b": "${XSS[1].replaceAll('"', "'")}"}`);
  await Deno.writeTextFile(
    join(files, "chart.svg"),
    `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20" onload="window.__xss = 6">` +
      `<script>window.__xss = 7</script><rect width="40" height="20" fill="#4e79a7"/></svg>`,
  );
  await Deno.writeFile(join(files, "pixel.png"), PNG);
  await logArtifact(alpha, {
    name: "reviews",
    type: "dataset",
    files: [
      join(files, "train.jsonl"),
      { path: join(files, "evil.txt"), name: `${XSS[1]}.txt` },
      join(files, "info.json"),
      join(files, "chart.svg"),
      join(files, "pixel.png"),
    ],
  });
  await finishRun(alpha);

  const beta = await initRun({
    ...common,
    project: "sentiment",
    name: `beta ${XSS[2]}`,
    group: "sweep-1",
    tags: ["tuned"],
    config: { lr: 0.01, model: "lexicon", payload: "plain" },
  });
  for (let step = 0; step < 300; step++) {
    logMetrics(beta, { loss: 0.8 / (step + 1), acc: 0.55 + step / 650 });
  }
  await Deno.writeTextFile(
    join(files, "train.jsonl"),
    `{"text":"good","label":"positive"}\n{"text":"bad","label":"negative"}\n`,
  );
  await logArtifact(beta, { name: "reviews", type: "dataset", files: [join(files, "train.jsonl")] });
  await setSummary(beta, { macro_f1: 0.72 });
  await finishRun(beta);

  const consumer = await initRun({ ...common, project: "other", name: "consumer", jobType: "train" });
  useArtifact(consumer, "reviews:v0");
  logMetrics(consumer, { loss: 0.3 });
  await finishRun(consumer);

  const video = await initRun({ ...common, project: "video", name: "clip", jobType: "video" });
  await logTable(video, "video_timeline", {
    columns: [
      "index",
      "start",
      "end",
      "text",
      "label",
      "confidence",
      "negative",
      "neutral",
      "positive",
      "valence",
    ],
    rows: Array.from(
      { length: 20 },
      (_, i) => [i, i * 2, i * 2 + 2, `cue ${i}`, "neutral", 0.6, 0.2, 0.6, 0.2, Math.sin(i / 3)],
    ),
  });
  await Deno.writeFile(join(files, "contact_sheet.png"), PNG);
  await logArtifact(video, { name: "clip.mp4", type: "video", files: [join(files, "contact_sheet.png")] });
  await finishRun(video);
  return {
    dir,
    alpha: alpha.id,
    beta: beta.id,
    consumer: consumer.id,
    video: video.id,
    predictionRows,
    errorRows: errors,
  };
}
