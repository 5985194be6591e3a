/**
 * Loads a model folder written by `deno task train` (model.onnx + features.json + labels.json + card.json)
 * and runs it on onnxruntime-node.
 * @module
 */
import * as ort from "npm:onnxruntime-node@1.30.0";
import { join } from "node:path";
import {
  createFeaturizer,
  type FeatureBatch,
  type FeatureSpec,
  type Featurizer,
  numFeaturesOf,
  validateFeatureSpec,
} from "./_features.ts";
import { type Label, LABELS, type Model } from "./types.ts";
import { fetchModelFiles, isRemote, MODEL_FILES } from "./_registry.ts";
import { linearShape } from "./_onnx_shape.ts";

/** Options of {@linkcode loadOnnxModel}. */
export interface LoadOnnxModelOptions {
  /** Name reported by the model (default: the card's name, else the folder's base name). */
  name?: string;
  /** Description (default: the card's description). */
  description?: string;
  /** Split `scoreBatch` calls into ONNX runs of at most this many texts (default 512). */
  maxRunBatch?: number;
  /**
   * A remote folder (`http(s)://` URL): time allowed per file in milliseconds (default:
   * SENTILAB_DOWNLOAD_TIMEOUT_S seconds, else 60000).
   */
  timeoutMs?: number;
  /** A remote folder: largest file accepted in bytes (default: SENTILAB_DOWNLOAD_MAX_MB, else 500 MB). */
  maxBytes?: number;
  /**
   * The folder's files already in memory, by file name (`features.json`, `labels.json`, `model.onnx`,
   * optionally `card.json`): nothing is read from `dir`, which then only names the model in messages and
   * in `model.dir`. `loadModel` uses it to fetch a remote folder once, then both load and log it.
   */
  files?: ReadonlyMap<string, Uint8Array>;
  /**
   * Threads onnxruntime may use inside one run (`intraOpNumThreads`, default 1): one run of this sparse
   * linear model is too small to split, and onnxruntime's extra threads spin a core for nothing; use
   * worker threads (`predictBatch`'s `workers`) for parallelism.
   */
  threads?: number;
}

/** What to do about a damaged model folder, appended to the errors that name one of its files. */
function remedy(dir: string): string {
  if (isRemote(dir)) {
    return `; check that ${
      dir.replace(/\/+$/, "")
    }/ serves an intact model folder written by deno task train, ` +
      "or pass a local folder";
  }
  return `; restore the folder from git (git checkout -- ${dir}) or retrain it (deno task train --out ${dir})`;
}

/** Reads one file of the model folder: its bytes, or null when it does not exist. */
type ReadFile = (name: string) => Promise<Uint8Array | null>;

async function readJson(read: ReadFile, name: string, dir: string, optional = false): Promise<unknown> {
  const path = where(dir, name);
  const bytes = await read(name);
  if (bytes === null) {
    if (optional) return null;
    throw new Error(`Cannot load ONNX model: ${MODEL_FILES[name]} ${path} is missing${remedy(dir)}`);
  }
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new Error(
      `Cannot load ONNX model: ${path} is not valid JSON (${(e as Error).message})${remedy(dir)}`,
    );
  }
}

