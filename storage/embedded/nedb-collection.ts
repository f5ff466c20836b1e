import Datastore from '@seald-io/nedb';
import { aggregate as mingoAggregate } from 'mingo';
import { AttuneError, isAttuneError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type {
  DocumentCollection,
  Filter,
  FindOptions,
  IndexSpec,
  StoredDocument,
  UnsetField,
} from '../document-collection';
import type { StoreLifecycle } from '../store-lifecycle';
import { appendThroughKeptOpenFile, type KeptOpenAppends } from './kept-open-appends';
import { cutUnfinishedLine } from './unfinished-line';

export interface NedbCollectionOptions {
  /** The file backing the collection; omitted for an in-memory collection (the memory kind). */
  readonly filename?: string;
  /**
   * Rewrites the append-only file this often (ms). nedb appends a line per write and compacts only
   * on load, so a collection that is overwritten every turn (bot state) would grow without bound in
   * a long-running process. Not worth it for append-only collections (turns).
   */
  readonly compactEveryMs?: number;
  /** Told what opening had to repair in the file (a last line a crash left unfinished). */
  readonly logger?: Logger;
}

/** An insertMany call waiting for the file: its documents and how to tell the caller. */
interface WaitingInsert<TDoc> {
  readonly docs: readonly TDoc[];
  readonly settle: (error?: unknown) => void;
}

/** A DocumentCollection on one nedb datastore: the embedded kind (file-backed) and the memory kind. */
export class NedbCollection<TDoc extends StoredDocument> implements DocumentCollection<TDoc> {
  private compactionTimer: NodeJS.Timeout | undefined;
  /** insertMany calls that arrived while an insert was being written (see insertMany). */
  private waitingInserts: WaitingInsert<TDoc>[] = [];
  private insertsWriting: Promise<void> | undefined;
  /** The last insertUnlessFound call: each waits for the one before (see insertUnlessFound). */
  private insertUnlessFoundTail: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly datastore: Datastore,
    private readonly lifecycle: StoreLifecycle,
    private readonly appends: KeptOpenAppends,
  ) {}

  /** Opens (and, when file-backed, loads) one collection. */
  static async open<TDoc extends StoredDocument>(
    lifecycle: StoreLifecycle,
    options: NedbCollectionOptions,
  ): Promise<NedbCollection<TDoc>> {
    if (options.filename !== undefined) {
      // nedb refuses a file in which more than a tenth of the lines are unreadable, so one line
      // torn by a crash would stop a small collection (and the bot) from opening until the file
      // is edited by hand. nedb ends every line it writes with '\n': anything after the last one
      // is an unfinished write, never a whole document.
      const dropped = cutUnfinishedLine(options.filename);
      if (dropped > 0) {
        options.logger?.warn({ file: options.filename, bytesDropped: dropped }, 'embedded store: cut off an unfinished last line (a write interrupted by a crash)');
      }
    }
    const datastore = new Datastore(
      // Files hold customers' data: readable by the bot's user only (nedb's default is 0644).
      options.filename === undefined ? { inMemoryOnly: true } : { filename: options.filename, modes: { fileMode: 0o600, dirMode: 0o700 } },
    );
    await datastore.loadDatabaseAsync();
    const collection = new NedbCollection<TDoc>(datastore, lifecycle, appendThroughKeptOpenFile(datastore));
    if (options.filename !== undefined && options.compactEveryMs !== undefined) {
      collection.compactionTimer = setInterval(() => {
        // A failed compaction loses nothing: the append-only file is still complete, and the next
        // compaction (or the next load) rewrites it.
        datastore.compactDatafileAsync().catch(() => undefined);
      }, options.compactEveryMs);
      // A forgotten close() must not keep the process alive.
      collection.compactionTimer.unref();
    }
    return collection;
  }

  async insertOne(doc: TDoc): Promise<boolean> {
    this.lifecycle.assertOpen();
    try {
      await this.inLineWithFile(() => this.datastore.insertAsync(doc));
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  /**
   * nedb runs one call at a time, but a find and then an insert are two calls, between which another
   * caller's find could run. The embedded and memory stores serve one process (the data directory
   * is locked), so these calls are chained one after another in the process: each one's find sees
   * every document inserted by the calls before it. Documents the filter is about are inserted
   * through here only (an open escalation: storage/README.md), so that makes the pair atomic.
   */
  insertUnlessFound(filter: Filter<TDoc>, doc: TDoc): Promise<TDoc | undefined> {
    this.lifecycle.assertOpen();
    const done = this.insertUnlessFoundTail.then(async () => {
      const found: TDoc | null = await this.inLineWithFile(() => this.datastore.findOneAsync<TDoc>(filter));
      if (found !== null) return found;
      try {
        await this.inLineWithFile(() => this.datastore.insertAsync(doc));
        return undefined;
      } catch (error) {
        if (isUniqueViolation(error)) throw new AttuneError('ATTUNE_STORAGE_CONFLICT', `A document with key "${doc._id}" already exists.`, { cause: error });
        throw error;
      }
    });
    this.insertUnlessFoundTail = done.catch(() => undefined);
    return done;
  }

  /**
   * Group commit: nedb appends to the file once per operation, one operation at a time, so the
   * inserts that arrive while one is being written (every conversation's turn records, under load)
   * go to the file together in the next single append. Each caller still resolves only once its
   * own documents are in the file, and a conflict fails only the caller whose documents caused it.
   */
  insertMany(docs: readonly TDoc[]): Promise<void> {
    this.lifecycle.assertOpen();
    const written = new Promise<void>((resolve, reject) => {
      this.waitingInserts.push({ docs, settle: (error) => (error === undefined ? resolve() : reject(error)) });
    });
    this.insertsWriting ??= this.writeWaitingInserts();
    return written;
  }

  private async writeWaitingInserts(): Promise<void> {
    while (this.waitingInserts.length > 0) {
      const batch = this.waitingInserts;
      this.waitingInserts = [];
      const error = await this.insertAtomically(batch.flatMap((waiting) => waiting.docs));
      if (isAttuneError(error, 'ATTUNE_STORAGE_CONFLICT') && batch.length > 1) {
        // nedb rolled the merged insert back: each caller's own documents again, on their own.
        for (const waiting of batch) waiting.settle(await this.insertAtomically(waiting.docs));
      } else {
        for (const waiting of batch) waiting.settle(error);
      }
    }
    this.insertsWriting = undefined;
  }

  /** Resolves the error instead of throwing it: undefined when the documents are in the file. */
  private async insertAtomically(docs: readonly TDoc[]): Promise<unknown> {
    try {
      // nedb inserts an array atomically: on a unique violation it rolls the whole batch back.
      await this.inLineWithFile(() => this.datastore.insertAsync([...docs]));
      return undefined;
    } catch (error) {
      if (isUniqueViolation(error)) {
        const message = `A document with key "${String(error.key)}" already exists.`;
        return new AttuneError('ATTUNE_STORAGE_CONFLICT', message, { cause: error });
      }
      return error ?? new Error('nedb insert failed');
    }
  }

  async findOne(filter: Filter<TDoc>): Promise<TDoc | undefined> {
    this.lifecycle.assertOpen();
    const doc: TDoc | null = await this.inLineWithFile(() => this.datastore.findOneAsync<TDoc>(filter));
    return doc ?? undefined;
  }

  async find(filter: Filter<TDoc>, options: FindOptions<TDoc> = {}): Promise<TDoc[]> {
    this.lifecycle.assertOpen();
    let cursor = this.datastore.findAsync<TDoc>(filter);
    if (options.sort !== undefined) cursor = cursor.sort(options.sort);
    if (options.limit !== undefined) cursor = cursor.limit(options.limit);
    return await this.inLineWithFile(() => cursor);
  }

  async updateOne(filter: Filter<TDoc>, set: Partial<Omit<TDoc, '_id'>>, unset: readonly UnsetField<TDoc>[] = []): Promise<number> {
    this.lifecycle.assertOpen();
    const update = unset.length === 0 ? { $set: set } : { $set: set, $unset: Object.fromEntries(unset.map((field) => [field, true])) };
    const { numAffected } = await this.inLineWithFile(() => this.datastore.updateAsync(filter, update, { multi: false, upsert: false }));
    return numAffected;
  }

  async replaceOne(filter: Filter<TDoc>, doc: TDoc, options: { readonly upsert: boolean }): Promise<number> {
    this.lifecycle.assertOpen();
    // An update document without operators is a whole-document replace in nedb.
    const { numAffected } = await this.inLineWithFile(() => this.datastore.updateAsync(filter, doc, { multi: false, upsert: options.upsert }));
    return numAffected;
  }

  async deleteMany(filter: Filter<TDoc>): Promise<number> {
    this.lifecycle.assertOpen();
    return await this.inLineWithFile(() => this.datastore.removeAsync(filter, { multi: true }));
  }

  async count(filter: Filter<TDoc>): Promise<number> {
    this.lifecycle.assertOpen();
    return await this.inLineWithFile(() => this.datastore.countAsync(filter));
  }

  async ensureIndex(spec: IndexSpec<TDoc>): Promise<void> {
    this.lifecycle.assertOpen();
    const fields = Object.keys(spec.fields);
    if (fields.length === 0) throw new RangeError('An index needs at least one field.');
    // nedb uses an index only to select candidates by equality or range (never to sort), and a
    // compound index only when the query names all of its fields; so a plain index goes on the
    // leading field, and only a unique constraint needs all fields. nedb has no partial indexes: a
    // partial one is a plain index here, and insertUnlessFound keeps its constraint.
    const unique = spec.unique === true && spec.partial === undefined;
    await this.inLineWithFile(() =>
      this.datastore.ensureIndexAsync({
        fieldName: unique && fields.length > 1 ? fields : fields[0],
        unique,
      }),
    );
  }

  async aggregate<TResult>(pipeline: readonly Readonly<Record<string, unknown>>[]): Promise<TResult[]> {
    this.lifecycle.assertOpen();
    // nedb has no aggregation: mingo runs the MongoDB pipeline over the documents in memory (the
    // embedded store serves one machine's volumes; the whole collection is in memory anyway).
    const docs = await this.inLineWithFile(() => this.datastore.findAsync<TDoc>({}));
    return mingoAggregate(docs, pipeline.map((stage) => ({ ...stage }))) as TResult[];
  }

  /** Throws ATTUNE_STORAGE_UNAVAILABLE once the collection refuses calls (see inLineWithFile). */
  assertInLineWithFile(): void {
    this.appends.assertInLineWithFile();
  }

  /**
   * Runs one nedb call. Once a failed write has left nedb's memory out of line with the file (and
   * reloading failed: kept-open-appends.ts), calls are refused with ATTUNE_STORAGE_UNAVAILABLE,
   * and so are those that were already queued behind that write: their results came from the
   * untrustworthy memory.
   */
  private async inLineWithFile<T>(call: () => PromiseLike<T>): Promise<T> {
    this.appends.assertInLineWithFile();
    const result = await call();
    this.appends.assertInLineWithFile();
    return result;
  }

  /**
   * Stops compaction and waits until every queued operation has reached the file. Called by the
   * store's close() after it has refused new calls, and before it releases the data-directory lock.
   */
  async close(): Promise<void> {
    clearInterval(this.compactionTimer);
    this.compactionTimer = undefined;
    await this.insertsWriting;
    await this.insertUnlessFoundTail;
    // nedb runs operations one at a time in a queue; a trivial query resolves after all earlier ones.
    await this.datastore.countAsync({ _id: '' });
    await this.appends.close();
  }
}

function isUniqueViolation(error: unknown): error is { errorType: 'uniqueViolated'; key: unknown } {
  return typeof error === 'object' && error !== null && 'errorType' in error && error.errorType === 'uniqueViolated';
}
