/**
 * Builds the ONNX graph of sentilab's sparse linear classifier with onnx-proto (IR 8, opset 13).
 *
 * Inputs: `indices` int64 [N, K] and `values` float32 [N, K] (rows padded with index 0 and value 0;
 * N and K are dynamic). Graph: `Gather(weight [F, C], indices)` → [N, K, C], times `values` unsqueezed to
 * [N, K, 1], `ReduceSum` over K, plus `bias` [C], `Softmax` → output `probabilities` [N, C].
 * @module
 */
import onnxProto from "npm:onnx-proto@8.0.1";

const { onnx } = onnxProto;

/** What the exported graph computes: `softmax(sum_k values[n,k] * weight[indices[n,k]] + bias)`. */
export interface LinearOnnxOptions {
  /** Row-major weights, `numFeatures * numClasses` float32. */
  weight: Float32Array;
  /** Biases, `numClasses` float32. */
  bias: Float32Array;
  /** Number of features F. */
  numFeatures: number;
  /** Number of classes C. */
  numClasses: number;
  /** Free text stored as the model's doc string (no timestamps, so exports are reproducible). */
  docString?: string;
  /** Key/value metadata stored in the model. */
  metadata?: Record<string, string>;
}

function tensor(name: string, dataType: number, dims: number[], raw: Uint8Array) {
  return onnx.TensorProto.create({ name, dataType, dims, rawData: raw });
}

/** The little-endian bytes of a typed array, as TensorProto raw_data holds them. */
export function bytesOf(a: Float32Array | BigInt64Array): Uint8Array {
  // TensorProto raw_data is little-endian; so is every platform onnxruntime-node ships for.
  return new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}

/** A graph input or output: name, element type and shape (a string is a named dynamic dimension). */
export function valueInfo(name: string, elemType: number, dims: (string | number)[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType,
        shape: {
          dim: dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })),
        },
      },
    },
  });
}

/**
 * Serialises the sparse linear classifier as an ONNX model.
 * @param options Weights, sizes and metadata.
 * @returns The bytes of `model.onnx`.
 * @throws {Error} when the array sizes do not match `numFeatures` and `numClasses`.
 */
export function buildLinearOnnx(options: LinearOnnxOptions): Uint8Array {
  const { weight, bias, numFeatures: F, numClasses: C } = options;
  if (weight.length !== F * C) {
    throw new Error(`ONNX export: weight has ${weight.length} values, expected ${F} x ${C} = ${F * C}`);
  }
  if (bias.length !== C) throw new Error(`ONNX export: bias has ${bias.length} values, expected ${C}`);
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const INT64 = onnx.TensorProto.DataType.INT64;
  const nodes = [
    onnx.NodeProto.create({
      name: "gather",
      opType: "Gather",
      input: ["weight", "indices"],
      output: ["gathered"],
      attribute: [{ name: "axis", type: onnx.AttributeProto.AttributeType.INT, i: 0 }],
    }),
    onnx.NodeProto.create({
      name: "unsqueeze",
      opType: "Unsqueeze",
      input: ["values", "axis_last"],
      output: ["values3"],
    }),
    onnx.NodeProto.create({
      name: "mul",
      opType: "Mul",
      input: ["gathered", "values3"],
      output: ["weighted"],
    }),
    onnx.NodeProto.create({
      name: "reduce",
      opType: "ReduceSum",
      input: ["weighted", "axis_k"],
      output: ["summed"],
      attribute: [{ name: "keepdims", type: onnx.AttributeProto.AttributeType.INT, i: 0 }],
    }),
    onnx.NodeProto.create({ name: "add_bias", opType: "Add", input: ["summed", "bias"], output: ["logits"] }),
    onnx.NodeProto.create({
      name: "softmax",
      opType: "Softmax",
      input: ["logits"],
      output: ["probabilities"],
      attribute: [{ name: "axis", type: onnx.AttributeProto.AttributeType.INT, i: -1 }],
    }),
  ];
  const graph = onnx.GraphProto.create({
    name: "sentilab_sparse_linear",
    node: nodes,
    initializer: [
      tensor("weight", FLOAT, [F, C], bytesOf(weight)),
      tensor("bias", FLOAT, [C], bytesOf(bias)),
      tensor("axis_last", INT64, [1], bytesOf(BigInt64Array.of(2n))),
      tensor("axis_k", INT64, [1], bytesOf(BigInt64Array.of(1n))),
    ],
    input: [valueInfo("indices", INT64, ["N", "K"]), valueInfo("values", FLOAT, ["N", "K"])],
    output: [valueInfo("probabilities", FLOAT, ["N", C])],
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: "", version: 13 }],
    producerName: "sentilab",
    producerVersion: "0.1.0",
    docString: options.docString ?? "",
    graph,
    metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
  });
  return onnx.ModelProto.encode(model).finish();
}
