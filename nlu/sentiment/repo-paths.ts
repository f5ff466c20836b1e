import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The repository root: the nearest folder above this file with a package.json. Works both from
 * the TypeScript sources (tests) and from the compiled `dist/` tree.
 */
export function repoRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return from;
    dir = parent;
  }
}

/** Where the shipped sentiment model lives. */
export function defaultModelDir(): string {
  return path.join(repoRoot(), 'models', 'sentiment');
}

/** The project's own labelled customer-service examples. */
export function ownExamplesFile(): string {
  return path.join(repoRoot(), 'nlu', 'data', 'sentiment-examples.tsv');
}

export const MODEL_FILE_NAME = 'sentiment-model.json';
