import { join } from 'node:path';
import { extractEntities } from '../entities';
import { maskCardNumbers } from '../entities/card-numbers';
import { projectRoot } from '../intent';
import { runIntentBenchmark } from '../intent/bench';
import { percentile } from '../intent/evaluation';
import { readLabelledCsv } from '../intent/training-data';
import { parseOptions } from './args';
import type { CliIo } from './io';

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;

/** `bench [--data-dir <dir>]`: trains on the shipped data and prints quality, speed and size. */
export async function benchCommand(args: readonly string[], io: CliIo): Promise<number> {
  const options = parseOptions('bench', args, ['data-dir']);
  io.stderr.write('bench: training on the shipped data…\n');
  const dataDir = options.dataDir ?? join(projectRoot(), 'nlu', 'data');
  const r = await runIntentBenchmark(dataDir);
  const entities = entityLatency((await readLabelledCsv(join(dataDir, 'banking77-test.csv'))).map((row) => row.text));
  const b = r.banking77Test;
  const drop = b.inScope.topIntentAccuracy - b.inScope.accuracy;
  const line = (label: string, report: typeof b) =>
    `${label.padEnd(28)}n=${report.summary.n}  accuracy ${pct(report.summary.accuracy)}  macro-F1 ${pct(report.summary.macroF1)}  ` +
    `p50 ${report.summary.p50us} µs  p99 ${report.summary.p99us} µs`;
  io.stdout.write(
    [
      `train time                  ${r.trainSeconds.toFixed(1)} s`,
      `model size                  ${r.modelBytes} bytes (${(r.modelBytes / 1048576).toFixed(2)} MiB)`,
      `model load                  ${r.loadMs.toFixed(1)} ms`,
      line('BANKING77 test', b),
      `  top intent, no threshold  ${pct(b.inScope.topIntentAccuracy)} (threshold costs ${(drop * 100).toFixed(2)} points)`,
      line('out-of-scope held out', r.outOfScopeTest),
      `  oos recall                ${pct(r.outOfScopeTest.summary.oosRecall ?? 0)}`,
      line('conversational held out', r.conversationalTest),
      line('BANKING77 test + oos', r.mixed),
      `  oos recall / precision    ${pct(r.mixed.summary.oosRecall ?? 0)} / ${pct(r.mixed.summary.oosPrecision ?? 0)}`,
      `entities + card masking     n=${entities.n}  p50 ${entities.p50us} µs  p99 ${entities.p99us} µs`,
      JSON.stringify({
        trainSeconds: Number(r.trainSeconds.toFixed(2)),
        modelBytes: r.modelBytes,
        loadMs: Number(r.loadMs.toFixed(1)),
        banking77: { ...b.summary, topIntentAccuracy: b.inScope.topIntentAccuracy },
        oosHeldOut: r.outOfScopeTest.summary,
        conversationalHeldOut: r.conversationalTest.summary,
        mixed: r.mixed.summary,
        entities,
      }),
      '',
    ].join('\n'),
  );
  return 0;
}

/** What a turn spends on card masking and entity extraction, per message of `texts` (after a warm-up pass). */
function entityLatency(texts: readonly string[]): { n: number; p50us: number; p99us: number } {
  const now = new Date();
  for (const text of texts) extractEntities(maskCardNumbers(text).text, now);
  const micros = texts.map((text) => {
    const started = process.hrtime.bigint();
    extractEntities(maskCardNumbers(text).text, now);
    return Number(process.hrtime.bigint() - started) / 1000;
  });
  micros.sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 10) / 10;
  return { n: texts.length, p50us: round(percentile(micros, 50)), p99us: round(percentile(micros, 99)) };
}
