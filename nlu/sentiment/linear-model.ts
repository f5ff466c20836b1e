/**
 * A multi-head linear model over sparse features: one softmax head for polarity
 * (negative / neutral / positive) and one sigmoid head per emotion cue. Trained with FTRL-Proximal
 * (per-coordinate adaptive steps, L1 for a sparse and so compact model, L2), deterministically.
 */
import type { SparseVector } from './features';
import { seededRandom } from '../../core/seeded-random';

export const POLARITIES = ['negative', 'neutral', 'positive'] as const;
export type Polarity = (typeof POLARITIES)[number];
export const CUES = ['anger', 'anxiety', 'urgency', 'confusion', 'gratitude'] as const;
export type Cue = (typeof CUES)[number];

const G = POLARITIES.length;

/** Outputs per feature: one logit per polarity, then one logit per cue. */
export const OUTPUTS = G + CUES.length;

export interface TrainingExample {
  readonly x: SparseVector;
  /** Index into POLARITIES. */
  readonly polarity: number;
  /** 0/1 per cue, in CUES order. */
  readonly cues: Uint8Array;
  /** How much this example counts for the polarity head. */
  readonly weight: number;
  /** How much this example counts for each cue head (0 = says nothing about that cue). */
  readonly cueWeights: Float32Array;
}

export interface TrainerConfig {
  readonly epochs: number;
  readonly alpha: number;
  readonly beta: number;
  readonly l1: number;
  readonly l2: number;
  readonly seed: number;
}

export const DEFAULT_TRAINER_CONFIG: TrainerConfig = { epochs: 4, alpha: 0.3, beta: 1, l1: 2e-6, l2: 1e-6, seed: 7 };

/** Probabilities: the polarity distribution (sums to 1) and each cue's own probability. */
export interface ModelOutput {
  readonly polarity: readonly [number, number, number];
  readonly cues: readonly number[];
}

export class LinearModel {
  /**
   * @param dimension number of input features
   * @param weights `dimension × OUTPUTS`, row-major by feature
   * @param bias one per output
   */
  constructor(
    readonly dimension: number,
    readonly weights: Float32Array,
    readonly bias: Float32Array,
  ) {
    if (weights.length !== dimension * OUTPUTS || bias.length !== OUTPUTS) {
      throw new Error('LinearModel: weight shape does not match the dimension');
    }
  }

  logits(x: SparseVector): Float64Array {
    const out = new Float64Array(OUTPUTS);
    for (let k = 0; k < OUTPUTS; k += 1) out[k] = this.bias[k];
    const { indices, values } = x;
    for (let j = 0; j < indices.length; j += 1) {
      const base = indices[j] * OUTPUTS;
      const value = values[j];
      for (let k = 0; k < OUTPUTS; k += 1) out[k] += this.weights[base + k] * value;
    }
    return out;
  }

  predict(x: SparseVector): ModelOutput {
    const z = this.logits(x);
    const p = softmax(z, G);
    const cues: number[] = [];
    for (let c = 0; c < CUES.length; c += 1) cues.push(sigmoid(z[G + c]));
    return { polarity: [p[0], p[1], p[2]], cues };
  }
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** Softmax of the first `count` logits. */
function softmax(z: Float64Array, count: number): Float64Array {
  let max = -Infinity;
  for (let k = 0; k < count; k += 1) max = Math.max(max, z[k]);
  const out = new Float64Array(count);
  let sum = 0;
  for (let k = 0; k < count; k += 1) {
    out[k] = Math.exp(z[k] - max);
    sum += out[k];
  }
  for (let k = 0; k < count; k += 1) out[k] /= sum;
  return out;
}

export { seededRandom };

/** Trains the model; the same examples and config always give the same weights. */
export function trainLinearModel(
  examples: readonly TrainingExample[],
  dimension: number,
  config: TrainerConfig = DEFAULT_TRAINER_CONFIG,
): LinearModel {
  // Coordinate `dimension` is the bias (an always-on feature without L1/L2).
  const size = (dimension + 1) * OUTPUTS;
  const biasBase = dimension * OUTPUTS;
  const z = new Float64Array(size);
  const rootN = new Float64Array(size); // √(sum of squared gradients), kept rather than recomputed
  const { alpha, beta, l1, l2 } = config;
  const weightOf = (at: number): number => {
    const zi = z[at];
    if (at >= biasBase) return -zi / ((beta + rootN[at]) / alpha);
    if (Math.abs(zi) <= l1) return 0;
    return -(zi - Math.sign(zi) * l1) / ((beta + rootN[at]) / alpha + l2);
  };

  const order = Array.from(examples.keys());
  const random = seededRandom(config.seed);
  const grad = new Float64Array(OUTPUTS);
  const logits = new Float64Array(OUTPUTS);
  let current = new Float64Array(64 * OUTPUTS); // weights of the example's active coordinates

  // The returned weights average the snapshots at the end of the later epochs: smoother than the
  // last iterate of a stochastic optimiser.
  const averageFrom = Math.floor(config.epochs / 2);
  const sum = new Float64Array(size);
  let snapshots = 0;
  for (let epoch = 0; epoch < config.epochs; epoch += 1) {
    for (let i = order.length - 1; i > 0; i -= 1) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const e of order) {
      const example = examples[e];
      const { indices, values } = example.x;
      const active = indices.length + 1;
      if (current.length < active * OUTPUTS) current = new Float64Array(active * OUTPUTS * 2);
      for (let k = 0; k < OUTPUTS; k += 1) {
        current[indices.length * OUTPUTS + k] = weightOf(biasBase + k);
        logits[k] = current[indices.length * OUTPUTS + k];
      }
      for (let j = 0; j < indices.length; j += 1) {
        const base = indices[j] * OUTPUTS;
        for (let k = 0; k < OUTPUTS; k += 1) {
          const w = weightOf(base + k);
          current[j * OUTPUTS + k] = w;
          logits[k] += w * values[j];
        }
      }
      const p = softmax(logits, G);
      for (let k = 0; k < G; k += 1) grad[k] = (p[k] - (example.polarity === k ? 1 : 0)) * example.weight;
      for (let c = 0; c < CUES.length; c += 1) {
        const k = G + c;
        grad[k] = (sigmoid(logits[k]) - example.cues[c]) * example.cueWeights[c];
      }
      for (let j = 0; j < active; j += 1) {
        const base = j < indices.length ? indices[j] * OUTPUTS : biasBase;
        const value = j < indices.length ? values[j] : 1;
        for (let k = 0; k < OUTPUTS; k += 1) {
          const g = grad[k] * value;
          if (g === 0) continue;
          const at = base + k;
          const before = rootN[at];
          const after = Math.sqrt(before * before + g * g);
          z[at] += g - ((after - before) / alpha) * current[j * OUTPUTS + k];
          rootN[at] = after;
        }
      }
    }
    if (epoch >= averageFrom) {
      for (let at = 0; at < size; at += 1) sum[at] += weightOf(at);
      snapshots += 1;
    }
  }

  const weights = new Float32Array(dimension * OUTPUTS);
  for (let at = 0; at < weights.length; at += 1) weights[at] = sum[at] / snapshots;
  const bias = new Float32Array(OUTPUTS);
  for (let k = 0; k < OUTPUTS; k += 1) bias[k] = sum[biasBase + k] / snapshots;
  return new LinearModel(dimension, weights, bias);
}
