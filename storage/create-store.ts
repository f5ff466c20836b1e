import { AttuneError } from '../core/errors';
import { createLogger, type Logger } from '../core/logger';
import { openEmbeddedStore, openMemoryStore } from './embedded/open-embedded-store';
import { openMongoStore } from './mongodb/open-mongo-store';
import type { AttuneStore } from './ports';

/** Which backend to open, and its settings. */
export type StoreConfig =
  /** In-memory, empty on every open: unit tests only. */
  | { readonly kind: 'memory' }
  /** File-backed (nedb) in `dataDir`, locked for one process: the default. */
  | { readonly kind: 'embedded'; readonly dataDir: string }
  /** MongoDB: production. `dbName` defaults to the connection string's database, else `attune`. */
  | {
      readonly kind: 'mongodb';
      readonly uri: string;
      readonly dbName?: string;
      /** Default 2000 ms: how long a call waits for a reachable server before failing. */
      readonly serverSelectionTimeoutMs?: number;
    };

/**
 * Opens the store the configuration asks for. An unknown kind fails loudly; it never falls back to
 * another backend.
 *
 * @param logger Where the store reports what it repaired at open (embedded: a line a crash left
 *   unfinished). Default: warnings to stderr (command-line tools keep stdout for their output).
 * @throws AttuneError `ATTUNE_STORAGE_KIND_UNKNOWN` for an unknown kind, `ATTUNE_CONFIG_INVALID` for
 *   a missing or malformed setting, `ATTUNE_DATA_DIR_LOCKED` (embedded) when another process holds
 *   the directory, `ATTUNE_STORAGE_UNAVAILABLE` (mongodb) when the server cannot be reached.
 */
export async function createStore(config: StoreConfig, logger?: Logger): Promise<AttuneStore> {
  // The config may come from untyped input (environment, JSON); check what the types promise.
  if (config === null || typeof config !== 'object') throw unknownKind(config);
  switch (config.kind) {
    case 'memory':
      return openMemoryStore();
    case 'embedded':
      requireText(config.dataDir, 'dataDir');
      return openEmbeddedStore(config.dataDir, logger ?? createLogger('warn', process.stderr));
    case 'mongodb': {
      requireText(config.uri, 'uri');
      const timeout = config.serverSelectionTimeoutMs;
      if (timeout !== undefined && !(Number.isFinite(timeout) && timeout > 0)) {
        const message = 'serverSelectionTimeoutMs must be a positive number of milliseconds.';
        throw new AttuneError('ATTUNE_CONFIG_INVALID', message);
      }
      return openMongoStore(config);
    }
    default: {
      const unexpected: never = config;
      throw unknownKind((unexpected as { kind?: unknown }).kind);
    }
  }
}

function unknownKind(kind: unknown): AttuneError {
  return new AttuneError(
    'ATTUNE_STORAGE_KIND_UNKNOWN',
    `Unknown storage kind ${JSON.stringify(kind) ?? String(kind)}; expected "memory", "embedded" or "mongodb".`,
  );
}

function requireText(value: unknown, name: string): void {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new AttuneError('ATTUNE_CONFIG_INVALID', `The storage setting ${name} must be a non-empty string.`);
  }
}
