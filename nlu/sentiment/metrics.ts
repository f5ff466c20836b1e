/** Classification metrics for the 3-class polarity decision. */
import { POLARITIES, type Polarity } from './linear-model';

export interface ClassReport {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly support: number;
}

export interface PolarityReport {
  readonly macroF1: number;
  readonly accuracy: number;
  readonly perClass: Readonly<Record<Polarity, ClassReport>>;
}

export function polarityReport(gold: readonly Polarity[], predicted: readonly Polarity[]): PolarityReport {
  if (gold.length !== predicted.length) throw new Error('polarityReport: lengths differ');
  const perClass = {} as Record<Polarity, ClassReport>;
  let correct = 0;
  gold.forEach((label, i) => {
    if (label === predicted[i]) correct += 1;
  });
  let f1Sum = 0;
  for (const label of POLARITIES) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    gold.forEach((g, i) => {
      const p = predicted[i];
      if (p === label && g === label) tp += 1;
      else if (p === label) fp += 1;
      else if (g === label) fn += 1;
    });
    const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
    const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    perClass[label] = { precision, recall, f1, support: tp + fn };
    f1Sum += f1;
  }
  return { macroF1: f1Sum / POLARITIES.length, accuracy: gold.length === 0 ? 0 : correct / gold.length, perClass };
}
