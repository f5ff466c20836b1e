import { MongoClient, type Db } from 'mongodb';
import { AttuneError } from '../../core/errors';
import type { StoredDocument } from '../document-collection';
import {
  openDocumentStore,
  type CollectionName,
  type DocumentBackend,
} from '../documents/document-store';
import type { AttuneStore } from '../ports';
import { StoreLifecycle } from '../store-lifecycle';
import { MongoCollection, toStorageError } from './mongo-collection';

/** How long an operation waits for a reachable server before failing (ATTUNE_STORAGE_UNAVAILABLE). */
export const DEFAULT_SERVER_SELECTION_TIMEOUT_MS = 2000;

/**
 * How long an operation may wait for the server's answer on an open connection. Without it a
 * server that keeps the connection open but stops answering (frozen, partitioned) hangs a turn
 * for as long as the operating system keeps the socket (tested in test/e2e/mongo-outage.test.ts).
 */
export const DEFAULT_OPERATION_TIMEOUT_MS = 3000;

/** The database used when neither `dbName` nor the connection string names one. */
export const DEFAULT_DB_NAME = 'attune';

export interface MongoStoreOptions {
  readonly uri: string;
  /** Overrides the database named in the connection string (default `attune`). */
  readonly dbName?: string;
  readonly serverSelectionTimeoutMs?: number;
  /** Default DEFAULT_OPERATION_TIMEOUT_MS; raise it for long analytics queries on large data. */
  readonly operationTimeoutMs?: number;
}

/**
 * Connects to MongoDB and creates the indexes. A server that does not answer within the
 * server-selection timeout fails the open (and later calls) fast instead of hanging a turn.
 *
 * @throws AttuneError `ATTUNE_CONFIG_INVALID` for a malformed connection string,
 *   `ATTUNE_STORAGE_UNAVAILABLE` when the server cannot be reached or refuses the connection.
 */
export async function openMongoStore(options: MongoStoreOptions): Promise<AttuneStore> {
  const timeoutMs = options.serverSelectionTimeoutMs ?? DEFAULT_SERVER_SELECTION_TIMEOUT_MS;
  let client: MongoClient;
  try {
    client = new MongoClient(options.uri, {
      serverSelectionTimeoutMS: timeoutMs,
      // Bounded on connections that are open too: a frozen server fails the call, it never hangs it.
      connectTimeoutMS: timeoutMs,
      socketTimeoutMS: options.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS,
      // Optional fields left undefined must stay absent, not come back as null.
      ignoreUndefined: true,
      appName: 'attune',
    });
  } catch (error) {
    // The driver's message may quote the connection string; it can hold a password, so it stays in `cause`.
    throw new AttuneError('ATTUNE_CONFIG_INVALID', 'The MongoDB connection string is not valid.', { cause: error });
  }
  try {
    await client.connect();
  } catch (error) {
    await client.close().catch(() => undefined);
    throw new AttuneError('ATTUNE_STORAGE_UNAVAILABLE', `MongoDB did not accept a connection within ${timeoutMs} ms.`, {
      cause: error,
    });
  }
  const db = client.db(options.dbName ?? databaseInUri(options.uri) ?? DEFAULT_DB_NAME);
  return openDocumentStore(new MongoBackend(client, db, timeoutMs));
}

class MongoBackend implements DocumentBackend {
  readonly kind = 'mongodb';
  private readonly lifecycle: StoreLifecycle;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
    private readonly timeoutMs: number,
  ) {
    this.lifecycle = new StoreLifecycle(`MongoDB (${db.databaseName})`);
  }

  async openCollection<TDoc extends StoredDocument>(name: CollectionName): Promise<MongoCollection<TDoc>> {
    this.lifecycle.assertOpen();
    return new MongoCollection<TDoc>(this.db.collection<TDoc>(name), this.lifecycle);
  }

  async ping(): Promise<void> {
    this.lifecycle.assertOpen();
    try {
      // Bounded even when a connection is open to a server that has stopped answering.
      await this.db.command({ ping: 1 }, { signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      const unavailable = toStorageError(error);
      if (unavailable instanceof AttuneError) throw unavailable;
      throw new AttuneError('ATTUNE_STORAGE_UNAVAILABLE', 'MongoDB did not answer a ping.', { cause: error });
    }
  }

  close(): Promise<void> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  private async closeOnce(): Promise<void> {
    this.lifecycle.markClosed();
    await this.client.close();
  }
}

/** The database named in the connection string's path (`mongodb://host/<db>?…`), if any. */
function databaseInUri(uri: string): string | undefined {
  const match = /^mongodb(?:\+srv)?:\/\/[^/?]*\/([^?]+)/.exec(uri);
  return match === null ? undefined : decodeURIComponent(match[1]);
}
