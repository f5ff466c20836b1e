import { crossValidateIntentModel, readLabelledCsvFiles, type FoldResult } from '../intent';
import { parseOptions } from './args';
import { UsageError, type CliIo } from './io';

const pct = (x: number | null): string => (x === null ? 'n/a' : `${(x * 100).toFixed(2)}%`);

/** How many confused pairs the report lists. */
const PAIRS_SHOWN = 25;

function integer(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`cv: --${name} must be an integer ≥ ${min}, got "${value}"`);
  return n;
}

/** `cv --data <csv> … [--extra <csv> …] [--folds 5] [--seed 42]` */
export async function cvCommand(args: readonly string[], io: CliIo): Promise<number> {
  const options = parseOptions('cv', args, ['data', 'extra', 'folds', 'seed']);
  if (options.data.length === 0) throw new UsageError('cv: at least one --data <csv> is required');
  const folds = integer('folds', options.folds, 5, 2);
  const seed = integer('seed', options.seed, 42, 0);
  const rows = await readLabelledCsvFiles(options.data);
  const extra = options.extra.length > 0 ? await readLabelledCsvFiles(options.extra) : [];
  const foldLine = (r: FoldResult) =>
    `fold ${r.fold}  n=${r.n}  top intent ${pct(r.topIntentAccuracy)}  with threshold ${pct(r.accuracy)}  ` +
    `oos recall ${pct(r.outOfScopeRecall)}  trained in ${r.trainSeconds.toFixed(1)} s\n`;
  const report = crossValidateIntentModel(rows, extra, {
    folds,
    seed,
    onFold: (r) => io.stderr.write(foldLine(r)),
  });
  io.stdout.write(
    [
      ...report.folds.map((r) => foldLine(r).trimEnd()),
      `mean    top intent ${pct(report.topIntentAccuracy)}  with threshold ${pct(report.accuracy)}  oos recall ${pct(report.outOfScopeRecall)}`,
      'most-confused pairs (errors either way):',
      ...report.confusedPairs.slice(0, PAIRS_SHOWN).map((p) => `  ${String(p.errors).padStart(4)}  ${p.intents[0]} <> ${p.intents[1]}`),
      JSON.stringify({
        folds,
        seed,
        topIntentAccuracy: Number(report.topIntentAccuracy.toFixed(4)),
        accuracy: Number(report.accuracy.toFixed(4)),
        outOfScopeRecall: report.outOfScopeRecall === null ? null : Number(report.outOfScopeRecall.toFixed(4)),
        perFold: report.folds.map((r) => Number(r.topIntentAccuracy.toFixed(4))),
      }),
      '',
    ].join('\n'),
  );
  return 0;
}
