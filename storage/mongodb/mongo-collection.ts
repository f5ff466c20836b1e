import {
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
  type Collection,
  type Filter as MongoFilter,
  type IndexSpecification,
  type OptionalUnlessRequiredId,
  type Sort as MongoSort,
  type UpdateFilter,
} from 'mongodb';
import { AttuneError } from '../../core/errors';
import type {
  DocumentCollection,
  Filter,
  FindOptions,
  IndexSpec,
  StoredDocument,
  UnsetField,
} from '../document-collection';
import type { StoreLifecycle } from '../store-lifecycle';

const DUPLICATE_KEY = 11000;
/** Upserts refused by a unique index whose conflicting match then vanished, before giving up. */
const INSERT_UNLESS_FOUND_ATTEMPTS = 3;

/** A DocumentCollection on one MongoDB collection (official driver). */
export class MongoCollection<TDoc extends StoredDocument> implements DocumentCollection<TDoc> {
  constructor(
    private readonly collection: Collection<TDoc>,
    private readonly lifecycle: StoreLifecycle,
  ) {}

  async insertOne(doc: TDoc): Promise<boolean> {
    this.lifecycle.assertOpen();
    try {
      await this.collection.insertOne(doc as OptionalUnlessRequiredId<TDoc>);
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw toStorageError(error);
    }
  }

  async insertUnlessFound(filter: Filter<TDoc>, doc: TDoc): Promise<TDoc | undefined> {
    this.lifecycle.assertOpen();
    for (let attempt = 1; ; attempt += 1) {
      try {
        // One upsert, answering with the match as it was before (none when doc was inserted).
        const result = await this.collection.findOneAndUpdate(toMongoFilter(filter), { $setOnInsert: doc as Partial<TDoc> }, { upsert: true, returnDocument: 'before', includeResultMetadata: true });
        if (result.value !== null) return result.value as TDoc;
        if (result.lastErrorObject?.upserted !== undefined) return undefined;
        // Neither matched nor inserted: how jongodb (the test server) answers the race that
        // MongoDB answers with a duplicate key error. The same, then.
      } catch (error) {
        if (!isDuplicateKey(error)) throw toStorageError(error);
      }
      // Refused by a unique index: a concurrent caller inserted a match first (the server retries
      // such an upsert itself only when the filter is all equalities), or doc's _id is taken.
      const winner = await this.findOne(filter);
      if (winner !== undefined) return winner;
      const holder = await this.findOne({ _id: doc._id } as Filter<TDoc>);
      // Otherwise the match we collided with stopped matching before it was read: try again.
      if (holder !== undefined || attempt === INSERT_UNLESS_FOUND_ATTEMPTS) {
        throw new AttuneError('ATTUNE_STORAGE_CONFLICT', `A document with key "${doc._id}" already exists.`);
      }
    }
  }

  async insertMany(docs: readonly TDoc[]): Promise<void> {
    this.lifecycle.assertOpen();
    try {
      await this.collection.insertMany(docs as readonly OptionalUnlessRequiredId<TDoc>[]);
    } catch (error) {
      if (isDuplicateKey(error)) {
        throw new AttuneError('ATTUNE_STORAGE_CONFLICT', 'A document with the same key already exists.', {
          cause: error,
        });
      }
      throw toStorageError(error);
    }
  }

  async findOne(filter: Filter<TDoc>): Promise<TDoc | undefined> {
    this.lifecycle.assertOpen();
    try {
      const doc = await this.collection.findOne<TDoc>(toMongoFilter(filter));
      return doc ?? undefined;
    } catch (error) {
      throw toStorageError(error);
    }
  }

  async find(filter: Filter<TDoc>, options: FindOptions<TDoc> = {}): Promise<TDoc[]> {
    this.lifecycle.assertOpen();
    try {
      return await this.collection
        .find<TDoc>(toMongoFilter(filter), { sort: options.sort as MongoSort | undefined, limit: options.limit })
        .toArray();
    } catch (error) {
      throw toStorageError(error);
    }
  }

  async updateOne(filter: Filter<TDoc>, set: Partial<Omit<TDoc, '_id'>>, unset: readonly UnsetField<TDoc>[] = []): Promise<number> {
    this.lifecycle.assertOpen();
    try {
      const update: UpdateFilter<TDoc> = { $set: set as Partial<TDoc> };
      if (unset.length > 0) update.$unset = Object.fromEntries(unset.map((field) => [field, ''])) as UpdateFilter<TDoc>['$unset'];
      const result = await this.collection.updateOne(toMongoFilter(filter), update);
      return result.matchedCount;
    } catch (error) {
      throw toStorageError(error);
    }
  }

