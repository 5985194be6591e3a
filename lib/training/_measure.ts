/**
 * Measures the exported model (as served, through onnxruntime) on the validation and test sources, and the
 * lexicon baselines on the test sources.
 * @module
 */
import { loadOnnxModel } from "../models/onnx_model.ts";
import { lexiconBaselines } from "./_baselines.ts";
import type { Loaded } from "./_load_data.ts";
import { argmaxIds, type SplitMetrics, splitMetrics } from "./_metrics.ts";
import type { TrainClassifierResult } from "./types.ts";

/** Metrics of the model folder `dir` per source, and of each baseline per test source. */
export async function measureExported(
  dir: string,
  valSets: Loaded[],
  testSets: Loaded[],
  withBaselines: boolean,
): Promise<{
  metrics: TrainClassifierResult["metrics"];
  baselines: Record<string, Record<string, SplitMetrics>>;
}> {
  const model = await loadOnnxModel(dir);
  const metrics: TrainClassifierResult["metrics"] = {};
  const baselines: Record<string, Record<string, SplitMetrics>> = {};
  const bls = withBaselines ? lexiconBaselines() : [];
  try {
    for (const [split, sets] of [["val", valSets], ["test", testSets]] as const) {
      for (const d of sets) {
        const rows = await model.scoreBatch(d.texts);
        const flat = new Float32Array(rows.length * 3);
        rows.forEach((r, i) => flat.set(r, i * 3));
        const binary = d.rec.mode === "binary";
        metrics[d.rec.name] = {
          split,
          mode: binary ? "binary (argmax over negative/positive)" : "3-class",
          ...splitMetrics(argmaxIds(flat, binary), d.labels),
        };
        if (split === "test") {
          for (const b of bls) {
            const pred = d.texts.map((t) => (binary ? b.predictBinary(t) : b.predict(t)));
            (baselines[b.name] ??= {})[d.rec.name] = splitMetrics(pred, d.labels);
          }
        }
      }
    }
  } finally {
    await model.close();
  }
  return { metrics, baselines };
}
