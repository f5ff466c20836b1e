import { statSync } from 'node:fs';
import { saveIntentModel, trainIntentModel, readLabelledCsvFiles } from '../intent';
import { parseOptions, required } from './args';
import { UsageError, type CliIo } from './io';

/** `train --data <csv> [--data <csv> …] --out <dir>` */
export async function trainCommand(args: readonly string[], io: CliIo): Promise<number> {
  const options = parseOptions('train', args, ['data', 'out']);
  if (options.data.length === 0) throw new UsageError('train: at least one --data <csv> is required');
  const out = required('train', 'out', options.out);
  const rows = await readLabelledCsvFiles(options.data);
  const model = trainIntentModel(rows, { onProgress: (message) => io.stderr.write(`train: ${message}\n`) });
  const file = await saveIntentModel(model, out);
  const s = model.summary;
  io.stdout.write(
    [
      `model            ${file} (${statSync(file).size} bytes)`,
      `intents          ${model.labels.length}`,
      `features         ${model.vocabulary.hashes.length}`,
      `training rows    ${s.trainingRows} in scope, ${s.outOfScopeRows} out of scope`,
      `held-out acc.    ${s.calibrationAccuracy.toFixed(4)} (${s.calibrationAccuracyWithThreshold.toFixed(4)} with threshold, ${s.calibrationRows} rows)`,
      `temperature      ${model.temperature.toFixed(4)}`,
      `oos threshold    ${model.threshold.toFixed(4)}`,
      `oos recall       ${s.outOfScopeRecall === null ? 'n/a (no oos rows)' : s.outOfScopeRecall.toFixed(4)}`,
      `train time       ${s.trainSeconds.toFixed(1)} s`,
      '',
    ].join('\n'),
  );
  return 0;
}