  async replaceOne(filter: Filter<TDoc>, doc: TDoc, options: { readonly upsert: boolean }): Promise<number> {
    this.lifecycle.assertOpen();
    try {
      const result = await this.collection.replaceOne(toMongoFilter(filter), doc, { upsert: options.upsert });
      return result.matchedCount + result.upsertedCount;
    } catch (error) {
      // Two upserts of the same new _id can race to insert; the loser fails with a duplicate key
      // (servers before 4.2 do not retry that themselves). The document exists now, so the retry
      // replaces it, which is what the caller asked for.
      if (!(options.upsert && isDuplicateKey(error))) throw toStorageError(error);
      try {
        const retried = await this.collection.replaceOne(toMongoFilter(filter), doc, { upsert: true });
        return retried.matchedCount + retried.upsertedCount;
      } catch (retryError) {
        throw toStorageError(retryError);
      }
    }
  }

  async deleteMany(filter: Filter<TDoc>): Promise<number> {
    this.lifecycle.assertOpen();
    try {
      const result = await this.collection.deleteMany(toMongoFilter(filter));
      return result.deletedCount;
    } catch (error) {
      throw toStorageError(error);
    }
  }

  async count(filter: Filter<TDoc>): Promise<number> {
    this.lifecycle.assertOpen();
    try {
      return await this.collection.countDocuments(toMongoFilter(filter));
    } catch (error) {
      throw toStorageError(error);
    }
  }

  async aggregate<TResult>(pipeline: readonly Readonly<Record<string, unknown>>[]): Promise<TResult[]> {
    this.lifecycle.assertOpen();
    try {
      return (await this.collection.aggregate(pipeline.map((stage) => ({ ...stage }))).toArray()) as TResult[];
    } catch (error) {
      throw toStorageError(error);
    }
  }

  async ensureIndex(spec: IndexSpec<TDoc>): Promise<void> {
    this.lifecycle.assertOpen();
    try {
      await this.collection.createIndex(spec.fields as IndexSpecification, {
        unique: spec.unique === true,
        ...(spec.partial === undefined ? {} : { partialFilterExpression: spec.partial }),
        ...(spec.name === undefined ? {} : { name: spec.name }),
      });
    } catch (error) {
      if (isDuplicateKey(error)) {
        // Documents stored before the index existed already break it: the start stops, naming it.
        const message = `The unique index ${spec.name ?? JSON.stringify(spec.fields)} on ${this.collection.collectionName} cannot be built: stored documents already break it (${error instanceof Error ? error.message : String(error)}).`;
        throw new AttuneError('ATTUNE_STORAGE_CONFLICT', message, { cause: error });
      }
      throw toStorageError(error);
    }
  }
}

/**
 * Our filters use only operators MongoDB understands with the same meaning; the driver's filter
 * type is just more elaborate than TypeScript can relate to ours.
 */
function toMongoFilter<TDoc>(filter: Filter<TDoc>): MongoFilter<TDoc> {
  return filter as MongoFilter<TDoc>;
}

function isDuplicateKey(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === DUPLICATE_KEY;
}

/** Socket errors meaning the connection to the server is gone. */
const CONNECTION_LOST_CODES = new Set(['EPIPE', 'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Turns "the server cannot be reached" into ATTUNE_STORAGE_UNAVAILABLE, so callers (the turn error
 * handler, health checks) need not know driver error classes. Other errors pass through unchanged.
 */
export function toStorageError(error: unknown): unknown {
  if (
    error instanceof MongoServerSelectionError ||
    error instanceof MongoNetworkError ||
    error instanceof MongoTopologyClosedError ||
    error instanceof MongoNotConnectedError ||
    // The driver (7.x) lets a plain Node socket error through when it writes to a connection the
    // server has just closed ("This socket has been ended by the other party", EPIPE).
    isConnectionLost(error)
  ) {
    const message = `MongoDB could not be reached: ${error.message}`;
    return new AttuneError('ATTUNE_STORAGE_UNAVAILABLE', message, { cause: error });
  }
  return error;
}

// Duck-typed rather than `instanceof Error`: Node's own errors may come from another realm (test runners).
function isConnectionLost(error: unknown): error is { code: string; message: string } {
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof error.code === 'string' &&
    CONNECTION_LOST_CODES.has(error.code) &&
    'message' in error &&
    typeof error.message === 'string'
  );
}
