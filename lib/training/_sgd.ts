/**
 * Multinomial logistic regression on sparse features with Adagrad, for 3 classes
 * (0 negative, 1 neutral, 2 positive). Rows are either fully labelled or "binary": a binary row only
 * says positive-vs-negative and is trained with the partial-label loss
 * `-log(p_y / (p_negative + p_positive))`, which leaves the neutral score alone.
 * @module
 */
import type { Featurizer } from "../models/_features.ts";
import { mulberry32, shuffleInPlace } from "./_prng.ts";

/** Featurized rows in CSR form. */
export interface Corpus {
  /** Row i's features are `[offsets[i], offsets[i+1])`. */
  offsets: Int32Array;
  /** Feature indices. */
  indices: Int32Array;
  /** Feature values. */
  values: Float32Array;
  /** Class ids. */
  labels: Int8Array;
  /** 1 when the row is binary (partial-label loss). */
  binary: Uint8Array;
  /** Per-row loss weight. */
  weights: Float32Array;
}

/** One block of rows to add to a corpus. */
export interface CorpusPart {
  /** Texts. */
  texts: readonly string[];
  /** Class ids. */
  labels: readonly number[];
  /** Whether these rows use the binary (positive-vs-negative) loss. */
  binary: boolean;
  /** Per-row weights (same length as texts). */
  weights: readonly number[];
}

/**
 * Featurizes parts into one corpus.
 * @param featurizer The featurizer (the same one the model will use).
 * @param parts Blocks of rows.
 * @param onRow Called after each row (progress).
 * @returns The corpus.
 */
export function buildCorpus(featurizer: Featurizer, parts: CorpusPart[], onRow?: () => void): Corpus {
  const n = parts.reduce((s, p) => s + p.texts.length, 0);
  const offsets = new Int32Array(n + 1);
  const labels = new Int8Array(n);
  const binary = new Uint8Array(n);
  const weights = new Float32Array(n);
  let indices = new Int32Array(1 << 20);
  let values = new Float32Array(1 << 20);
  let nnz = 0, row = 0;
  for (const p of parts) {
    for (let i = 0; i < p.texts.length; i++) {
      const f = featurizer.featurize(p.texts[i]);
      if (nnz + f.indices.length > indices.length) {
        const cap = Math.max(indices.length * 2, nnz + f.indices.length);
        const ni = new Int32Array(cap);
        ni.set(indices.subarray(0, nnz));
        indices = ni;
        const nv = new Float32Array(cap);
        nv.set(values.subarray(0, nnz));
        values = nv;
      }
      indices.set(f.indices, nnz);
      values.set(f.values, nnz);
      nnz += f.indices.length;
      labels[row] = p.labels[i];
      binary[row] = p.binary ? 1 : 0;
      weights[row] = p.weights[i];
      row++;
      offsets[row] = nnz;
      onRow?.();
    }
  }
  return { offsets, indices: indices.slice(0, nnz), values: values.slice(0, nnz), labels, binary, weights };
}

/** A linear model's parameters. */
export interface LinearParams {
  /** Row-major [numFeatures, 3]. */
  weight: Float64Array;
  /** [3]. */
  bias: Float64Array;
}

/** Hyperparameters of one training run. */
export interface SgdConfig {
  /** Adagrad step size. */
  learningRate: number;
  /** L2 penalty, applied to the weights a row touches (lazy). */
  l2: number;
  /** Also keep the average of the parameters over every update so far (averaged SGD); read it with
   * {@linkcode SgdTrainer.averaged}. Default false. */
  average?: boolean;
}

/**
 * Class probabilities of every row of a corpus.
 * @param params The model.
 * @param corpus The rows.
 * @returns Row-major probabilities, 3 per row.
 */
export function predictCorpus(params: LinearParams, corpus: Corpus): Float64Array {
  const n = corpus.labels.length;
  const out = new Float64Array(n * 3);
  const { weight: w, bias: b } = params;
  for (let r = 0; r < n; r++) {
    let z0 = b[0], z1 = b[1], z2 = b[2];
    for (let j = corpus.offsets[r]; j < corpus.offsets[r + 1]; j++) {
      const k = corpus.indices[j] * 3, v = corpus.values[j];
      z0 += w[k] * v;
      z1 += w[k + 1] * v;
      z2 += w[k + 2] * v;
    }
    const m = Math.max(z0, z1, z2);
    const e0 = Math.exp(z0 - m), e1 = Math.exp(z1 - m), e2 = Math.exp(z2 - m);
    const s = e0 + e1 + e2;
    out[r * 3] = e0 / s;
    out[r * 3 + 1] = e1 / s;
    out[r * 3 + 2] = e2 / s;
  }
  return out;
}

