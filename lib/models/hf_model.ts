/**
 * Hugging Face transformer classifiers exported to ONNX (Optimum's layout): `model.onnx` (or
 * `onnx/model.onnx`, `onnx/model_quantized.onnx`), `tokenizer.json`, `config.json` with `id2label`.
 * @module
 */
import * as ort from "npm:onnxruntime-node@1.30.0";
import { join } from "node:path";
import type { Label, Model } from "./types.ts";
import { type HfLabelMapping, mapHfLabels } from "./_hf_labels.ts";
import { createHfTokenizer, type HfEncoding, maxLengthOf } from "./_hf_tokenize.ts";
import { planBatches } from "./_hf_batches.ts";

/** Options for {@linkcode loadHfModel}. */
export interface LoadHfModelOptions {
  /** Model name (default: config.json's `_name_or_path`, else the folder name). */
  name?: string;
  /** Description (default: from the architecture and labels). */
  description?: string;
  /** Class name → sentilab label, for labels the built-in rule cannot map (models.yaml `labelMap`). */
  labelMap?: Record<string, string>;
  /** Texts per ONNX call (each sub-batch padded to its longest text; default 32). */
  batchSize?: number;
  /** Extra facts recorded in the card (e.g. the Hub repository and revision). */
  source?: Record<string, unknown>;
}

/** The ONNX files an Optimum export may hold, in the order they are preferred. */
const MODEL_FILES = ["model.onnx", "onnx/model.onnx", "onnx/model_quantized.onnx"];
const KNOWN_INPUTS = new Set(["input_ids", "attention_mask", "token_type_ids"]);

/**
 * The ONNX file of a transformer folder: `model.onnx`, `onnx/model.onnx`, `onnx/model_quantized.onnx`, else
 * the first `onnx/model*.onnx`; null when there is none.
 */
export async function hfModelFile(dir: string): Promise<string | null> {
  for (const f of MODEL_FILES) {
    if (await isFile(join(dir, f))) return f;
  }
  try {
    const names = [...Deno.readDirSync(join(dir, "onnx"))].map((e) => e.name)
      .filter((n) => /^model.*\.onnx$/.test(n)).sort();
    return names.length ? `onnx/${names[0]}` : null;
  } catch {
    return null;
  }
}

/**
 * Whether `dir` holds a transformer export: an ONNX file ({@linkcode hfModelFile}), `tokenizer.json` and a
 * `config.json` with `id2label`.
 */
export async function isHfFolder(dir: string): Promise<boolean> {
  if (!(await isFile(join(dir, "tokenizer.json")))) return false;
  try {
    const config = JSON.parse(await Deno.readTextFile(join(dir, "config.json")));
    if (typeof config?.id2label !== "object") return false;
  } catch {
    return false;
  }
  return (await hfModelFile(dir)) !== null;
}

async function readJson(dir: string, name: string, optional: boolean): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await Deno.readTextFile(join(dir, name));
  } catch (e) {
    if (optional && e instanceof Deno.errors.NotFound) return {};
    throw new Error(`Cannot load transformer model: cannot read ${join(dir, name)}: ${(e as Error).message}`);
  }
  try {
    const v = JSON.parse(text);
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("not a JSON object");
    return v;
  } catch (e) {
    throw new Error(
      `Cannot load transformer model: ${join(dir, name)} is not a JSON object (${(e as Error).message}); ` +
        "download the folder again",
    );
  }
}

function softmaxInto(logits: Float32Array, offset: number, n: number, target: number[], out: Float32Array) {
  let max = -Infinity;
  for (let j = 0; j < n; j++) max = Math.max(max, logits[offset + j]);
  let sum = 0;
  const e = new Float64Array(n);
  for (let j = 0; j < n; j++) sum += e[j] = Math.exp(logits[offset + j] - max);
  out.fill(0);
  for (let j = 0; j < n; j++) out[target[j]] += e[j] / sum;
}

/**
 * Loads a transformer sentiment classifier exported to ONNX (Hugging Face Optimum layout). Texts are
 * tokenized with the folder's tokenizer.json (WordPiece, BPE or Unigram, via npm:@huggingface/tokenizers),
 * truncated to the model's max length, and run in sub-batches sorted by length, each padded to its own
 * longest text (dynamic padding). The graph gets exactly the inputs it declares (`input_ids`,
 * `attention_mask`, `token_type_ids` when present); its logits go through a softmax and the classes are
 * mapped to negative/neutral/positive from config.json's `id2label` (names in any case, `LABEL_0..2`, star
 * ratings grouped, or `labelMap`). A binary model's labels are `[negative, positive]`.
 *
 * @param dir The model folder.
 * @param options Name, label mapping, batch size.
 * @returns The model; call `close()` when done.
 * @throws {Error} naming the file when a file is missing or invalid, the graph wants an input no tokenizer
 *   gives, its output does not have one logit per label, or labels cannot be mapped (listing them).
 *
 * @example
 * ```ts ignore
 * import { loadHfModel } from "./hf_model.ts";
 * const model = await loadHfModel("models/distilbert-sst2");
 * const [scores] = await model.scoreBatch(["I love this!"]);
 * console.log(model.labels, scores); // ["negative", "positive"], [0.0002, 0.9998]
 * await model.close();
 * ```
 */
