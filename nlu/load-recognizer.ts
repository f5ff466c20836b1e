/**
 * Loads the local NLU models at start (in parallel, asynchronously) and composes the Recognizer.
 * The intent model is trained once from the shipped data if it is missing; it is never retrained
 * on a start that finds a valid model.
 */
import path from 'node:path';
import type { Logger } from '../core/logger';
import { extractEntities } from './entities';
import { ensureIntentModel, loadIntentModel, shippedTrainingFiles } from './intent';
import { Recognizer } from './recognizer';
import { loadSentimentAnalyzer } from './sentiment';

export async function loadRecognizer(modelDir: string, logger: Logger): Promise<Recognizer> {
  const started = Date.now();
  const [classifier, sentiment] = await Promise.all([
    ensureIntentModel(path.join(modelDir, 'intent'), shippedTrainingFiles(), { logger }),
    loadSentimentAnalyzer(path.join(modelDir, 'sentiment')),
  ]);
  logger.info({ ms: Date.now() - started, modelDir }, 'NLU models loaded');
  return new Recognizer(classifier, sentiment, extractEntities);
}

/** The recognizer over models that are already there (an NLU thread's: it never trains). */
export async function loadTrainedRecognizer(modelDir: string): Promise<Recognizer> {
  const [classifier, sentiment] = await Promise.all([loadIntentModel(path.join(modelDir, 'intent')), loadSentimentAnalyzer(path.join(modelDir, 'sentiment'))]);
  return new Recognizer(classifier, sentiment, extractEntities);
}
