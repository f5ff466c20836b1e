/**
 * The intent classifier benchmark: trains on the shipped data as a fresh deployment would, then
 * measures quality and speed on data training never saw (BANKING77 test, the held-out
 * out-of-scope and conversational messages). Run it with `nlu bench`.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SHIPPED_TRAINING_FILE_NAMES } from './ensure-model';
import { evaluateClassifier, type EvaluationReport } from './evaluation';
import { loadIntentModel, saveIntentModel } from './model-file';
import { trainIntentModel } from './train';
import { readLabelledCsv, readLabelledCsvFiles } from './training-data';

export interface BenchmarkReport {
  readonly trainSeconds: number;
  readonly modelBytes: number;
  /** Median of three loads of the saved file into a ready classifier. */
  readonly loadMs: number;
  readonly banking77Test: EvaluationReport;
  readonly outOfScopeTest: EvaluationReport;
  readonly conversationalTest: EvaluationReport;
  /** BANKING77 test and out-of-scope test together: oos precision against real in-scope traffic. */
  readonly mixed: EvaluationReport;
}

/** Runs the benchmark on the files of `dataDir` (the shipped `nlu/data`). */
export async function runIntentBenchmark(dataDir: string): Promise<BenchmarkReport> {
  const file = (name: string) => join(dataDir, name);
  const training = await readLabelledCsvFiles(SHIPPED_TRAINING_FILE_NAMES.map(file));
  const started = process.hrtime.bigint();
  const model = trainIntentModel(training);
  const trainSeconds = Number(process.hrtime.bigint() - started) / 1e9;

  const dir = await mkdtemp(join(tmpdir(), 'attune-intent-bench-'));
  try {
    const saved = await saveIntentModel(model, dir);
    const modelBytes = (await stat(saved)).size;
    const loads: number[] = [];
    let classifier = await loadIntentModel(dir);
    for (let i = 0; i < 3; i++) {
      const t = process.hrtime.bigint();
      classifier = await loadIntentModel(dir);
      loads.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    loads.sort((a, b) => a - b);
    const banking = await readLabelledCsv(file('banking77-test.csv'));
    const oos = await readLabelledCsv(file('out-of-scope-test.csv'));
    const conversational = await readLabelledCsv(file('conversational-test.csv'));
    return {
      trainSeconds,
      modelBytes,
      loadMs: loads[1],
      banking77Test: evaluateClassifier(classifier, banking),
      outOfScopeTest: evaluateClassifier(classifier, oos),
      conversationalTest: evaluateClassifier(classifier, conversational),
      mixed: evaluateClassifier(classifier, [...banking, ...oos]),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
