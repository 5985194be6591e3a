/**
 * A pool of Web Workers that score batches of texts, each with its own copy of the model (its own
 * onnxruntime session), for `predictBatch` and the streaming evaluate/predict workflows.
 *
 * Results come back in input order. A worker that dies (an uncaught error, `self.close()`, `Deno.exit()`)
 * or cannot load the model rejects the pending call with an error naming the worker and the batch it was
 * scoring (its position in the input, as texts[a..b)); the pool is then closed, never left waiting.
 * @module
 */
import type { WorkerRecipe } from "../models/types.ts";
import type { FromWorker, ToWorker } from "./_score_worker.ts";

/** Options of {@linkcode ScorePool.score}. */
export interface PoolScoreOptions {
  /** Texts per batch sent to a worker. */
  batchSize: number;
  /** Index of `texts[0]` in the whole input (names batches in errors). */
  offset?: number;
  /** Called as batches finish, with the number of texts done (a prefix, in order) and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** A running pool; see {@linkcode openScorePool}. */
export interface ScorePool {
  /** Number of workers. */
  readonly size: number;
  /** Scores texts across the workers: one row per text, in order. */
  score(texts: readonly string[], options: PoolScoreOptions): Promise<Float32Array[]>;
  /** Ends every worker (each closes its model first). */
  close(): Promise<void>;
}

interface Slot {
  index: number;
  worker: Worker;
  /** Batches sent and not answered: batch number → texts[a..b) it covers. */
  inFlight: Map<number, [number, number]>;
  dead: string | null;
}

/** Batches a worker may hold at once: one scoring, one waiting, so it never idles between answers. */
const DEPTH = 2;

/**
 * Starts `size` workers, each loading its own copy of the model from `recipe`.
 * @param recipe How a worker loads the model (a model's `worker` field).
 * @param size Number of workers (at least 1).
 * @param name The model's name, for messages.
 * @returns The pool, every worker loaded.
 * @throws {Error} When a worker cannot load the model or dies while loading (the others are ended).
 */
export async function openScorePool(recipe: WorkerRecipe, size: number, name: string): Promise<ScorePool> {
  const url = new URL("./_score_worker.ts", import.meta.url);
  const slots: Slot[] = [];
  /** The failure that broke the pool, once one happened. */
  let broken: Error | null = null;
  /** The call in progress: how to hand it a message or a failure. */
  let current: { onMessage(slot: Slot, m: FromWorker): void; onDeath(slot: Slot, why: string): void } | null =
    null;

  const describe = (slot: Slot, why: string): string => {
    const batches = [...slot.inFlight.values()].map(([a, b]) => `texts[${a}..${b})`);
    return `worker ${slot.index + 1} of ${size} scoring model "${name}" died` +
      (batches.length ? ` while scoring the batch of ${batches.join(" and ")}` : "") + `: ${why}`;
  };
  const kill = (slot: Slot, why: string) => {
    if (slot.dead !== null) return;
    slot.dead = why;
    slot.worker.terminate();
    current?.onDeath(slot, why);
  };

  for (let i = 0; i < size; i++) {
    const worker = new Worker(url, { type: "module", name: `sentilab-score-${i + 1}` });
    const slot: Slot = { index: i, worker, inFlight: new Map(), dead: null };
    worker.onerror = (e) => {
      e.preventDefault();
      kill(slot, e.message || "uncaught error");
    };
    worker.onmessageerror = () => kill(slot, "a message could not be read");
    worker.onmessage = (e: MessageEvent<FromWorker>) => {
      const m = e.data;
      if (m.type === "exit") kill(slot, `the worker ended itself (exit code ${m.code})`);
      else current?.onMessage(slot, m);
    };
    slots.push(slot);
  }

  const closeAll = async () => {
    for (const s of slots) {
      if (s.dead !== null) continue;
      s.dead = "closed";
      s.worker.postMessage({ type: "close" } satisfies ToWorker);
    }
    // Give each worker a moment to release its session, then end it for sure.
    await new Promise((r) => setTimeout(r, 20));
    for (const s of slots) s.worker.terminate();
  };

  // Load the model in every worker.
  try {
    await new Promise<void>((resolve, reject) => {
      let loaded = 0;
      current = {
        onMessage(slot, m) {
          if (m.type === "loaded") {
            if (++loaded === size) resolve();
          } else if (m.type === "failed") {
            reject(new Error(`worker ${slot.index + 1} of ${size}: ${m.message}`));
          }
        },
        onDeath(slot, why) {
          reject(new Error(`${describe(slot, why)} (while loading the model)`));
        },
      };
      for (const s of slots) s.worker.postMessage({ type: "load", recipe } satisfies ToWorker);
    });
  } catch (e) {
    current = null;
    await closeAll();
    throw e;
  } finally {
    current = null;
  }

  const score = (texts: readonly string[], options: PoolScoreOptions): Promise<Float32Array[]> => {
    if (broken) return Promise.reject(broken);
    const { batchSize, onProgress } = options;
    const offset = options.offset ?? 0;
    const total = texts.length;
    const nBatches = Math.ceil(total / batchSize);
    const results: (Float32Array[] | undefined)[] = new Array(nBatches);
    if (nBatches === 0) return Promise.resolve([]);
    return new Promise<Float32Array[]>((resolve, reject) => {
      let next = 0, finished = 0, prefix = 0, prefixTexts = 0;
      const fail = (e: Error) => {
        if (broken) return;
        broken = e;
        current = null;
        closeAll().finally(() => reject(e));
      };
      const send = (slot: Slot) => {
        while (slot.dead === null && slot.inFlight.size < DEPTH && next < nBatches) {
          const b = next++;
          const start = b * batchSize, end = Math.min(total, start + batchSize);
          slot.inFlight.set(b, [offset + start, offset + end]);
          slot.worker.postMessage(
            { type: "score", batch: b, texts: texts.slice(start, end) } satisfies ToWorker,
          );
        }
      };
      current = {
        onMessage(slot, m) {
          if (m.type === "failed") {
            const range = m.batch === null ? undefined : slot.inFlight.get(m.batch);
            fail(
              new Error(
                `worker ${slot.index + 1} of ${size} failed on the batch of ` +
                  `${
                    range ? `texts[${range[0]}..${range[1]})` : "(unknown)"
                  } with model "${name}": ${m.message}`,
              ),
            );
            return;
          }
          if (m.type !== "scored" || !slot.inFlight.has(m.batch)) return;
          const [a, b] = slot.inFlight.get(m.batch)!;
          slot.inFlight.delete(m.batch);
          const rows: Float32Array[] = [];
          for (let i = 0; i < b - a; i++) rows.push(m.scores.subarray(i * m.width, (i + 1) * m.width));
          if (rows.length * m.width !== m.scores.length) {
            fail(
              new Error(
                `worker ${slot.index + 1} returned ${
                  m.scores.length / m.width
                } score rows for texts[${a}..${b})`,
              ),
            );
            return;
          }
          results[m.batch] = rows;
          finished++;
          while (prefix < nBatches && results[prefix] !== undefined) {
            prefixTexts += results[prefix]!.length;
            prefix++;
          }
          onProgress?.(prefixTexts, total);
          if (finished === nBatches) {
            current = null;
            const out: Float32Array[] = [];
            for (const r of results) for (const row of r!) out.push(row);
            resolve(out);
          } else send(slot);
        },
        onDeath(slot, why) {
          fail(new Error(describe(slot, why)));
        },
      };
      const deadSlot = slots.find((s) => s.dead !== null);
      if (deadSlot) {
        fail(new Error(describe(deadSlot, deadSlot.dead!)));
        return;
      }
      for (const s of slots) send(s);
    });
  };

  return {
    size,
    score,
    async close() {
      if (!broken) broken = new Error("the scoring pool is closed");
      current = null;
      await closeAll();
    },
  };
}

/**
 * Inputs shorter than this are scored on the calling thread unless workers are asked for. A pool costs a
 * start that a short input does not win back: each worker loads the model, compiles the featurizer and fills
 * its token table cold (bench:inference: on 12,284 texts a pool started per call was 0.5x to 0.8x of one
 * thread; kept open, 1.5x to 1.9x).
 */
export const POOL_MIN_TEXTS = 50_000;

/**
 * The number of workers to use when none is asked for: one per logical core for an input of at least
 * {@linkcode POOL_MIN_TEXTS} texts, or of unknown size (a stream); else 1.
 * @param texts How many texts the input holds, when known.
 * @returns At least 1.
 */
export function defaultWorkers(texts?: number): number {
  if (texts !== undefined && texts < POOL_MIN_TEXTS) return 1;
  return Math.max(1, navigator.hardwareConcurrency || 1);
}
