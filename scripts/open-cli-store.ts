/**
 * Opens the store the bot uses (same environment: DATA_DIR or MONGODB_URI) for a command-line
 * tool (scripts/agents.ts, customers.ts, seed.ts): with embedded storage held by a running bot, it
 * says so and stops rather than lose writes (DESIGN.md §3).
 */
import { loadConfig, type StorageSettings } from '../config/app-config';
import { isAttuneError } from '../core/errors';
import { findProjectRoot } from '../core/project-root';
import { createStore } from '../storage/create-store';
import type { AttuneStore } from '../storage/ports';
import type { Writable } from '../core/command-line';

/** The open store, or undefined after the reason was written to `err` (exit code 1). */
export async function openCliStore(command: string, env: Readonly<Record<string, string | undefined>>, err: Writable): Promise<AttuneStore | undefined> {
  let storage: StorageSettings;
  try {
    storage = loadConfig(env, findProjectRoot()).storage;
  } catch (error) {
    err.write(`${command}: ${errorMessage(error)}\n`);
    return undefined;
  }
  try {
    return await createStore(storage);
  } catch (error) {
    if (isAttuneError(error, 'ATTUNE_DATA_DIR_LOCKED') && storage.kind === 'embedded') {
      err.write(
        `${command}: the bot is running on DATA_DIR ${storage.dataDir}; stop it or run this against MongoDB (MONGODB_URI). ` +
          `Nothing was changed.\n  (${error.message})\n`,
      );
      return undefined;
    }
    err.write(`${command}: could not open the store: ${errorMessage(error)}\n`);
    return undefined;
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
