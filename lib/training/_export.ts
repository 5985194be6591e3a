/**
 * Writes a trained classifier's serving files (model.onnx, features.json, labels.json) into a folder, and
 * swaps a finished folder into place.
 * @module
 */
import { join } from "node:path";
import type { FeatureSpec } from "../models/_features.ts";
import { LABELS } from "../models/types.ts";
import { buildLinearOnnx } from "./_onnx_export.ts";
import type { LinearParams } from "./_sgd.ts";

/** Writes model.onnx (the linear layer + softmax), features.json and labels.json into `dir`. */
export async function exportModelFiles(
  dir: string,
  params: LinearParams,
  spec: FeatureSpec,
  numFeatures: number,
): Promise<void> {
  const onnxBytes = buildLinearOnnx({
    weight: Float32Array.from(params.weight),
    bias: Float32Array.from(params.bias),
    numFeatures,
    numClasses: 3,
    docString: "sentilab sparse linear sentiment classifier; features: features.json; labels: labels.json",
    metadata: { labels: LABELS.join(","), feature_spec: "features.json" },
  });
  await Deno.writeFile(join(dir, "model.onnx"), onnxBytes);
  await Deno.writeTextFile(join(dir, "features.json"), JSON.stringify(spec) + "\n");
  await Deno.writeTextFile(join(dir, "labels.json"), JSON.stringify(LABELS) + "\n");
}

/** Moves the finished folder `tmp` to `out`, replacing an earlier model folder there. */
export async function atomicReplaceDir(tmp: string, out: string): Promise<void> {
  let old: string | null = null;
  try {
    await Deno.stat(out);
    old = `${out}.old-${Deno.pid}-${Date.now()}`;
    await Deno.rename(out, old);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  await Deno.rename(tmp, out);
  if (old) await Deno.remove(old, { recursive: true });
}
