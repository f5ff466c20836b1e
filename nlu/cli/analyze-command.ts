import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { DEFAULT_INTENT_MODEL_DIR, loadIntentModel, projectRoot } from '../intent';
import type { IntentPrediction } from '../types';
import { parseOptions } from './args';
import type { CliIo } from './io';

/** One analysed message. An object, so more readings (entities, sentiment) can join it. */
export interface AnalyzedMessage {
  readonly text: string;
  readonly intent: IntentPrediction;
}

/** `analyze [--model <dir>]`: one message per stdin line → one JSON object per stdout line. */
export async function analyzeCommand(args: readonly string[], io: CliIo): Promise<number> {
  const options = parseOptions('analyze', args, ['model']);
  const classifier = await loadIntentModel(options.model ?? resolve(projectRoot(), DEFAULT_INTENT_MODEL_DIR));
  const lines = createInterface({ input: io.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    const text = line.trim();
    if (text === '') continue;
    const result: AnalyzedMessage = { text, intent: classifier.classify(text) };
    io.stdout.write(`${JSON.stringify(result)}\n`);
  }
  return 0;
}
