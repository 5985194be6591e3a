/**
 * Private: loading npm:@vladmandic/face-api under Deno, offline, with its CPU backend.
 *
 * face-api's ESM bundle includes tfjs. Three things make it run under Deno (reference: video.md):
 * 1. during the import, `globalThis.process` is hidden and `window`/`document` stand-ins exist, else tfjs
 *    picks its Node platform (which needs tfjs-node) and fails;
 * 2. `faceapi.env.setEnv` gets stand-in classes (no canvas: frames arrive as tensors);
 * 3. weights are read from the package's `model/` folder on disk with `tf.io.decodeWeights` and
 *    `net.loadFromWeightMap` (no fetch, no network).
 * @module
 */

/** The slice of tfjs used here. */
export interface Tf {
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  enableProdMode(): void;
  tensor3d(values: Uint8Array, shape: [number, number, number], dtype: "int32"): TensorLike;
  io: { decodeWeights(buffer: ArrayBuffer, specs: unknown[]): Record<string, unknown> };
  engine(): { startScope(): void; endScope(): void };
}

/** A tfjs tensor (only disposal is used). */
export interface TensorLike {
  dispose(): void;
}

/** A face-api network. */
export interface Net {
  loadFromWeightMap(map: Record<string, unknown>): void;
  readonly isLoaded: boolean;
}

/** One face found with its expressions. */
export interface FaceResult {
  detection: { score: number };
  expressions: Record<string, number>;
}

/** The slice of face-api used here. */
export interface FaceApi {
  tf: Tf;
  env: { setEnv(env: Record<string, unknown>): void };
  nets: { tinyFaceDetector: Net; faceExpressionNet: Net };
  TinyFaceDetectorOptions: new (o: { inputSize: number; scoreThreshold: number }) => unknown;
  detectAllFaces(input: TensorLike, options: unknown): {
    withFaceExpressions(): Promise<FaceResult[]>;
  };
}

let loading: Promise<FaceApi> | null = null;

/** The folder holding face-api's model files (inside the npm package). */
export function faceModelDir(): string {
  const env = Deno.env.get("SENTILAB_FACE_MODEL_DIR");
  if (env) return env;
  const pkg = import.meta.resolve("npm:@vladmandic/face-api@1.7.15/package.json");
  return new URL("./model/", pkg).pathname;
}

/** Loads face-api once: tiny face detector + expression model, CPU backend. */
export function loadFaceApi(): Promise<FaceApi> {
  loading ??= doLoad().catch((e) => {
    loading = null;
    throw e;
  });
  return loading;
}

async function doLoad(): Promise<FaceApi> {
  const g = globalThis as Record<string, unknown>;
  const saved = { process: g.process, hasWindow: "window" in g, hasDocument: "document" in g };
  let faceapi: FaceApi;
  try {
    try {
      delete g.process;
    } catch {
      g.process = undefined;
    }
    if (!saved.hasWindow) g.window = globalThis;
    if (!saved.hasDocument) g.document = {};
    faceapi = (await import("npm:@vladmandic/face-api@1.7.15/dist/face-api.esm.js")) as unknown as FaceApi;
  } finally {
    g.process = saved.process;
    if (!saved.hasWindow) delete g.window;
    if (!saved.hasDocument) delete g.document;
  }
  class Stub {}
  faceapi.env.setEnv({
    Canvas: Stub,
    CanvasRenderingContext2D: Stub,
    Image: Stub,
    ImageData: Stub,
    Video: Stub,
    createCanvasElement: () => ({}),
    createImageElement: () => ({}),
    createVideoElement: () => ({}),
    fetch: () => Promise.reject(new Error("face-api: network disabled; weights are read from disk")),
    readFile: (p: string) => Deno.readFile(p),
  });
  const tf = faceapi.tf;
  tf.enableProdMode();
  await tf.setBackend("cpu");
  await tf.ready();
  const dir = faceModelDir();
  await loadNet(tf, faceapi.nets.tinyFaceDetector, dir, "tiny_face_detector_model");
  await loadNet(tf, faceapi.nets.faceExpressionNet, dir, "face_expression_model");
  return faceapi;
}

async function loadNet(tf: Tf, net: Net, dir: string, base: string): Promise<void> {
  const manifestPath = `${dir}${base}-weights_manifest.json`;
  const binPath = `${dir}${base}.bin`;
  let manifest: Array<{ weights: unknown[]; paths?: string[] }>;
  let bin: Uint8Array;
  try {
    manifest = JSON.parse(await Deno.readTextFile(manifestPath));
    bin = await Deno.readFile(binPath);
  } catch (e) {
    throw new Error(
      `Cannot load face model '${base}' from '${dir}': ${(e as Error).message}. ` +
        `Run 'deno install' (npm:@vladmandic/face-api@1.7.15) or set SENTILAB_FACE_MODEL_DIR`,
    );
  }
  const specs = manifest.flatMap((group) => group.weights);
  const buffer = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer;
  net.loadFromWeightMap(tf.io.decodeWeights(buffer, specs));
}
