/**
 * Shared types of the sentiment models.
 * @module
 */

export { type Label, LABELS, type Prediction, type Scores } from "../sentiment/labels.ts";
import type { Label } from "../sentiment/labels.ts";

/**
 * How a worker thread loads its own copy of a model: `(await import(module))[exportName](...args)` must
 * resolve to a {@linkcode Model} that scores exactly as the original. `args` must be structured-cloneable
 * (they are posted to the worker).
 */
export interface WorkerRecipe {
  /** URL of the module to import in the worker. */
  module: string;
  /** Name of the async function it exports that returns the model. */
  exportName: string;
  /** Its arguments. */
  args: unknown[];
}

/** A loaded sentiment model. */
export interface Model {
  /** Registry name or folder name. */
  readonly name: string;
  /** Model type: "onnx" (sentilab's own), "hf-onnx" (a Hugging Face transformer) or "lexicon". */
  readonly type: string;
  /** Label order of the model's score vectors. */
  readonly labels: readonly Label[];
  /** Human description. */
  readonly description: string;
  /** Folder the model was loaded from, when it has one. */
  readonly dir: string | null;
  /** Model card (parsed), when it has one. */
  readonly card: Record<string, unknown> | null;
  /**
   * Scores a batch of texts: one row per text, one score per entry of `labels`, rows sum to 1.
   * Must accept any string (empty, whitespace, emoji, any script) without throwing.
   */
  scoreBatch(texts: readonly string[]): Promise<Float32Array[]>;
  /**
   * The model folder's files in memory, by file name, when the model keeps them (ONNX models: what was
   * read or fetched). A model loaded from a URL is logged from these, without fetching it again.
   */
  readonly files?: ReadonlyMap<string, Uint8Array>;
  /**
   * How worker threads load their own copy of this model (used by `predictBatch`'s `workers`); absent
   * when the model can only score on the thread that loaded it.
   */
  readonly worker?: WorkerRecipe;
  /** Frees native resources (ONNX session). */
  close(): Promise<void>;
}
