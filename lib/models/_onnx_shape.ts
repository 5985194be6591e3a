/**
 * The shape of a sentilab sparse linear ONNX model, read from the model's own graph: how many feature rows
 * its weight has (what `indices` may address) and how many classes it outputs. The loader compares them
 * with features.json and labels.json, so files from different trainings are refused instead of giving
 * wrong scores or an onnxruntime "out of bounds" error mid-run. The graph layout is the one
 * lib/training/_onnx_export.ts writes: `Gather(weight [F, C], indices)`, output `probabilities` [N, C].
 * @module
 */
import onnxProto from "npm:onnx-proto@8.0.1";

const { onnx } = onnxProto;

/** Rows of the gathered weight (F) and output classes (C); null where the graph does not say. */
export interface LinearShape {
  features: number | null;
  classes: number | null;
}

/** Reads F and C from ONNX bytes; null when the bytes are not a model this reader understands. */
export function linearShape(bytes: Uint8Array): LinearShape | null {
  let model;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch {
    return null;
  }
  const graph = model.graph;
  if (!graph) return null;
  const gather = (graph.node ?? []).find((n) => n.opType === "Gather" && n.input?.[1] === "indices");
  const weight = gather ? (graph.initializer ?? []).find((t) => t.name === gather.input![0]) : undefined;
  const features = weight?.dims?.length === 2 ? Number(weight.dims[0]) : null;
  const output = (graph.output ?? []).find((o) => o.name === "probabilities") ?? graph.output?.[0];
  const dims = output?.type?.tensorType?.shape?.dim ?? [];
  const last = dims.length === 2 ? dims[1] : undefined;
  const classes = last?.dimValue !== undefined && last.dimValue !== null && Number(last.dimValue) > 0
    ? Number(last.dimValue)
    : null;
  return { features, classes };
}
