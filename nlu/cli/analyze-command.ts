import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { extractEntities } from '../entities';
import { DEFAULT_INTENT_MODEL_DIR, loadIntentModel, projectRoot } from '../intent';
import { Recognizer } from '../recognizer';
import { loadSentimentAnalyzer } from '../sentiment';
import type { Understanding } from '../types';
import { parseOptions } from './args';
import type { CliIo } from './io';

/** One analysed message: what the bot's Intent stage makes of it. */
export interface AnalyzedMessage extends Understanding {
  readonly text: string;
}

/**
 * `analyze [--model <intent dir>] [--sentiment-model <dir>]`: one message per stdin line → one
 * JSON object per stdout line with intent, confidence, alternatives, entities, sentiment and cues.
 */
export async function analyzeCommand(args: readonly string[], io: CliIo): Promise<number> {
  const options = parseOptions('analyze', args, ['model', 'sentiment-model']);
  const root = projectRoot();
  const [classifier, sentiment] = await Promise.all([
    loadIntentModel(options.model ?? resolve(root, DEFAULT_INTENT_MODEL_DIR)),
    loadSentimentAnalyzer(options.sentimentModel ?? resolve(root, 'models', 'sentiment')),
  ]);
  const recognizer = new Recognizer(classifier, sentiment, extractEntities);
  const lines = createInterface({ input: io.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    const text = line.trim();
    if (text === '') continue;
    const result: AnalyzedMessage = { text, ...recognizer.understand(text) };
    io.stdout.write(`${JSON.stringify(result)}\n`);
  }
  return 0;
}
