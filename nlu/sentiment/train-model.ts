/**
 * Rebuilds models/sentiment/sentiment-model.json from GoEmotions (shared datasets) and
 * nlu/data/sentiment-examples.tsv. Deterministic: the same inputs give the same bytes.
 *
 *   npx tsc -p tsconfig.build.json && node dist/nlu/sentiment/train-model.js [--out DIR] [--goemotions DIR]
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { datasetsDir } from './datasets';
import { writeModelFile } from './model-file';
import { defaultModelDir } from './repo-paths';
import { trainSentimentModel } from './train';
import { runMain } from '../../core/run-main';

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

async function main(): Promise<number> {
  const goEmotionsDir = option('--goemotions') ?? path.join(datasetsDir(), 'goemotions');
  if (!existsSync(path.join(goEmotionsDir, 'train.tsv'))) {
    process.stderr.write(`GoEmotions not found in ${goEmotionsDir} (set --goemotions or ATTUNE_DATASETS_DIR)\n`);
    return 2;
  }
  const out = option('--out') ?? defaultModelDir();
  const { model, seconds } = await trainSentimentModel({ goEmotionsDir, log: (line) => process.stdout.write(`${line}\n`) });
  const file = await writeModelFile(out, model);
  process.stdout.write(`wrote ${file} (training ${seconds.toFixed(1)} s)\n`);
  return 0;
}

runMain('train-model', main);
