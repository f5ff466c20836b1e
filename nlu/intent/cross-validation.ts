/**
 * Stratified k-fold cross-validation of the intent model, for choosing between training sets
 * without touching a test set: the in-scope rows of `rows` are split into folds by intent; each
 * fold is scored by a model trained, as `trainIntentModel` trains, on the other folds plus every
 * `alwaysTrain` row (extra examples, other intents, out-of-scope messages). Out-of-scope rows
 * (of either list) are never scored as a fold: each fold's model reports how many of them its
 * threshold catches.
 */
import { OUT_OF_SCOPE } from '../types';
import { LinearIntentClassifier } from './classifier';
import { seededRandom } from './sparse-matrix';
import { trainIntentModel, type TrainOptions } from './train';
import type { LabelledText } from './training-data';

export interface CrossValidationOptions {
  /** Number of folds. Default 5. */
  readonly folds?: number;
  /** Seed of the fold assignment. Default 42. */
  readonly seed?: number;
  readonly train?: TrainOptions;
  /** Called after each fold (training one takes seconds). */
  readonly onFold?: (fold: FoldResult) => void;
}

export interface FoldResult {
  readonly fold: number;
  /** Scored messages in this fold. */
  readonly n: number;
  /** Share whose best-scoring intent is right (no out-of-scope threshold). */
  readonly topIntentAccuracy: number;
  /** Share answered right once the out-of-scope threshold applies. */
  readonly accuracy: number;
  /** Share of the out-of-scope training rows the fold's threshold catches (null: none given). */
  readonly outOfScopeRecall: number | null;
  readonly trainSeconds: number;
}

export interface ConfusedPair {
  /** The two intents, in alphabetical order. */
  readonly intents: readonly [string, string];
  /** Scored messages of either intent whose best guess was the other one. */
  readonly errors: number;
}

export interface CrossValidationReport {
  readonly folds: readonly FoldResult[];
  /** Over all scored messages. */
  readonly topIntentAccuracy: number;
  readonly accuracy: number;
  /** Mean over folds. */
  readonly outOfScopeRecall: number | null;
  /** Most errors first. */
  readonly confusedPairs: readonly ConfusedPair[];
}

/** Fold of each row: stratified by category (rows of one category spread round-robin after a seeded shuffle). */
export function assignFolds(rows: readonly LabelledText[], folds: number, seed: number): Int32Array {
  const random = seededRandom(seed);
  const byCategory = new Map<string, number[]>();
  rows.forEach((row, i) => {
    const list = byCategory.get(row.category) ?? [];
    list.push(i);
    byCategory.set(row.category, list);
  });
  const fold = new Int32Array(rows.length);
  for (const category of [...byCategory.keys()].sort()) {
    const shuffled = (byCategory.get(category) ?? [])
      .map((i) => ({ i, key: random() }))
      .sort((a, b) => a.key - b.key);
    shuffled.forEach(({ i }, j) => (fold[i] = j % folds));
  }
  return fold;
}

export function crossValidateIntentModel(
  rows: readonly LabelledText[],
  alwaysTrain: readonly LabelledText[] = [],
  options: CrossValidationOptions = {},
): CrossValidationReport {
  const k = options.folds ?? 5;
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`folds must be an integer ≥ 2, got ${k}`);
  const inScope = rows.filter((row) => row.category !== OUT_OF_SCOPE);
  const outOfScope = [...rows, ...alwaysTrain].filter((row) => row.category === OUT_OF_SCOPE);
  const always = alwaysTrain.filter((row) => row.category !== OUT_OF_SCOPE);
  const fold = assignFolds(inScope, k, options.seed ?? 42);
  const pairs = new Map<string, number>();
  const results: FoldResult[] = [];
  for (let f = 0; f < k; f++) {
    const started = process.hrtime.bigint();
    const model = trainIntentModel(
      [...inScope.filter((_, i) => fold[i] !== f), ...always, ...outOfScope],
      options.train,
    );
    const trainSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const classifier = new LinearIntentClassifier(model);
    let n = 0;
    let top = 0;
    let right = 0;
    inScope.forEach((row, i) => {
      if (fold[i] !== f) return;
      n++;
      const prediction = classifier.classify(row.text);
      const best = prediction.alternatives[0]?.intent ?? prediction.intent;
      if (prediction.intent === row.category) right++;
      if (best === row.category) top++;
      else {
        const key = [row.category, best].sort().join('\u0000');
        pairs.set(key, (pairs.get(key) ?? 0) + 1);
      }
    });
    const caught = outOfScope.filter((row) => classifier.classify(row.text).intent === OUT_OF_SCOPE).length;
    const result: FoldResult = {
      fold: f,
      n,
      topIntentAccuracy: n === 0 ? 0 : top / n,
      accuracy: n === 0 ? 0 : right / n,
      outOfScopeRecall: outOfScope.length === 0 ? null : caught / outOfScope.length,
      trainSeconds,
    };
    results.push(result);
    options.onFold?.(result);
  }
  const scored = results.reduce((s, r) => s + r.n, 0);
  const weighted = (pick: (r: FoldResult) => number) =>
    scored === 0 ? 0 : results.reduce((s, r) => s + pick(r) * r.n, 0) / scored;
  return {
    folds: results,
    topIntentAccuracy: weighted((r) => r.topIntentAccuracy),
    accuracy: weighted((r) => r.accuracy),
    outOfScopeRecall:
      outOfScope.length === 0 ? null : results.reduce((s, r) => s + (r.outOfScopeRecall ?? 0), 0) / results.length,
    confusedPairs: [...pairs]
      .map(([key, errors]) => {
        const [a, b] = key.split('\u0000');
        return { intents: [a, b] as const, errors };
      })
      .sort((x, y) => y.errors - x.errors || x.intents.join().localeCompare(y.intents.join())),
  };
}
