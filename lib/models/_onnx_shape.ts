/**
 * The shape of a sentilab sparse linear ONNX model, read from the model's own graph: how many feature rows
 * its weight has (what `indices` may address) and how many classes it outputs. The loader compares them
 * with features.json and labels.json, so files from different trainings are refused instead of giving
 * wrong scores or an onnxruntime "out of bounds" error mid-run. The graph layout is the one
 * lib/training/_onnx_export.ts writes: `Gather(weight [F, C], indices)`, output `probabilities` [N, C].
 *
 * A small protobuf reader instead of onnx-proto, which is training-only (serving does not load it). Field
 * numbers are those of onnx/onnx.proto: ModelProto.graph = 7; GraphProto.node = 1, initializer = 5,
 * output = 12; NodeProto.input = 1, op_type = 4; TensorProto.dims = 1, name = 8; ValueInfoProto.name = 1,
 * type = 2; TypeProto.tensor_type = 1; TypeProto.Tensor.shape = 2; TensorShapeProto.dim = 1;
 * Dimension.dim_value = 1.
 * @module
 */

/** Rows of the gathered weight (F) and output classes (C); null where the graph does not say. */
export interface LinearShape {
  features: number | null;
  classes: number | null;
}

type Field = { no: number; wire: number; num: number; bytes: Uint8Array | null };

/** The top-level fields of one protobuf message. @throws {RangeError} on malformed bytes. */
function fields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let pos = 0;
  const varint = (): number => {
    let result = 0, scale = 1;
    for (;;) {
      if (pos >= buf.length) throw new RangeError("truncated varint");
      const b = buf[pos++];
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 128;
      if (scale > 2 ** 70) throw new RangeError("varint too long");
    }
  };
  while (pos < buf.length) {
    const key = varint();
    const no = Math.floor(key / 8), wire = key % 8;
    if (wire === 0) out.push({ no, wire, num: varint(), bytes: null });
    else if (wire === 2) {
      const len = varint();
      if (pos + len > buf.length) throw new RangeError("truncated field");
      out.push({ no, wire, num: 0, bytes: buf.subarray(pos, pos + len) });
      pos += len;
    } else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else throw new RangeError(`unsupported wire type ${wire}`);
  }
  return out;
}

const text = (b: Uint8Array | null) => new TextDecoder().decode(b ?? new Uint8Array());
const sub = (fs: Field[], no: number) => fs.filter((f) => f.no === no && f.bytes).map((f) => f.bytes!);

/** Repeated int64 field `no`, packed or not. */
function ints(fs: Field[], no: number): number[] {
  const out: number[] = [];
  for (const f of fs) {
    if (f.no !== no) continue;
    if (f.wire === 0) out.push(f.num);
    else if (f.bytes) {
      let pos = 0;
      while (pos < f.bytes.length) {
        let result = 0, scale = 1;
        for (;;) {
          const b = f.bytes[pos++];
          result += (b & 0x7f) * scale;
          scale *= 128;
          if (b < 0x80 || pos >= f.bytes.length) break;
        }
        out.push(result);
      }
    }
  }
  return out;
}

/** Reads F and C from ONNX bytes; null when the bytes are not a model this reader understands. */
export function linearShape(bytes: Uint8Array): LinearShape | null {
  try {
    const graphBytes = sub(fields(bytes), 7)[0];
    if (!graphBytes) return null;
    const graph = fields(graphBytes);
    let weightName: string | null = null;
    for (const node of sub(graph, 1).map(fields)) {
      const inputs = sub(node, 1).map(text);
      if (text(sub(node, 4)[0] ?? null) === "Gather" && inputs[1] === "indices") weightName = inputs[0];
    }
    let features: number | null = null;
    for (const t of sub(graph, 5).map(fields)) {
      if (text(sub(t, 8)[0] ?? null) !== weightName) continue;
      const dims = ints(t, 1);
      if (dims.length === 2) features = dims[0];
    }
    const outputs = sub(graph, 12).map(fields);
    const output = outputs.find((o) => text(sub(o, 1)[0] ?? null) === "probabilities") ?? outputs[0];
    let classes: number | null = null;
    if (output) {
      const tensorType = sub(fields(sub(output, 2)[0] ?? new Uint8Array()), 1)[0];
      const shape = tensorType ? sub(fields(tensorType), 2)[0] : undefined;
      const dims = shape ? sub(fields(shape), 1).map(fields) : [];
      const value = dims.length === 2 ? dims[1].find((f) => f.no === 1 && f.wire === 0) : undefined;
      if (value && value.num > 0) classes = value.num;
    }
    return { features, classes };
  } catch {
    return null;
  }
}
