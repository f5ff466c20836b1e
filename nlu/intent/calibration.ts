/**
 * Turns raw linear scores into probabilities (softmax with a fitted temperature) and picks the
 * confidence below which the classifier answers out-of-scope.
 */

/** Softmax of `scores / temperature`, written into `out`. */
export function softmax(scores: ArrayLike<number>, temperature: number, out: Float64Array): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < scores.length; i++) if (scores[i] > max) max = scores[i];
  let sum = 0;
  for (let i = 0; i < scores.length; i++) {
    out[i] = Math.exp((scores[i] - max) / temperature);
    sum += out[i];
  }
  for (let i = 0; i < scores.length; i++) out[i] /= sum;
  return out;
}

/**
 * Mean cross-entropy of softmax(scores / temperature) against the true labels smoothed by
 * `smoothing` (that share spread evenly over all labels).
 */
function meanLoss(scores: readonly Float64Array[], labels: Int32Array, temperature: number, smoothing: number): number {
  let total = 0;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    let max = -Infinity;
    for (let c = 0; c < s.length; c++) if (s[c] > max) max = s[c];
    let sum = 0;
    let meanLogit = 0;
    for (let c = 0; c < s.length; c++) {
      sum += Math.exp((s[c] - max) / temperature);
      meanLogit += (s[c] - max) / temperature / s.length;
    }
    const logSum = Math.log(sum);
    const trueLogit = (s[labels[i]] - max) / temperature;
    total += (1 - smoothing) * (logSum - trueLogit) + smoothing * (logSum - meanLogit);
  }
  return total / scores.length;
}

/**
 * Temperature scaling (Guo et al. 2017): the temperature that minimises the held-out
 * cross-entropy, found by golden-section search on log T (the loss is unimodal in T). The small
 * label smoothing keeps the temperature finite when the held-out data is perfectly separated
 * (tiny data sets), where plain log-likelihood would drive every confidence to 1.
 */
export function fitTemperature(scores: readonly Float64Array[], labels: Int32Array, smoothing = 0.01): number {
  if (scores.length === 0) return 1;
  const loss = (logT: number) => meanLoss(scores, labels, Math.exp(logT), smoothing);
  let lo = Math.log(0.005);
  let hi = Math.log(20);
  const ratio = (Math.sqrt(5) - 1) / 2;
  let a = hi - ratio * (hi - lo);
  let b = lo + ratio * (hi - lo);
  let fa = loss(a);
  let fb = loss(b);
  for (let iter = 0; iter < 60; iter++) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - ratio * (hi - lo);
      fa = loss(a);
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + ratio * (hi - lo);
      fb = loss(b);
    }
  }
  return Math.exp((lo + hi) / 2);
}

/** One held-out in-scope prediction: its top confidence and whether its top intent was right. */
export interface HeldOutPrediction {
  readonly confidence: number;
  readonly correct: boolean;
}

/**
 * The highest confidence threshold that rejects (sends to out-of-scope) at most `maxAccuracyDrop`
 * of the held-out in-scope messages that were answered correctly. Wrong answers turned into
 * out-of-scope cost nothing: the bot asks again instead of guessing.
 */
export function chooseThreshold(predictions: readonly HeldOutPrediction[], maxAccuracyDrop: number): number {
  const correct = predictions
    .filter((p) => p.correct)
    .map((p) => p.confidence)
    .sort((a, b) => a - b);
  if (correct.length === 0) return 0;
  const allowed = Math.floor(maxAccuracyDrop * predictions.length);
  if (allowed <= 0) return correct[0];
  if (allowed >= correct.length) return correct[correct.length - 1];
  // Midway between the last rejected and the first kept correct answer.
  return (correct[allowed - 1] + correct[allowed]) / 2;
}