/** A trainer that runs one epoch at a time. */
export interface SgdTrainer {
  /** Current parameters (live; copy them to keep a snapshot). */
  params: LinearParams;
  /** Runs one shuffled epoch; returns the mean weighted training loss. */
  epoch(onRow?: () => void): number;
  /** The average of the parameters over every update so far (a new copy), or the current parameters
   * (a copy) when the trainer was made without `average`. */
  averaged(): LinearParams;
}

/**
 * Creates an Adagrad trainer over a corpus. Deterministic for a seed.
 * @param corpus Training rows.
 * @param numFeatures Size of the feature space.
 * @param config Hyperparameters.
 * @param seed Shuffling seed.
 * @returns The trainer.
 */
export function createSgdTrainer(
  corpus: Corpus,
  numFeatures: number,
  config: SgdConfig,
  seed: number,
): SgdTrainer {
  const w = new Float64Array(numFeatures * 3);
  const h = new Float64Array(numFeatures * 3);
  const b = new Float64Array(3);
  const hb = new Float64Array(3);
  const n = corpus.labels.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const rand = mulberry32(seed);
  const { learningRate: lr, l2 } = config;
  const average = config.average === true;
  // averaged SGD without touching every weight per step: the mean of the weights after each of the T
  // steps so far is w + (w - u) / T, where u accumulates s * delta for each update delta made at step s
  // (rows seen so far, from 1)
  const u = average ? new Float64Array(numFeatures * 3) : null;
  const ub = new Float64Array(3);
  let step = 0;
  const eps = 1e-8;
  const g = new Float64Array(3);
  const { offsets, indices, values, labels, binary, weights } = corpus;

  function epoch(onRow?: () => void): number {
    shuffleInPlace(order, rand);
    let lossSum = 0, weightSum = 0;
    for (let t = 0; t < n; t++) {
      const r = order[t];
      const start = offsets[r], end = offsets[r + 1];
      let z0 = b[0], z1 = b[1], z2 = b[2];
      for (let j = start; j < end; j++) {
        const k = indices[j] * 3, v = values[j];
        z0 += w[k] * v;
        z1 += w[k + 1] * v;
        z2 += w[k + 2] * v;
      }
      const y = labels[r];
      const rw = weights[r];
      step++;
      if (binary[r]) {
        // softmax over {negative, positive}; neutral gets no gradient
        const m = Math.max(z0, z2);
        const e0 = Math.exp(z0 - m), e2 = Math.exp(z2 - m);
        const q0 = e0 / (e0 + e2), q2 = e2 / (e0 + e2);
        lossSum += -Math.log(Math.max(y === 0 ? q0 : q2, 1e-12)) * rw;
        g[0] = rw * (q0 - (y === 0 ? 1 : 0));
        g[1] = 0;
        g[2] = rw * (q2 - (y === 2 ? 1 : 0));
      } else {
        const m = Math.max(z0, z1, z2);
        const e0 = Math.exp(z0 - m), e1 = Math.exp(z1 - m), e2 = Math.exp(z2 - m);
        const s = e0 + e1 + e2;
        const p0 = e0 / s, p1 = e1 / s, p2 = e2 / s;
        lossSum += -Math.log(Math.max(y === 0 ? p0 : y === 1 ? p1 : p2, 1e-12)) * rw;
        g[0] = rw * (p0 - (y === 0 ? 1 : 0));
        g[1] = rw * (p1 - (y === 1 ? 1 : 0));
        g[2] = rw * (p2 - (y === 2 ? 1 : 0));
      }
      weightSum += rw;
      for (let j = start; j < end; j++) {
        const k = indices[j] * 3, v = values[j];
        for (let c = 0; c < 3; c++) {
          if (g[c] === 0 && l2 === 0) continue;
          const kc = k + c;
          const grad = g[c] * v + l2 * w[kc];
          h[kc] += grad * grad;
          const d = (lr * grad) / (Math.sqrt(h[kc]) + eps);
          w[kc] -= d;
          if (u) u[kc] -= step * d; // delta = -d
        }
      }
      for (let c = 0; c < 3; c++) {
        if (g[c] === 0) continue;
        hb[c] += g[c] * g[c];
        const d = (lr * g[c]) / (Math.sqrt(hb[c]) + eps);
        b[c] -= d;
        if (u) ub[c] -= step * d;
      }
      onRow?.();
    }
    return weightSum > 0 ? lossSum / weightSum : 0;
  }

  function averaged(): LinearParams {
    if (!u || step === 0) return { weight: w.slice(), bias: b.slice() };
    const weight = new Float64Array(w.length);
    for (let i = 0; i < w.length; i++) weight[i] = w[i] + (w[i] - u[i]) / step;
    const bias = new Float64Array(3);
    for (let k = 0; k < 3; k++) bias[k] = b[k] + (b[k] - ub[k]) / step;
    return { weight, bias };
  }

  return { params: { weight: w, bias: b }, epoch, averaged };
}
