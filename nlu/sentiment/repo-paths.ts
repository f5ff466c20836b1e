import path from 'node:path';
import { findProjectRoot } from '../../core/project-root';

/** The repository root (works from the sources and from dist/). */
export const repoRoot = findProjectRoot;

/** Where the shipped sentiment model lives. */
export function defaultModelDir(): string {
  return path.join(repoRoot(), 'models', 'sentiment');
}

/** The project's own labelled customer-service examples. */
export function ownExamplesFile(): string {
  return path.join(repoRoot(), 'nlu', 'data', 'sentiment-examples.tsv');
}

export const MODEL_FILE_NAME = 'sentiment-model.json';
