/**
 * The options, data records and results of {@linkcode trainClassifier}.
 * @module
 */
import type { FeatureSpec, LexiconTable, SentimentMarkers } from "../models/_features.ts";
import type { SplitMetrics } from "./_metrics.ts";

export type { FeatureSpec, LexiconTable, SentimentMarkers, SplitMetrics };

/** How a file's labels are used: `full` 3-class, `binary` positive-vs-negative only, `auto` decides. */
export type LabelMode = "auto" | "full" | "binary";

/** A labelled JSONL file (or a slice of it) used for training. */
export interface TrainSource {
  /** Short name (card, metric keys). */
  name: string;
  /** JSONL file of {"text", "label"} rows. */
  path: string;
  /** Loss weight of each row (default 1); rows are also class-balanced within the file. */
  weight?: number;
  /** `auto` (default): `binary` when the file has no neutral row but has both polarities, else `full`. */
  mode?: LabelMode;
  /** Keep only rows whose text hash fraction is in [from, to) (deterministic slices). */
  slice?: [number, number];
  /** Balance classes within the file so each class carries the same total weight (default true). */
  balance?: boolean;
  /** Truncate texts to this many characters before featurizing (long reviews; default: no cut). */
  maxChars?: number;
}

/** A labelled JSONL file (or slice) to measure on. */
export interface EvalSource {
  /** Short name (card, metric keys). */
  name: string;
  /** JSONL file. */
  path: string;
  /** Keep only rows whose text hash fraction is in [from, to). */
  slice?: [number, number];
  /** `auto` (default): binary when the file has no neutral row. Binary files are scored by argmax over
   * {negative, positive} (neutral ignored); the selection score uses macro-recall for every source (for
   * binary gold that is balanced accuracy, so a collapse to one class cannot score well). */
  mode?: LabelMode;
  /** Marks an "unseen domain" proxy: a domain with no training rows at all, standing in for held-back
   * data of other domains (recorded in the card; the trainer checks that no training source shares its
   * rows). */
  unseen?: boolean;
}

/** The hyperparameter grid searched on the validation sources. */
export interface SearchSpace {
  /** Adagrad step sizes to try. */
  learningRates: number[];
  /** L2 penalties to try. */
  l2: number[];
  /** Most epochs per configuration. */
  maxEpochs: number;
  /** Stop a configuration after this many epochs without a better validation score. */
  patience: number;
  /** Offsets added to the neutral bias of each snapshot before scoring it on the validation sources (a
   * prior shift chosen on validation data; default [0]). The best offset is baked into the exported bias. */
  neutralBias: number[];
  /** Whether to score (and export) the running average of the weights over every update (averaged
   * SGD) instead of the last weights; each value is a configuration of the grid (default [false]). */
  average?: boolean[];
}

/** Options of {@linkcode trainClassifier}. */
export interface TrainClassifierOptions {
  /** Training files. */
  train: TrainSource[];
  /** Validation files: the selection score is the mean of their metrics. */
  val: EvalSource[];
  /** Test/dev files reported in the card (never used for choices). */
  test?: EvalSource[];
  /**
   * Output model folder (written atomically: temp folder, then rename). An existing `out` is replaced only
   * when it is an empty folder or a sentilab model folder (only model.onnx, features.json, labels.json,
   * card.json, model_card.md); anything else is an error naming it, unless `force`.
   */
  out: string;
  /** Replace `out` even when it is a file or a folder with other files (they are deleted). */
  force?: boolean;
  /** Seed of the shuffles (default 13). Same seed and data → byte-identical model.onnx. */
  seed?: number;
  /** Changes to the default feature spec (hashBits, charNgrams, maxTokens...). */
  features?: Partial<Omit<FeatureSpec, "version" | "lexicons">>;
  /** Hyperparameter grid (default: learning rates [0.05, 0.2], l2 [0, 3e-4], 8 epochs, patience 2,
   * neutral bias offsets [0]). */
  search?: Partial<SearchSpace>;
  /** Model name in the card (default: the folder's base name). */
  name?: string;
  /** Description in the card. */
  description?: string;
  /** The recipe file, recorded in the card. */
  recipe?: string;
  /** How the recipe's choices (source weights, grid) were made, in words; rendered in the model card
   * under "Selection protocol". */
  selectionProtocol?: string;
  /** Measure wink-sentiment and sentiment on the test files too (default true). */
  baselines?: boolean;
  /** Show progress bars (default: when stderr is a terminal). */
  progress?: boolean;
  /** Training curves: called once per epoch with the losses and validation metrics. */
  onMetrics?: (values: Record<string, number>, step: number) => void | Promise<void>;
  /**
   * Called once every data file has been read and checked (labels, slices, modes) and the feature spec is
   * valid, before training starts: the place to start tracking, so that bad input never leaves a run.
   */
  onDataReady?: (
    data: { train: DataRecord[]; val: DataRecord[]; test: DataRecord[] },
  ) => void | Promise<void>;
  /** Log lines (default: none). */
  log?: (line: string) => void;
}

/** One data file as recorded in the model card. */
export interface DataRecord {
  /** Source name. */
  name: string;
  /** Path as given. */
  path: string;
  /** sha256 of the whole file. */
  sha256: string;
  /** Rows in the file. */
  fileRows: number;
  /** Rows used (after slicing). */
  rows: number;
  /** Slice of the hash fraction, if any. */
  slice: [number, number] | null;
  /** How labels were used. */
  mode: "full" | "binary";
  /** Rows per label. */
  labelCounts: Record<string, number>;
  /** Loss weight (training files). */
  weight?: number;
  /** Validation/test sources: an "unseen domain" proxy (no training rows from its file). */
  unseen?: boolean;
  /** Validation/test sources: names of training sources that share rows with this one (same file,
   * overlapping slices). Empty when the source is blind. */
  overlapsTraining?: string[];
}

/** What {@linkcode trainClassifier} returns. */
export interface TrainClassifierResult {
  /** The model folder written. */
  dir: string;
  /** The model card (also in card.json). */
  card: Record<string, unknown>;
  /** Metrics of the exported ONNX model per validation and test source. */
  metrics: Record<string, SplitMetrics & { split: string; mode: string }>;
  /** Every data file used (training, validation, test) with digests. */
  data: { train: DataRecord[]; val: DataRecord[]; test: DataRecord[] };
}
