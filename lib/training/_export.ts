/**
 * Writes a trained classifier's serving files (model.onnx, features.json, labels.json) into a folder, and
 * swaps a finished folder into place.
 * @module
 */
import { join } from "node:path";
import type { FeatureSpec } from "../models/_features.ts";
import { LABELS } from "../models/types.ts";
import { MODEL_FILES } from "../models/_registry.ts";
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

/**
 * Why training must not replace `out` (a sentence naming it and what to do), or null when it may: `out`
 * does not exist, is an empty folder, or is a sentilab model folder (only the files deno task train
 * writes). A regular file or a folder holding anything else belongs to the user: it is replaced only
 * with `force`.
 */
export async function outProblem(out: string, force: boolean): Promise<string | null> {
  if (force) return null;
  let st;
  try {
    st = await Deno.lstat(out);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
  const refuse = (what: string) =>
    `--out ${out} ${what}, and training replaces the whole folder; choose another --out, or pass --force ` +
    `(force: true) to replace it and delete what it holds`;
  if (!st.isDirectory) return refuse(st.isSymlink ? "is a symbolic link, not a model folder" : "is a file");
  const foreign: string[] = [];
  for await (const e of Deno.readDir(out)) {
    if (!(e.isFile && e.name in MODEL_FILES)) foreign.push(e.isDirectory ? `${e.name}/` : e.name);
  }
  if (foreign.length === 0) return null;
  foreign.sort();
  const shown = foreign.slice(0, 5).join(", ") +
    (foreign.length > 5 ? `, ... (${foreign.length} in all)` : "");
  return refuse(`is not a sentilab model folder (it holds ${shown})`);
}

/**
 * Moves the finished folder `tmp` to `out`, replacing an earlier model folder there (checked again here,
 * right before the swap: see {@linkcode outProblem}).
 * @throws {Error} when `out` is something training must not replace.
 */
export async function atomicReplaceDir(tmp: string, out: string, force = false): Promise<void> {
  const problem = await outProblem(out, force);
  if (problem) throw new Error(problem);
  let old: string | null = null;
  try {
    await Deno.lstat(out);
    old = `${out}.old-${Deno.pid}-${Date.now()}`;
    await Deno.rename(out, old);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  await Deno.rename(tmp, out);
  if (old) await Deno.remove(old, { recursive: true });
}
