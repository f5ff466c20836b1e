/**
 * Measures the shipped sentiment model: 3-class macro-F1 on the airline tweets (measurement only:
 * CC BY-NC-SA, never trained or tuned on) and on GoEmotions test, per-class F1, latency, load time
 * and model size. Reads the datasets from ATTUNE_DATASETS_DIR (default /work/shared/datasets).
 *
 *   npx tsc -p tsconfig.build.json && node dist/nlu/sentiment/bench.js [--model DIR]
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { LinearSentimentAnalyzer } from './analyzer';
import { datasetsDir, loadAirlineTweets, loadGoEmotions, type LabelledText } from './datasets';
import { POLARITIES, type Polarity } from './linear-model';
import { polarityReport, type PolarityReport } from './metrics';
import { readModelFile } from './model-file';
import { defaultModelDir, MODEL_FILE_NAME } from './repo-paths';
import { runMain } from '../../core/run-main';

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

function describe(name: string, report: PolarityReport, rows: number): void {
  const perClass = POLARITIES.map((label) => `${label} ${report.perClass[label].f1.toFixed(3)}`).join(', ');
  print(`${name}: macro-F1 ${report.macroF1.toFixed(4)} (accuracy ${report.accuracy.toFixed(4)}, ${rows} rows; F1 ${perClass})`);
}

function evaluate(analyzer: LinearSentimentAnalyzer, rows: readonly LabelledText[]): PolarityReport {
  const predicted: Polarity[] = rows.map((row) => analyzer.analyzeDetailed(row.text).polarity);
  return polarityReport(rows.map((row) => row.polarity), predicted);
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<number> {
  const root = datasetsDir();
  const airlineFile = path.join(root, 'airline-sentiment', 'tweets.csv');
  const goDir = path.join(root, 'goemotions');
  const missing = [airlineFile, path.join(goDir, 'test.tsv')].filter((file) => !existsSync(file));
  if (missing.length > 0) {
    process.stderr.write(`bench: dataset(s) missing: ${missing.join(', ')} (set ATTUNE_DATASETS_DIR)\n`);
    return 2;
  }
  const modelDir = process.argv.includes('--model') ? process.argv[process.argv.indexOf('--model') + 1] : defaultModelDir();

  const loadStart = performance.now();
  const analyzer = new LinearSentimentAnalyzer(await readModelFile(modelDir));
  const loadMs = performance.now() - loadStart;
  const bytes = statSync(path.join(modelDir, MODEL_FILE_NAME)).size;
  print(`model: ${path.join(modelDir, MODEL_FILE_NAME)} ${bytes} bytes (${(bytes / 1048576).toFixed(2)} MiB), load ${loadMs.toFixed(0)} ms`);

  const airline = await loadAirlineTweets(airlineFile);
  const goTest = await loadGoEmotions(goDir, 'test');
  describe('airline tweets (all rows, @mentions normalised)', evaluate(analyzer, airline), airline.length);
  describe('GoEmotions test (3-class grouping)', evaluate(analyzer, goTest), goTest.length);

  // Latency: every text once more, timed one call at a time after the evaluation warmed the JIT.
  const texts = [...airline, ...goTest].map((row) => row.text);
  const times = new Float64Array(texts.length);
  texts.forEach((text, i) => {
    const start = process.hrtime.bigint();
    analyzer.analyze(text);
    times[i] = Number(process.hrtime.bigint() - start) / 1000;
  });
  times.sort();
  print(`latency per message: p50 ${percentile(times, 50).toFixed(0)} µs, p99 ${percentile(times, 99).toFixed(0)} µs, max ${times[times.length - 1].toFixed(0)} µs (${texts.length} messages)`);
  return 0;
}

runMain('sentiment-bench', main);
