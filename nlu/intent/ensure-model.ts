/** What the bot calls at start: use the saved intent model, or build it once from shipped data. */
import { join, resolve } from 'node:path';
import { isAttuneError } from '../../core/errors';
import { findProjectRoot } from '../../core/project-root';
import type { LinearIntentClassifier } from './classifier';
import { loadIntentModel, saveIntentModel } from './model-file';
import { trainIntentModel, type TrainOptions } from './train';
import { readLabelledCsvFiles } from './training-data';

/** Where the intent model lives, relative to the project root. */
export const DEFAULT_INTENT_MODEL_DIR = 'models/intent';

/** The project root (works from the sources and from dist/). */
export const projectRoot = findProjectRoot;

/**
 * The names of the training files shipped in `nlu/data`: BANKING77 train, attune's own extra
 * examples of the BANKING77 intents, the conversational intents, and the out-of-scope tuning
 * messages (used to measure the threshold, never as a class).
 */
export const SHIPPED_TRAINING_FILE_NAMES: readonly string[] = [
  'banking77-train.csv',
  'banking77-extra.csv',
  'conversational.csv',
  'out-of-scope.csv',
];

/** The shipped training files (`SHIPPED_TRAINING_FILE_NAMES`) as paths under `root`'s `nlu/data`. */
export function shippedTrainingFiles(root: string = projectRoot()): string[] {
  return SHIPPED_TRAINING_FILE_NAMES.map((f) => join(root, 'nlu', 'data', f));
}

/** Structured logger; pino's logger fits. */
export interface IntentModelLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface EnsureIntentModelOptions {
  readonly logger?: IntentModelLogger;
  readonly train?: TrainOptions;
}

/**
 * Loads the intent model in `dir`. When there is none, or it is invalid (corrupt, or from an
 * incompatible version), trains one from `trainingFiles`, saves it to `dir` and returns it.
 * Never retrains when a valid model is there. Fails with ATTUNE_NLU_DATA_INVALID when it has to
 * train and the data is missing or malformed.
 */
export async function ensureIntentModel(
  dir: string = resolve(projectRoot(), DEFAULT_INTENT_MODEL_DIR),
  trainingFiles: readonly string[] = shippedTrainingFiles(),
  options: EnsureIntentModelOptions = {},
): Promise<LinearIntentClassifier> {
  const { logger } = options;
  try {
    const classifier = await loadIntentModel(dir);
    logger?.info({ dir, trainedAt: classifier.model.summary.trainedAt }, 'intent model loaded');
    return classifier;
  } catch (error) {
    if (!isAttuneError(error, 'ATTUNE_NLU_MODEL_INVALID')) throw error;
    logger?.warn({ dir, reason: error.message }, 'no usable intent model; training one from the shipped data');
  }
  const rows = await readLabelledCsvFiles(trainingFiles);
  const model = trainIntentModel(rows, options.train);
  const file = await saveIntentModel(model, dir);
  logger?.info({ file, ...model.summary }, 'intent model trained and saved');
  return loadIntentModel(dir);
}
