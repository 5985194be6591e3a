/**
 * Loads a model folder written by `deno task train` (model.onnx + features.json + labels.json + card.json)
 * and runs it on onnxruntime-node.
 * @module
 */
import * as ort from "npm:onnxruntime-node@1.30.0";
import { join } from "node:path";
import {
  createFeaturizer,
  type FeatureSpec,
  type Featurizer,
  numFeaturesOf,
  validateFeatureSpec,
} from "./_features.ts";
import { type Label, LABELS, type Model } from "./types.ts";

/** Options of {@linkcode loadOnnxModel}. */
export interface LoadOnnxModelOptions {
  /** Name reported by the model (default: the card's name, else the folder's base name). */
  name?: string;
  /** Description (default: the card's description). */
  description?: string;
  /** Split `scoreBatch` calls into ONNX runs of at most this many texts (default 512). */
  maxRunBatch?: number;
}

/** What to do about a damaged model folder, appended to the errors that name one of its files. */
function remedy(dir: string): string {
  return `; restore the folder from git (git checkout -- ${dir}) or retrain it (deno task train --out ${dir})`;
}

async function readJson(path: string, what: string, dir: string): Promise<unknown> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`Cannot load ONNX model: ${what} ${path} is missing${remedy(dir)}`);
    }
    throw new Error(`Cannot load ONNX model: cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(
      `Cannot load ONNX model: ${path} is not valid JSON (${(e as Error).message})${remedy(dir)}`,
    );
  }
}

function checkLabels(value: unknown, path: string, dir: string): Label[] {
  if (
    !Array.isArray(value) || value.length !== LABELS.length ||
    value.some((l) => !(LABELS as readonly string[]).includes(l)) || new Set(value).size !== value.length
  ) {
    throw new Error(
      `Cannot load ONNX model: ${path} must list the labels ${JSON.stringify(LABELS)} (any order), ` +
        `got ${JSON.stringify(value)}${remedy(dir)}`,
    );
  }
  return value as Label[];
}

/** Packs the sparse features of a batch into padded [N, K] tensors. */
function pack(featurizer: Featurizer, texts: readonly string[]) {
  const feats = texts.map((t) => featurizer.featurize(typeof t === "string" ? t : String(t ?? "")));
  let k = 1;
  for (const f of feats) if (f.indices.length > k) k = f.indices.length;
  const indices = new BigInt64Array(texts.length * k);
  // int64 little-endian: write the (non-negative, < 2^31) index into the low 32-bit word
  const words = new Int32Array(indices.buffer);
  const values = new Float32Array(texts.length * k);
  feats.forEach((f, row) => {
    const base = row * k;
    for (let j = 0; j < f.indices.length; j++) words[(base + j) * 2] = f.indices[j];
    values.set(f.values, base);
  });
  return {
    indices: new ort.Tensor("int64", indices, [texts.length, k]),
    values: new ort.Tensor("float32", values, [texts.length, k]),
  };
}

/**
 * Loads a trained sentilab classifier folder as a {@linkcode Model}.
 *
 * The folder holds `model.onnx` (inputs `indices` int64 [N, K], `values` float32 [N, K]; output
 * `probabilities` [N, 3]), `features.json` (the feature spec, see lib/models/_features.ts),
 * `labels.json` (label order of the output) and optionally `card.json` (the model card).
 * Scores come back in the order of `labels`.
 * @param dir The model folder.
 * @param options Name, description, run batch size.
 * @returns The model; call `close()` when done.
 * @throws {Error} naming the file when a file is missing, not valid JSON, or the ONNX file is corrupt, and
 *   saying what to do (restore the folder from git or retrain it with `deno task train`).
 * @example
 * ```ts
 * import { loadOnnxModel } from "./onnx_model.ts";
 * const model = await loadOnnxModel("models/default");
 * const [scores] = await model.scoreBatch(["I love this!"]);
 * console.log(model.labels, scores);
 * await model.close();
 * ```
 */
export async function loadOnnxModel(dir: string, options: LoadOnnxModelOptions = {}): Promise<Model> {
  try {
    const st = await Deno.stat(dir);
    if (!st.isDirectory) {
      throw new Error(
        `Cannot load ONNX model: ${dir} is a file, not a folder; pass the model folder (model.onnx, ` +
          "features.json, labels.json, card.json as written by deno task train)",
      );
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`Cannot load ONNX model: folder ${dir} does not exist`);
    }
    throw e;
  }
  const specPath = join(dir, "features.json");
  const rawSpec = await readJson(specPath, "feature spec", dir);
  let spec: FeatureSpec;
  try {
    spec = validateFeatureSpec(rawSpec, specPath);
  } catch (e) {
    throw new Error(`Cannot load ONNX model: ${(e as Error).message}${remedy(dir)}`);
  }
  const labelsPath = join(dir, "labels.json");
  const labels = checkLabels(await readJson(labelsPath, "label list", dir), labelsPath, dir);
  const cardPath = join(dir, "card.json");
  let card: Record<string, unknown> | null = null;
  try {
    await Deno.stat(cardPath);
    card = (await readJson(cardPath, "model card", dir)) as Record<string, unknown>;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  const onnxPath = join(dir, "model.onnx");
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(onnxPath);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`Cannot load ONNX model: ${onnxPath} is missing${remedy(dir)}`);
    }
    throw e;
  }
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  } catch (e) {
    throw new Error(
      `Cannot load ONNX model: ${onnxPath} is not a valid ONNX file (${
        (e as Error).message.split("\n")[0]
      })` +
        remedy(dir),
    );
  }
  for (const name of ["indices", "values"]) {
    if (!session.inputNames.includes(name)) {
      await session.release();
      throw new Error(
        `Cannot load ONNX model: ${onnxPath} has inputs ${JSON.stringify(session.inputNames)}, ` +
          `expected "indices" and "values" (a sentilab sparse linear model)`,
      );
    }
  }
  const featurizer = createFeaturizer(spec);
  const numFeatures = numFeaturesOf(spec);
  const cardName = typeof card?.name === "string" ? card.name : null;
  const cardDescription = typeof card?.description === "string" ? card.description : null;
  const maxRunBatch = Math.max(1, options.maxRunBatch ?? 512);
  const outputName = session.outputNames.includes("probabilities") ? "probabilities" : session.outputNames[0];
  let closed = false;

  return {
    name: options.name ?? cardName ?? dir.replace(/\/+$/, "").split("/").pop() ?? dir,
    type: "onnx",
    labels,
    description: options.description ?? cardDescription ??
      `sentilab ONNX classifier (${numFeatures} features)`,
    dir,
    card,
    async scoreBatch(texts: readonly string[]): Promise<Float32Array[]> {
      if (closed) throw new Error(`Model ${dir} is closed`);
      const out: Float32Array[] = [];
      for (let start = 0; start < texts.length; start += maxRunBatch) {
        const chunk = texts.slice(start, start + maxRunBatch);
        const feeds = pack(featurizer, chunk);
        const result = await session.run(feeds);
        const probs = result[outputName].data as Float32Array;
        const c = labels.length;
        for (let i = 0; i < chunk.length; i++) out.push(probs.slice(i * c, (i + 1) * c));
      }
      return out;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await session.release();
    },
  };
}
