// Tiny, real sentilab model folders for tests (an ONNX linear layer whose bias decides every prediction).
import { buildLinearOnnx } from "../lib/training/_onnx_export.ts";
import { defaultFeatureSpec, numFeaturesOf } from "../lib/models/_features.ts";

/**
 * Writes a real, tiny sentilab ONNX model folder whose bias decides every text: by default `positive`
 * (bias [0, 1, 4]); pass another bias to get another answer.
 */
export async function writeTinyModel(dir: string, bias: [number, number, number] = [0, 1, 4]): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const spec = defaultFeatureSpec([], { hashBits: 4, charNgrams: null });
  const numFeatures = numFeaturesOf(spec);
  const bytes = buildLinearOnnx({
    weight: new Float32Array(numFeatures * 3),
    bias: Float32Array.from(bias),
    numFeatures,
    numClasses: 3,
  });
  await Deno.writeFile(`${dir}/model.onnx`, bytes);
  await Deno.writeTextFile(`${dir}/features.json`, JSON.stringify(spec));
  await Deno.writeTextFile(`${dir}/labels.json`, JSON.stringify(["negative", "neutral", "positive"]));
  await Deno.writeTextFile(`${dir}/card.json`, JSON.stringify({ name: "tiny", metrics: { accuracy: 0.5 } }));
}
