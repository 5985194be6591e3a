/**
 * The worker thread of the scoring pool (lib/inference/_worker_pool.ts): loads its own copy of a model
 * from the model's {@linkcode WorkerRecipe} (so its own onnxruntime session) and scores the batches it is
 * sent, answering with one flat Float32Array of scores per batch (transferred, not copied).
 *
 * A worker that ends itself (`self.close()` or `Deno.exit()` from model code) says so first, so the pool
 * reports it instead of waiting for an answer that never comes; an uncaught error reaches the pool as the
 * Worker's `error` event.
 * @module
 */
import type { Model, WorkerRecipe } from "../models/types.ts";

/** Messages the pool sends. */
export type ToWorker =
  | { type: "load"; recipe: WorkerRecipe }
  | { type: "score"; batch: number; texts: string[] }
  | { type: "close" };

/** Messages the worker sends. */
export type FromWorker =
  | { type: "loaded" }
  | { type: "scored"; batch: number; scores: Float32Array; width: number }
  | { type: "failed"; batch: number | null; message: string }
  | { type: "exit"; code: number };

interface WorkerScope {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  close(): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
}

const scope = globalThis as unknown as WorkerScope;
const post = (m: FromWorker, transfer: Transferable[] = []) => scope.postMessage(m, transfer);
const closeWorker = scope.close.bind(scope);
let closing = false;
scope.close = () => {
  if (!closing) post({ type: "exit", code: 0 });
  closeWorker();
};
Object.defineProperty(Deno, "exit", {
  configurable: true,
  writable: true,
  value: (code?: number) => {
    post({ type: "exit", code: code ?? 0 });
    closeWorker();
  },
});

let model: Model | null = null;
// Batches are scored one at a time, in arrival order.
let queue: Promise<void> = Promise.resolve();

scope.onmessage = (e: MessageEvent<ToWorker>) => {
  const msg = e.data;
  queue = queue.then(() => handle(msg));
};

async function handle(msg: ToWorker): Promise<void> {
  if (msg.type === "load") {
    try {
      const mod = await import(msg.recipe.module);
      const load = mod[msg.recipe.exportName] as (...args: unknown[]) => Promise<Model>;
      if (typeof load !== "function") {
        throw new Error(`${msg.recipe.module} exports no function ${msg.recipe.exportName}`);
      }
      model = await load(...msg.recipe.args);
      post({ type: "loaded" });
    } catch (err) {
      post({ type: "failed", batch: null, message: `cannot load the model: ${(err as Error).message}` });
    }
  } else if (msg.type === "score") {
    try {
      if (!model) throw new Error("no model loaded");
      const rows = await model.scoreBatch(msg.texts);
      const width = rows.length ? rows[0].length : model.labels.length;
      const flat = new Float32Array(rows.length * width);
      for (let i = 0; i < rows.length; i++) {
        if (rows[i].length !== width) {
          throw new Error(`row ${i} has ${rows[i].length} scores, expected ${width}`);
        }
        flat.set(rows[i], i * width);
      }
      post({ type: "scored", batch: msg.batch, scores: flat, width }, [flat.buffer]);
    } catch (err) {
      post({ type: "failed", batch: msg.batch, message: (err as Error).message });
    }
  } else {
    closing = true;
    await model?.close();
    closeWorker();
  }
}