export async function loadHfModel(dir: string, options: LoadHfModelOptions = {}): Promise<Model> {
  const modelFile = await hfModelFile(dir);
  if (modelFile === null) {
    throw new Error(
      `Cannot load transformer model: ${dir} has no model.onnx (nor onnx/model*.onnx); export it with ` +
        "optimum-cli export onnx --model NAME --task text-classification <folder>",
    );
  }
  const config = await readJson(dir, "config.json", false);
  const tokenizerJson = await readJson(dir, "tokenizer.json", false);
  const tokenizerConfig = await readJson(dir, "tokenizer_config.json", true);
  const mapping: HfLabelMapping = mapHfLabels(config.id2label, join(dir, "config.json"), options.labelMap);
  const maxLength = maxLengthOf(tokenizerJson, tokenizerConfig, config);
  const tokenizer = createHfTokenizer(tokenizerJson, tokenizerConfig, maxLength, join(dir, "tokenizer.json"));
  const onnxPath = join(dir, modelFile);
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(await Deno.readFile(onnxPath), { logSeverityLevel: 3 });
  } catch (e) {
    throw new Error(
      `Cannot load transformer model: ${onnxPath} is not a valid ONNX file (${
        (e as Error).message.split("\n")[0]
      }); download or export it again`,
    );
  }
  const unknown = session.inputNames.filter((n) => !KNOWN_INPUTS.has(n));
  if (unknown.length || !session.inputNames.includes("input_ids")) {
    await session.release();
    throw new Error(
      `Cannot load transformer model: ${onnxPath} has inputs ${JSON.stringify(session.inputNames)}; ` +
        "a text classifier takes input_ids (and attention_mask, token_type_ids)",
    );
  }
  const outputName = session.outputNames.includes("logits") ? "logits" : session.outputNames[0];
  const numClasses = mapping.target.length;
  const batchSize = Math.max(1, options.batchSize ?? 32);
  const name = options.name ??
    (typeof config._name_or_path === "string" && config._name_or_path ? config._name_or_path : null) ??
    dir.replace(/\/+$/, "").split("/").pop() ?? dir;
  const arch = Array.isArray(config.architectures) ? String(config.architectures[0]) : "transformer";
  const card: Record<string, unknown> = {
    type: "hf-onnx",
    name,
    model_file: modelFile,
    architecture: arch,
    model_type: config.model_type ?? null,
    tokenizer: (tokenizerJson.model as { type?: string } | undefined)?.type ?? null,
    max_length: maxLength,
    inputs: [...session.inputNames],
    id2label: config.id2label,
    label_mapping: mapping.table,
    ...options.source,
  };
  let closed = false;

  async function run(encs: HfEncoding[], rows: number[], out: Float32Array[]): Promise<void> {
    const width = Math.max(...rows.map((i) => encs[i].ids.length));
    const n = rows.length;
    const ids = new BigInt64Array(n * width).fill(BigInt(tokenizer.padId));
    const mask = new BigInt64Array(n * width);
    const types = new BigInt64Array(n * width);
    rows.forEach((r, k) => {
      const e = encs[r];
      for (let j = 0; j < e.ids.length; j++) {
        ids[k * width + j] = BigInt(e.ids[j]);
        mask[k * width + j] = 1n;
        types[k * width + j] = BigInt(e.typeIds[j] ?? 0);
      }
    });
    const feeds: Record<string, ort.Tensor> = {};
    for (const input of session.inputNames) {
      const data = input === "input_ids" ? ids : input === "attention_mask" ? mask : types;
      feeds[input] = new ort.Tensor("int64", data, [n, width]);
    }
    const result = await session.run(feeds);
    const logits = result[outputName];
    const values = logits.data as Float32Array;
    if (logits.dims.length !== 2 || logits.dims[0] !== n || logits.dims[1] !== numClasses) {
      throw new Error(
        `Transformer model ${dir}: output ${outputName} has shape [${logits.dims.join(", ")}], expected ` +
          `[${n}, ${numClasses}] (one logit per id2label entry of config.json)`,
      );
    }
    rows.forEach((r, k) => {
      const row = new Float32Array(mapping.labels.length);
      softmaxInto(values, k * numClasses, numClasses, mapping.target, row);
      out[r] = row;
    });
    for (const t of Object.values(result)) t.dispose?.();
  }

  return {
    name,
    type: "hf-onnx",
    labels: mapping.labels as readonly Label[],
    description: options.description ??
      `Transformer ${arch} (ONNX, ${card.tokenizer ?? "tokenizer.json"}; labels ${
        Object.entries(mapping.table).map(([k, v]) => `${k}→${v}`).join(", ")
      })`,
    dir,
    card,
    async scoreBatch(texts: readonly string[]): Promise<Float32Array[]> {
      if (closed) throw new Error(`Model ${dir} is closed`);
      const encs = texts.map((t) => tokenizer.encode(typeof t === "string" ? t : String(t)));
      const out = new Array<Float32Array>(texts.length);
      for (const rows of planBatches(encs.map((e) => e.ids.length), batchSize)) await run(encs, rows, out);
      return out;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await session.release();
    },
  };
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}
