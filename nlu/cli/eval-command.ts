import { evaluateClassifier, loadIntentModel, readLabelledCsvFiles } from '../intent';
import { parseOptions, required } from './args';
import { UsageError, type CliIo } from './io';

const pad = (text: string | number, width: number): string => String(text).padEnd(width);
const num = (x: number): string => x.toFixed(4);

/** `eval --model <dir> --data <csv>`: a per-intent table, then overall metrics, then the JSON line. */
export async function evalCommand(args: readonly string[], io: CliIo): Promise<number> {
  const options = parseOptions('eval', args, ['model', 'data']);
  const modelDir = required('eval', 'model', options.model);
  if (options.data.length === 0) throw new UsageError('eval: --data <csv> is required');
  const classifier = await loadIntentModel(modelDir);
  const rows = await readLabelledCsvFiles(options.data);
  const report = evaluateClassifier(classifier, rows);
  const width = Math.max(10, ...report.perIntent.map((m) => m.intent.length)) + 2;
  const lines = [`${pad('intent', width)}precision recall    f1        support`];
  for (const m of report.perIntent) {
    lines.push(`${pad(m.intent, width)}${pad(num(m.precision), 10)}${pad(num(m.recall), 10)}${pad(num(m.f1), 10)}${m.support}`);
  }
  const { summary, inScope } = report;
  lines.push(
    '',
    `messages               ${summary.n}`,
    `accuracy               ${num(summary.accuracy)}`,
    `macro-F1               ${num(summary.macroF1)}`,
  );
  if (inScope.n > 0) {
    lines.push(
      `in-scope accuracy      ${num(inScope.accuracy)} (top intent, no threshold: ${num(inScope.topIntentAccuracy)}; ` +
        `threshold costs ${((inScope.topIntentAccuracy - inScope.accuracy) * 100).toFixed(2)} points)`,
    );
  }
  if (summary.oosRecall !== null && summary.oosPrecision !== null) {
    lines.push(`oos recall/precision   ${num(summary.oosRecall)} / ${num(summary.oosPrecision)}`);
  }
  lines.push(`latency p50/p99        ${summary.p50us} / ${summary.p99us} µs`, JSON.stringify(summary));
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
