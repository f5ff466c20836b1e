/** Sentiment and emotion cues for one customer message (offline, sub-millisecond). */
import type { SentimentAnalyzer } from '../types';
import { LinearSentimentAnalyzer } from './analyzer';
import { readModelFile } from './model-file';
import { defaultModelDir } from './repo-paths';

export { LinearSentimentAnalyzer, type DetailedReading } from './analyzer';
export { parseModel, readModelFile, serializeModel, writeModelFile, type SentimentModel } from './model-file';
export { trainSentimentModel, type TrainOptions, type TrainResult } from './train';
export { defaultModelDir } from './repo-paths';

/**
 * Loads the shipped sentiment model (default `models/sentiment/`) and returns an analyser.
 * Fails with ATTUNE_NLU_MODEL_INVALID when the file is missing, unreadable or malformed.
 */
export async function loadSentimentAnalyzer(dir: string = defaultModelDir()): Promise<SentimentAnalyzer> {
  return new LinearSentimentAnalyzer(await readModelFile(dir));
}
