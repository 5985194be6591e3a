// Tiny transformer-shaped models for tests: a BERT-shaped ONNX graph built here with onnx-proto and the
// hand-written tokenizer fixtures in tests/fixtures/hf (small WordPiece, byte-level BPE and Unigram vocabularies,
// written for these tests by a script; the format is the Rust tokenizers' tokenizer.json).
import onnxProto from "npm:onnx-proto@8.0.1";
import { bytesOf, valueInfo } from "../lib/training/_onnx_export.ts";

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;
const FIXTURES = new URL("./fixtures/hf/", import.meta.url).pathname;

/** What {@linkcode buildTinyBertOnnx} builds. */
export interface TinyBertOptions {
  /** Token embeddings, one row of `classes` values per vocabulary id. */
  embeddings: number[][];
  /** Number of classes C (= hidden size here). */
  classes: number;
  /** Declare and use `token_type_ids` (BERT) or not (RoBERTa). */
  tokenTypes: boolean;
  /** Scale of the classifier (logits = scale * mean of the embeddings). */
  scale?: number;
}

/**
 * A BERT-shaped classifier graph (IR 8, opset 13): inputs `input_ids`, `attention_mask` (and
 * `token_type_ids`) int64 [batch, sequence]; token (+ token type) embeddings, masked mean pooling,
 * a linear classifier; output `logits` float32 [batch, C]. Padding positions do not count (the mask
 * weights the mean), so a model fed a wrong mask gives other scores.
 */
export function buildTinyBertOnnx(options: TinyBertOptions): Uint8Array {
  const C = options.classes;
  const V = options.embeddings.length;
  const emb = Float32Array.from(options.embeddings.flat());
  const scale = options.scale ?? 6;
  const W = new Float32Array(C * C);
  for (let i = 0; i < C; i++) W[i * C + i] = scale;
  const node = (opType: string, input: string[], output: string, attribute: object[] = []) =>
    onnx.NodeProto.create({ name: output, opType, input, output: [output], attribute });
  const nodes = [node("Gather", ["embeddings", "input_ids"], "tok", [{ name: "axis", type: 2, i: 0 }])];
  let hidden = "tok";
  if (options.tokenTypes) {
    nodes.push(
      node("Gather", ["type_embeddings", "token_type_ids"], "typ", [{ name: "axis", type: 2, i: 0 }]),
    );
    nodes.push(node("Add", ["tok", "typ"], "hidden"));
    hidden = "hidden";
  }
  nodes.push(
    node("Cast", ["attention_mask"], "maskf", [{ name: "to", type: 2, i: FLOAT }]),
    node("Unsqueeze", ["maskf", "axis2"], "mask3"),
    node("Mul", [hidden, "mask3"], "masked"),
    node("ReduceSum", ["masked", "axis1"], "summed", [{ name: "keepdims", type: 2, i: 0 }]),
    node("ReduceSum", ["maskf", "axis1"], "count", [{ name: "keepdims", type: 2, i: 1 }]),
    node("Div", ["summed", "count"], "pooled"),
    node("MatMul", ["pooled", "classifier"], "projected"),
    node("Add", ["projected", "bias"], "logits"),
  );
  const init = (name: string, type: number, dims: number[], data: Float32Array | BigInt64Array) =>
    onnx.TensorProto.create({ name, dataType: type, dims, rawData: bytesOf(data) });
  const initializer = [
    init("embeddings", FLOAT, [V, C], emb),
    init("classifier", FLOAT, [C, C], W),
    init("bias", FLOAT, [C], new Float32Array(C)),
    init("axis1", INT64, [1], BigInt64Array.of(1n)),
    init("axis2", INT64, [1], BigInt64Array.of(2n)),
  ];
  if (options.tokenTypes) initializer.push(init("type_embeddings", FLOAT, [2, C], new Float32Array(2 * C)));
  const inputs = [valueInfo("input_ids", INT64, ["batch", "sequence"])];
  inputs.push(valueInfo("attention_mask", INT64, ["batch", "sequence"]));
  if (options.tokenTypes) inputs.push(valueInfo("token_type_ids", INT64, ["batch", "sequence"]));
  const graph = onnx.GraphProto.create({
    name: "tiny_bert",
    node: nodes,
    initializer,
    input: inputs,
    output: [valueInfo("logits", FLOAT, ["batch", C])],
  });
  return onnx.ModelProto.encode(onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: "", version: 13 }],
    producerName: "sentilab-tests",
    graph,
  })).finish();
}