/** The path (local) or URL (remote) of a file of the folder, for messages. */
function where(dir: string, name: string): string {
  return isRemote(dir) ? `${dir.replace(/\/+$/, "")}/${name}` : join(dir, name);
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

/** Rows per ONNX run after sorting a batch by feature count: small groups pad little. */
const GROUP_ROWS = 32;

/**
 * Packs the features of some rows of a batch into padded [N, K] tensors (K: the most features of a row;
 * a padded slot is index 0 with value 0, which adds nothing to the sum).
 */
function pack(batch: FeatureBatch, rows: readonly number[]) {
  const { offsets, indices: from, values: vals } = batch;
  let k = 1;
  for (const r of rows) k = Math.max(k, offsets[r + 1] - offsets[r]);
  const indices = new BigInt64Array(rows.length * k);
  // int64 little-endian: write the (non-negative, < 2^31) index into the low 32-bit word
  const words = new Int32Array(indices.buffer);
  const values = new Float32Array(rows.length * k);
  for (let row = 0; row < rows.length; row++) {
    const a = offsets[rows[row]], b = offsets[rows[row] + 1];
    const base = row * k;
    for (let j = a; j < b; j++) words[(base + j - a) * 2] = from[j];
    values.set(vals.subarray(a, b), base);
  }
  return {
    indices: new ort.Tensor("int64", indices, [rows.length, k]),
    values: new ort.Tensor("float32", values, [rows.length, k]),
  };
}

/**
 * Featurizes a batch and runs it in groups of rows with similar feature counts (sorted by count), so a
 * long text pads only its group, not the whole batch; returns one score row per text, in order.
 */
async function scoreRows(
  session: ort.InferenceSession,
  outputName: string,
  featurizer: Featurizer,
  texts: readonly string[],
  width: number,
): Promise<Float32Array[]> {
  const batch = featurizer.featurizeBatch(texts.map((t) => typeof t === "string" ? t : String(t ?? "")));
  const { offsets } = batch;
  const order = Array.from(texts, (_, i) => i);
  order.sort((a, b) => (offsets[a + 1] - offsets[a]) - (offsets[b + 1] - offsets[b]));
  const out: Float32Array[] = new Array(texts.length);
  for (let g = 0; g < order.length; g += GROUP_ROWS) {
    const rows = order.slice(g, g + GROUP_ROWS);
    const result = await session.run(pack(batch, rows));
    const probs = result[outputName].data as Float32Array;
    for (let r = 0; r < rows.length; r++) out[rows[r]] = probs.subarray(r * width, (r + 1) * width);
  }
  return out;
}

/**
 * Loads a trained sentilab classifier folder as a {@linkcode Model}.
 *
 * The folder holds `model.onnx` (inputs `indices` int64 [N, K], `values` float32 [N, K]; output
 * `probabilities` [N, 3]), `features.json` (the feature spec, see lib/models/_features.ts),
 * `labels.json` (label order of the output) and optionally `card.json` (the model card).
 * Scores come back in the order of `labels`.
 *
 * `dir` may be an `http(s)://` URL of such a folder (e.g. next to a `mod.ts` imported from a URL): the
 * files are fetched (each within `timeoutMs`) and the ONNX session is created from the bytes; everything
 * else behaves as for a local folder, and `model.dir` is the URL.
 * @param dir The model folder: a local path or an `http(s)://` URL.
 * @param options Name, description, run batch size, timeout of remote files, files already in memory.
 * @returns The model; call `close()` when done.
 * @throws {Error} naming the file (path or URL) when a file is missing (with the HTTP status for a URL),
 *   not valid JSON, or the ONNX file is corrupt, and saying what to do (restore the folder from git or
 *   retrain it with `deno task train`; for a URL, check what it serves); naming the URL on a timeout.
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
  let read: ReadFile;
  if (options.files) {
    const files = options.files;
    read = (name) => Promise.resolve(files.get(name) ?? null);
  } else if (isRemote(dir)) {
    // A remote folder cannot be listed: fetch the files a trained folder has (card.json is optional).
    const files = await fetchModelFiles(dir, {
      required: ["features.json", "labels.json", "model.onnx"],
      optional: ["card.json"],
    }, { timeoutMs: options.timeoutMs, maxBytes: options.maxBytes });
    read = (name) => Promise.resolve(files.get(name) ?? null);
  } else {
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
    read = async (name) => {
      try {
        return await Deno.readFile(join(dir, name));
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) return null;
        throw new Error(`Cannot load ONNX model: cannot read ${join(dir, name)}: ${(e as Error).message}`);
      }
    };
  }
  // Every file read is kept, so a worker thread can build its own session from the same bytes.
  const kept = new Map<string, Uint8Array>(options.files ?? []);
  const readFrom = read;
  read = async (name) => {
    const bytes = await readFrom(name);
    if (bytes !== null) kept.set(name, bytes);
    return bytes;
  };
  const specPath = where(dir, "features.json");
  const rawSpec = await readJson(read, "features.json", dir);
  let spec: FeatureSpec;
  try {
    spec = validateFeatureSpec(rawSpec, specPath);
  } catch (e) {
    throw new Error(`Cannot load ONNX model: ${(e as Error).message}${remedy(dir)}`);
  }
  const labelsPath = where(dir, "labels.json");
  const labels = checkLabels(await readJson(read, "labels.json", dir), labelsPath, dir);
  const card = (await readJson(read, "card.json", dir, true)) as Record<string, unknown> | null;
  const onnxPath = where(dir, "model.onnx");
  const bytes = await read("model.onnx");
  if (bytes === null) throw new Error(`Cannot load ONNX model: ${onnxPath} is missing${remedy(dir)}`);
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, {
      logSeverityLevel: 3,
      intraOpNumThreads: options.threads ?? 1,
      interOpNumThreads: 1,
    });
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
  const numFeatures = numFeaturesOf(spec);
  const shape = linearShape(bytes);
  const mismatch = shape?.features != null && shape.features !== numFeatures
    ? `${specPath} describes ${numFeatures} features (hashBits ${spec.hashBits}) but ${onnxPath} has ` +
      `${shape.features}: features.json disagrees with model.onnx`
    : shape?.classes != null && shape.classes !== labels.length
    ? `${labelsPath} lists ${labels.length} labels but ${onnxPath} outputs ${shape.classes} classes: ` +
      `labels.json disagrees with model.onnx`
    : null;
  if (mismatch) {
    await session.release();
    throw new Error(
      `Cannot load ONNX model: ${mismatch} (they come from different trainings)${remedy(dir)}`,
    );
  }
  const featurizer = createFeaturizer(spec);
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
    files: kept,
    worker: {
      module: import.meta.url,
      exportName: "loadOnnxModel",
      args: [dir, {
        name: options.name,
        description: options.description,
        maxRunBatch,
        files: kept,
        threads: 1,
      }],
    },
    async scoreBatch(texts: readonly string[]): Promise<Float32Array[]> {
      if (closed) throw new Error(`Model ${dir} is closed`);
      const out: Float32Array[] = [];
      for (let start = 0; start < texts.length; start += maxRunBatch) {
        const chunk = texts.slice(start, start + maxRunBatch);
        for (const row of await scoreRows(session, outputName, featurizer, chunk, labels.length)) {
          out.push(row);
        }
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
