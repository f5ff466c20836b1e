import path from 'node:path';
import type { Logger } from '../../core/logger';
import type { StoredDocument } from '../document-collection';
import {
  openDocumentStore,
  type CollectionName,
  type CollectionUsage,
  type DocumentBackend,
} from '../documents/document-store';
import type { AttuneStore, Turns } from '../ports';
import type { AggregateSource } from '../documents/document-analytics';
import { StoreLifecycle } from '../store-lifecycle';
import { lockDataDir, type DataDirLock } from './data-dir-lock';
import { EmbeddedTurnLog } from './embedded-turn-log';
import { NedbCollection } from './nedb-collection';

/** How often overwritten collections rewrite their append-only files (see NedbCollectionOptions). */
const COMPACT_EVERY_MS = 10 * 60 * 1000;

/**
 * Opens the embedded store: one nedb file per collection in `dataDir` (created if missing),
 * locked for this process until `close()`. What opening repairs (a line a crash left unfinished)
 * is logged as a warning.
 *
 * @throws AttuneError `ATTUNE_DATA_DIR_LOCKED` when another live process holds the directory.
 */
export async function openEmbeddedStore(dataDir: string, logger: Logger): Promise<AttuneStore> {
  const lock = await lockDataDir(dataDir);
  return openDocumentStore(new NedbBackend('embedded', lock, logger));
}

/** Opens an empty in-memory store (nedb without files): for tests. Each call is independent. */
export function openMemoryStore(): Promise<AttuneStore> {
  return openDocumentStore(new NedbBackend('memory', undefined, undefined));
}

class NedbBackend implements DocumentBackend {
  private readonly lifecycle: StoreLifecycle;
  private readonly opened: { close(): Promise<void> }[] = [];
  /** Only checked (ping): a collection of any document type will do. */
  private readonly collections: Pick<NedbCollection<StoredDocument>, 'assertInLineWithFile'>[] = [];
  private closing: Promise<void> | undefined;
  /** Embedded only: turns in files not held in memory (the memory kind keeps them in nedb). */
  readonly openTurnLog?: () => Promise<Turns & AggregateSource>;

  constructor(
    readonly kind: 'embedded' | 'memory',
    /** Undefined for the memory kind. */
    private readonly lock: DataDirLock | undefined,
    private readonly logger: Logger | undefined,
  ) {
    this.lifecycle = new StoreLifecycle(lock === undefined ? kind : `embedded (${lock.dataDir})`);
    if (lock !== undefined) this.openTurnLog = () => this.openTurnLogIn(lock.dataDir);
  }

  private async openTurnLogIn(dataDir: string): Promise<Turns & AggregateSource> {
    this.lifecycle.assertOpen();
    const log = await EmbeddedTurnLog.open(dataDir, this.lifecycle);
    this.opened.push(log);
    return log;
  }

  async openCollection<TDoc extends StoredDocument>(
    name: CollectionName,
    usage: CollectionUsage,
  ): Promise<NedbCollection<TDoc>> {
    this.lifecycle.assertOpen();
    const collection = await NedbCollection.open<TDoc>(this.lifecycle, {
      filename: this.lock === undefined ? undefined : path.join(this.lock.dataDir, `${name}.db`),
      compactEveryMs: usage === 'overwritten' ? COMPACT_EVERY_MS : undefined,
      logger: this.logger,
    });
    this.opened.push(collection);
    this.collections.push(collection);
    return collection;
  }

  /** Fails (readiness) also when a collection stopped serving after a write it could not undo. */
  async ping(): Promise<void> {
    this.lifecycle.assertOpen();
    for (const collection of this.collections) collection.assertInLineWithFile();
  }

  close(): Promise<void> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  private async closeOnce(): Promise<void> {
    // Refuse new calls first, let queued writes reach the files, and only then let another
    // process take the directory.
    this.lifecycle.markClosed();
    try {
      await Promise.all(this.opened.map((collection) => collection.close()));
    } finally {
      await this.lock?.release();
    }
  }
}
