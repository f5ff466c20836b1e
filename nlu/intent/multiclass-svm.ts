/**
 * Multi-class linear SVM of Crammer and Singer (JMLR 2001), trained by the sequential dual method of
 * Keerthi et al. (KDD 2008), as LIBLINEAR's `-s 4` solver: all intents are learned jointly, so
 * near-duplicate intents compete directly for each example instead of each being fitted alone
 * against the rest. The bias is the weight of a constant feature 1, regularised like the others.
 */
import { seededRandom, shuffleInPlace, type SparseMatrix } from './sparse-matrix';

export interface SvmOptions {
  /** Inverse regularisation strength. */
  readonly c: number;
  /** Stopping tolerance on the largest violation of the optimality conditions in an epoch. */
  readonly tolerance: number;
  readonly maxEpochs: number;
  readonly seed: number;
  /** Optional per-class weight on each example's cost (e.g. to balance class sizes). */
  readonly classWeights?: Float64Array;
  /**
   * Warm start: dual variables (`rows × classes`) of an earlier solution with the same costs, e.g.
   * from training on a subset of these rows (zeros for the rows it did not have).
   */
  readonly initialDual?: Float64Array;
}

export const DEFAULT_SVM_OPTIONS: SvmOptions = Object.freeze({
  // Chosen by 5-fold cross-validation on BANKING77 train (0.45 / 0.6 / 1 / 1.5).
  c: 0.6,
  tolerance: 0.1,
  maxEpochs: 100,
  seed: 7,
});

/** Weights are feature-major (`weights[feature * classes + class]`) for fast sparse scoring. */
export interface LinearWeights {
  readonly classes: number;
  readonly features: number;
  readonly weights: Float32Array;
  readonly bias: Float32Array;
}

export interface MulticlassSvm extends LinearWeights {
  /** The dual variables, `rows × classes`, for warm-starting a later fit. */
  readonly dual: Float64Array;
}

/**
 * Solves one example's sub-problem in closed form (Crammer & Singer 2001, Fig. 2) over its `active`
 * classes: `alpha` gets the new dual variables given `b` (gradient minus the current alphas'
 * contribution), the example's squared norm `a`, the position `y` of its true class among the
 * active ones (≥ active when shrunk away) and its cost.
 */
function solveSubProblem(
  b: Float64Array,
  active: number,
  a: number,
  y: number,
  cost: number,
  sorted: Float64Array,
  alpha: Float64Array,
): void {
  for (let m = 0; m < active; m++) sorted[m] = b[m];
  if (y < active) sorted[y] += a * cost;
  const d = sorted.subarray(0, active).sort().reverse();
  let beta = d[0] - a * cost;
  let r = 1;
  for (; r < active && beta < r * d[r]; r++) beta += d[r];
  beta /= r;
  for (let m = 0; m < active; m++) alpha[m] = Math.min(m === y ? cost : 0, (beta - b[m]) / a);
}

/**
 * Trains the multi-class SVM. `labels[i]` is the class index of row i.
 *
 * Shrinking (as LIBLINEAR): a class whose dual variable sits at its bound and whose gradient
 * says it will stay there is dropped from that example's active set, and an example with one
 * active class left is skipped, so later epochs score a few classes instead of all of them. When
 * the shrunk problem has converged, everything is reactivated and checked once more.
 */
