/**
 * The small document-collection abstraction every storage port is written against once.
 * Two technology adapters implement it: nedb (embedded and memory kinds) and the MongoDB driver.
 *
 * It deliberately offers only what both engines (and the MongoDB-compatible test server) do the
 * same way: equality and `$in/$ne/$lt/$lte/$gt/$gte` filters on top-level fields, `$set` and `$unset` updates,
 * whole-document replaces, and inserts. No array update operators: collections append by inserting.
 */

/** Every stored document is keyed by a string `_id` (the record's `id`). */
export interface StoredDocument {
  readonly _id: string;
}

type Element<V> = V extends readonly (infer E)[] ? E : V;

/** Comparison operators that nedb and MongoDB evaluate identically. */
export interface Comparison<V> {
  readonly $in?: readonly V[];
  readonly $ne?: V;
  readonly $lt?: V;
  readonly $lte?: V;
  readonly $gt?: V;
  readonly $gte?: V;
}

/**
 * A filter on top-level fields. A value means equality; on an array field it matches documents
 * whose array contains that value (both engines agree on that).
 */
export type Filter<TDoc> = { readonly [K in keyof TDoc]?: Element<TDoc[K]> | Comparison<Element<TDoc[K]>> };

/** A top-level field an update may remove: an optional one (the `_id` never). */
export type UnsetField<TDoc> = Exclude<{ [K in keyof TDoc]-?: undefined extends TDoc[K] ? K : never }[keyof TDoc], '_id'> & string;

/** Sort order, most significant field first (object key order is preserved). */
export type Sort<TDoc> = { readonly [K in keyof TDoc]?: 1 | -1 };

export interface FindOptions<TDoc> {
  readonly sort?: Sort<TDoc>;
  /** A positive integer; callers must not pass 0 (MongoDB reads it as "no limit"). */
  readonly limit?: number;
}

export interface IndexSpec<TDoc> {
  /** Indexed fields in order. nedb indexes the first one only (it cannot use an index to sort). */
  readonly fields: Sort<TDoc>;
  readonly unique?: boolean;
  /**
   * Indexes only the documents that match this filter (a partial index), so `unique` holds among
   * them alone. MongoDB only (6.0 or later for `$in`); nedb has no partial indexes and indexes the
   * leading field for reads, without the constraint: writes that must keep it go through
   * `insertUnlessFound`, which is atomic there.
   */
  readonly partial?: Filter<TDoc>;
  /** The index's name on MongoDB (default: made from the fields); name one whose options may change. */
  readonly name?: string;
}

/** One collection of documents. Every method reads or writes the engine once. */
export interface DocumentCollection<TDoc extends StoredDocument> {
  /** Inserts one document; resolves false (and writes nothing) when its `_id` is already taken. */
  insertOne(doc: TDoc): Promise<boolean>;
  /**
   * Inserts `doc` unless a document matches `filter`, as one atomic step: of concurrent calls whose
   * documents the same filter matches, one inserts and the others resolve its document. Resolves
   * undefined once `doc` is inserted, or the matching document (and inserts nothing); rejects with
   * ATTUNE_STORAGE_CONFLICT when `doc`'s `_id` is taken by a document that does not match.
   * On MongoDB the atomicity comes from a unique (partial) index over what `filter` selects, which
   * the caller must create: without one, two upserts can both insert.
   */
  insertUnlessFound(filter: Filter<TDoc>, doc: TDoc): Promise<TDoc | undefined>;
  /** Inserts documents in one write; rejects with ATTUNE_STORAGE_CONFLICT on a duplicate `_id`. */
  insertMany(docs: readonly TDoc[]): Promise<void>;
  findOne(filter: Filter<TDoc>): Promise<TDoc | undefined>;
  find(filter: Filter<TDoc>, options?: FindOptions<TDoc>): Promise<TDoc[]>;
  /**
   * Applies `$set`, and removes the `unset` fields (`$unset`), on the first matching document in one
   * write; resolves the number matched (0 or 1).
   */
  updateOne(filter: Filter<TDoc>, set: Partial<Omit<TDoc, '_id'>>, unset?: readonly UnsetField<TDoc>[]): Promise<number>;
  /**
   * Replaces the first matching document (inserting `doc` when `upsert` and none matches);
   * resolves how many documents were replaced or inserted (0 or 1).
   */
  replaceOne(filter: Filter<TDoc>, doc: TDoc, options: { readonly upsert: boolean }): Promise<number>;
  /** Resolves the number of documents deleted. */
  deleteMany(filter: Filter<TDoc>): Promise<number>;
  count(filter: Filter<TDoc>): Promise<number>;
  ensureIndex(spec: IndexSpec<TDoc>): Promise<void>;
  /**
   * Runs a read-only MongoDB aggregation pipeline over the collection: the driver on MongoDB, mingo
   * on nedb, the same pipeline objects. Keep to stages the test server also runs (see insights/).
   */
  aggregate<TResult>(pipeline: readonly Readonly<Record<string, unknown>>[]): Promise<TResult[]>;
}

/**
 * A caller's "at most `limit`" as a find limit: a whole number, `undefined` for no limit (Infinity),
 * or 0 for none, in which case the caller must not query at all (MongoDB reads a limit of 0 as "all").
 */
export function findLimit(limit: number): number | undefined {
  if (limit === Infinity) return undefined;
  const whole = Math.floor(limit);
  return whole > 0 ? whole : 0;
}
