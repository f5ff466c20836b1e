/** Measures an intent classifier on labelled messages: quality per intent, overall, and speed. */
import { OUT_OF_SCOPE, type IntentClassifier } from '../types';
import type { LabelledText } from './training-data';

export interface IntentMetrics {
  readonly intent: string;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** Messages whose true category is this intent. */
  readonly support: number;
}

/** The one-line summary `eval` prints last; the field names are a contract. */
export interface EvaluationSummary {
  readonly n: number;
  /** Share of messages whose answer (after the out-of-scope threshold) equals the category. */
  readonly accuracy: number;
  /** Mean F1 over the categories present in the data (`oos` included when present). */
  readonly macroF1: number;
  /** Share of `oos` messages answered `oos`; null when the data has none. */
  readonly oosRecall: number | null;
  /** Share of `oos` answers whose message really was `oos`; null when the data has none. */
  readonly oosPrecision: number | null;
  /** Median and 99th-percentile time of one `classify` call, in microseconds. */
  readonly p50us: number;
  readonly p99us: number;
}

export interface EvaluationReport {
  readonly summary: EvaluationSummary;
  readonly perIntent: readonly IntentMetrics[];
  /** In-scope messages only: accuracy of the answer, and of the top intent ignoring the threshold. */
  readonly inScope: { readonly n: number; readonly accuracy: number; readonly topIntentAccuracy: number };
}

/** Nearest-rank percentile of ascending `sorted`. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

const round = (x: number, digits = 4): number => Number(x.toFixed(digits));

/** Untimed calls before timing, so latencies describe a running bot rather than the JIT compiler. */
const WARM_UP_CALLS = 2000;

/** Classifies every row once and compares with its category. */
export function evaluateClassifier(classifier: IntentClassifier, rows: readonly LabelledText[]): EvaluationReport {
  for (let i = 0; i < Math.min(WARM_UP_CALLS, rows.length * 20); i++) classifier.classify(rows[i % rows.length].text);
  const micros = new Float64Array(rows.length);
  const answers: string[] = [];
  const topIntents: string[] = [];
  rows.forEach((row, i) => {
    const started = process.hrtime.bigint();
    const prediction = classifier.classify(row.text);
    micros[i] = Number(process.hrtime.bigint() - started) / 1000;
    answers.push(prediction.intent);
    topIntents.push(prediction.alternatives[0]?.intent ?? prediction.intent);
  });
  micros.sort();

  const truePositive = new Map<string, number>();
  const predicted = new Map<string, number>();
  const actual = new Map<string, number>();
  const add = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  let correct = 0;
  let inScope = 0;
  let inScopeCorrect = 0;
  let inScopeTopCorrect = 0;
  rows.forEach((row, i) => {
    add(actual, row.category);
    add(predicted, answers[i]);
    if (answers[i] === row.category) {
      correct++;
      add(truePositive, row.category);
    }
    if (row.category !== OUT_OF_SCOPE) {
      inScope++;
      if (answers[i] === row.category) inScopeCorrect++;
      if (topIntents[i] === row.category) inScopeTopCorrect++;
    }
  });
  const f1s: number[] = [];
  const perIntent = [...actual.keys()].sort().map((intent): IntentMetrics => {
    const tp = truePositive.get(intent) ?? 0;
    const p = predicted.get(intent) ?? 0;
    const support = actual.get(intent) ?? 0;
    const precision = p === 0 ? 0 : tp / p;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    f1s.push(f1);
    return { intent, precision: round(precision), recall: round(recall), f1: round(f1), support };
  });
  const oos = perIntent.find((m) => m.intent === OUT_OF_SCOPE);
  const n = rows.length;
  return {
    summary: {
      n,
      accuracy: round(n === 0 ? 0 : correct / n),
      macroF1: round(f1s.length === 0 ? 0 : f1s.reduce((s, f1) => s + f1, 0) / f1s.length),
      oosRecall: oos ? oos.recall : null,
      oosPrecision: oos ? oos.precision : null,
      p50us: round(percentile(micros, 50), 1),
      p99us: round(percentile(micros, 99), 1),
    },
    perIntent,
    inScope: {
      n: inScope,
      accuracy: round(inScope === 0 ? 0 : inScopeCorrect / inScope),
      topIntentAccuracy: round(inScope === 0 ? 0 : inScopeTopCorrect / inScope),
    },
  };
}