export function trainMulticlassSvm(
  matrix: SparseMatrix,
  labels: Int32Array,
  classes: number,
  options: SvmOptions = DEFAULT_SVM_OPTIONS,
): MulticlassSvm {
  const { rows, columns, rowStart, indices, values } = matrix;
  const k = classes;
  // Row `columns` of w holds the bias.
  const w = new Float64Array((columns + 1) * k);
  const biasBase = columns * k;
  const alpha = new Float64Array(rows * k);
  if (options.initialDual) {
    if (options.initialDual.length !== alpha.length) throw new Error('[trainMulticlassSvm]: initialDual has the wrong size');
    alpha.set(options.initialDual);
    // w = Σ_i Σ_m alpha_im x_i (the primal point of these dual variables).
    for (let i = 0; i < rows; i++) {
      for (let m = 0; m < k; m++) {
        const a = alpha[i * k + m];
        if (a === 0) continue;
        for (let p = rowStart[i]; p < rowStart[i + 1]; p++) w[indices[p] * k + m] += a * values[p];
        w[biasBase + m] += a;
      }
    }
  }
  const squaredNorm = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 1;
    for (let p = rowStart[i]; p < rowStart[i + 1]; p++) s += values[p] * values[p];
    squaredNorm[i] = s;
  }
  // Per example: its classes permuted so the active ones come first, and where its label went.
  const classOrder = new Int32Array(rows * k);
  const activeClasses = new Int32Array(rows);
  const labelAt = new Int32Array(rows);
  const resetActive = () => {
    for (let i = 0; i < rows; i++) {
      for (let m = 0; m < k; m++) classOrder[i * k + m] = m;
      activeClasses[i] = k;
      labelAt[i] = labels[i];
    }
  };
  resetActive();
  const order = Int32Array.from({ length: rows }, (_, i) => i);
  const random = seededRandom(options.seed);
  const g = new Float64Array(k);
  const b = new Float64Array(k);
  const sorted = new Float64Array(k);
  const next = new Float64Array(k);
  const changed = new Int32Array(k);
  const delta = new Float64Array(k);
  let activeRows = rows;
  let shrinkTolerance = Math.max(10 * options.tolerance, 1);
  let checkedAll = true;

  for (let epoch = 0; epoch < options.maxEpochs; epoch++) {
    shuffleInPlace(order, activeRows, random);
    let worstViolation = -Infinity;
    for (let s = 0; s < activeRows; s++) {
      const i = order[s];
      const at = i * k;
      const cost = options.c * (options.classWeights?.[labels[i]] ?? 1);
      let active = activeClasses[i];
      let y = labelAt[i];
      // Gradient of the dual for this example's active classes: margin loss 1 for every wrong class.
      for (let m = 0; m < active; m++) g[m] = 1 + w[biasBase + classOrder[at + m]];
      if (y < active) g[y] -= 1;
      for (let p = rowStart[i]; p < rowStart[i + 1]; p++) {
        const base = indices[p] * k;
        const v = values[p];
        for (let m = 0; m < active; m++) g[m] += w[base + classOrder[at + m]] * v;
      }
      let maxG = -Infinity;
      let minG = Infinity;
      for (let m = 0; m < active; m++) {
        if (g[m] > maxG) maxG = g[m];
        // Only alphas below their upper bound (cost for the true class, 0 otherwise) can still rise.
        if (alpha[at + classOrder[at + m]] < (m === y ? cost : 0) && g[m] < minG) minG = g[m];
      }
      const shrinkable = (m: number) => alpha[at + classOrder[at + m]] === (m === y ? cost : 0) && g[m] < minG;
      for (let m = 0; m < active; m++) {
        if (!shrinkable(m)) continue;
        // Swap the last class that must stay active into slot m.
        active--;
        while (active > m) {
          if (!shrinkable(active)) {
            const t = classOrder[at + m];
            classOrder[at + m] = classOrder[at + active];
            classOrder[at + active] = t;
            const tg = g[m];
            g[m] = g[active];
            g[active] = tg;
            if (y === active) y = m;
            else if (y === m) y = active;
            break;
          }
          active--;
        }
      }
      activeClasses[i] = active;
      labelAt[i] = y;
      if (active <= 1) {
        activeRows--;
        order[s] = order[activeRows];
        order[activeRows] = i;
        s--;
        continue;
      }
      if (maxG - minG <= 1e-12) continue;
      worstViolation = Math.max(worstViolation, maxG - minG);
      const a = squaredNorm[i];
      for (let m = 0; m < active; m++) b[m] = g[m] - a * alpha[at + classOrder[at + m]];
      solveSubProblem(b, active, a, y, cost, sorted, next);
      let nChanged = 0;
      for (let m = 0; m < active; m++) {
        const cls = classOrder[at + m];
        const d = next[m] - alpha[at + cls];
        alpha[at + cls] = next[m];
        if (Math.abs(d) >= 1e-12) {
          changed[nChanged] = cls;
          delta[nChanged++] = d;
        }
      }
      for (let p = rowStart[i]; p < rowStart[i + 1]; p++) {
        const base = indices[p] * k;
        const v = values[p];
        for (let q = 0; q < nChanged; q++) w[base + changed[q]] += delta[q] * v;
      }
      for (let q = 0; q < nChanged; q++) w[biasBase + changed[q]] += delta[q];
    }
    if (worstViolation < shrinkTolerance) {
      if (worstViolation < options.tolerance && checkedAll) break;
      // Converged on the shrunk problem: reactivate everything and check again.
      activeRows = rows;
      resetActive();
      shrinkTolerance = Math.max(shrinkTolerance / 2, options.tolerance);
      checkedAll = true;
    } else {
      checkedAll = false;
    }
  }
  return {
    classes,
    features: columns,
    weights: Float32Array.from(w.subarray(0, biasBase)),
    bias: Float32Array.from(w.subarray(biasBase)),
    dual: alpha,
  };
}