/** The parsed fixture `name` (`wordpiece`, `bpe` or `unigram`): tokenizer.json and tokenizer_config.json. */
export function tokenizerFixture(name: "wordpiece" | "bpe" | "unigram"): {
  tokenizer: Record<string, unknown>;
  config: Record<string, unknown>;
} {
  return {
    tokenizer: JSON.parse(Deno.readTextFileSync(`${FIXTURES}${name}_tokenizer.json`)),
    config: JSON.parse(Deno.readTextFileSync(`${FIXTURES}${name}_tokenizer_config.json`)),
  };
}

const POSITIVE = ["good", "great", "love", "fine", "Ġgood", "Ġgreat", "Ġlove", "Ġfine"];
const NEGATIVE = ["bad", "awful", "boring", "terrible", "Ġbad", "Ġawful", "Ġboring", "Ġterrible"];

/**
 * Writes an Optimum-style folder: the tiny graph (`model.onnx`, or `onnx/model_quantized.onnx` with
 * `layout: "onnx"`), the tokenizer fixture, config.json with `id2label` and a README.md model card.
 * Sentiment words of the vocabulary push their class; other words lean neutral (3 classes).
 */
export async function writeTinyHfModel(dir: string, options: {
  tokenizer: "wordpiece" | "bpe";
  id2label: Record<string, string>;
  layout?: "root" | "onnx";
}): Promise<void> {
  const { tokenizer, config } = tokenizerFixture(options.tokenizer);
  const vocab = (tokenizer.model as { vocab: Record<string, number> }).vocab;
  const special = new Set((tokenizer.added_tokens as { id: number }[]).map((t) => t.id));
  const C = Object.keys(options.id2label).length;
  const embeddings: number[][] = [];
  for (const [token, id] of Object.entries(vocab)) {
    const row = new Array(C).fill(0);
    if (!special.has(id)) {
      if (POSITIVE.includes(token)) row[C - 1] = 3;
      else if (NEGATIVE.includes(token)) row[0] = 3;
      else if (C === 3) row[1] = 0.3;
    }
    embeddings[id] = row;
  }
  const onnxBytes = buildTinyBertOnnx({
    embeddings,
    classes: C,
    tokenTypes: options.tokenizer === "wordpiece",
  });
  await Deno.mkdir(options.layout === "onnx" ? `${dir}/onnx` : dir, { recursive: true });
  await Deno.writeFile(
    options.layout === "onnx" ? `${dir}/onnx/model_quantized.onnx` : `${dir}/model.onnx`,
    onnxBytes,
  );
  await Deno.writeTextFile(`${dir}/tokenizer.json`, JSON.stringify(tokenizer));
  await Deno.writeTextFile(`${dir}/tokenizer_config.json`, JSON.stringify(config));
  await Deno.writeTextFile(
    `${dir}/config.json`,
    JSON.stringify({
      _name_or_path: `tiny-${options.tokenizer}`,
      architectures: [
        options.tokenizer === "wordpiece"
          ? "BertForSequenceClassification"
          : "RobertaForSequenceClassification",
      ],
      model_type: options.tokenizer === "wordpiece" ? "bert" : "roberta",
      id2label: options.id2label,
      label2id: Object.fromEntries(Object.entries(options.id2label).map(([k, v]) => [v, Number(k)])),
      max_position_embeddings: 512,
      pad_token_id: options.tokenizer === "wordpiece" ? 0 : 1,
    }),
  );
  await Deno.writeTextFile(`${dir}/README.md`, `# tiny-${options.tokenizer}\n\nA test model card.\n`);
}
