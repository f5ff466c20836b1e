import { randomUUID } from 'node:crypto';
import type { Storage, StoreItem, StoreItems } from 'botbuilder';
import { AttuneError } from '../../core/errors';
import type { DocumentCollection } from '../document-collection';

/**
 * One botbuilder state item. The item is kept as a JSON string rather than as fields: dialog state
 * has keys containing `.` or `$`, which nedb rejects as field names, and one string is also cheaper
 * to store and parse than a nested document.
 */
export interface BotStateDocument {
  readonly _id: string;
  readonly eTag: string;
  /** JSON of the item without its eTag. */
  readonly json: string;
}

/**
 * botbuilder `Storage` over a document collection, with the semantics of botbuilder's
 * MemoryStorage and CosmosDbPartitionedStorage: a write with eTag `*` (or none) overwrites; a
 * write with another eTag succeeds only if it matches the stored one (a new key is inserted);
 * every successful write assigns a fresh eTag; the keys of one write are independent.
 */
export class DocumentBotState implements Storage {
  constructor(private readonly collection: DocumentCollection<BotStateDocument>) {}

  /** Resolves the items that exist, each with its current eTag; missing keys are absent. */
  async read(keys: string[]): Promise<StoreItems> {
    if (!Array.isArray(keys)) throw new TypeError('Keys are required when reading.');
    const items: StoreItems = {};
    if (keys.length === 0) return items;
    const docs = await this.collection.find({ _id: keys.length === 1 ? keys[0] : { $in: keys } });
    for (const doc of docs) {
      const item: StoreItem = JSON.parse(doc.json);
      item.eTag = doc.eTag;
      items[doc._id] = item;
    }
    return items;
  }

  /**
   * Writes every item, independently and concurrently.
   *
   * @throws AttuneError `ATTUNE_STORAGE_CONFLICT` when an item's eTag is stale (after the other
   *   items have been written).
   */
  async write(changes: StoreItems): Promise<void> {
    if (changes === null || typeof changes !== 'object') throw new TypeError('Changes are required when writing.');
    const keys = Object.keys(changes);
    if (keys.length === 1) return this.writeItem(keys[0], changes[keys[0]]);
    const results = await Promise.allSettled(keys.map((key) => this.writeItem(key, changes[key])));
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }

  async delete(keys: string[]): Promise<void> {
    if (!Array.isArray(keys)) throw new TypeError('Keys are required when deleting.');
    if (keys.length === 0) return;
    await this.collection.deleteMany({ _id: { $in: keys } });
  }

  private async writeItem(key: string, item: StoreItem): Promise<void> {
    const { eTag: expected, ...state } = item;
    const doc: BotStateDocument = { _id: key, eTag: randomUUID(), json: JSON.stringify(state) };
    if (!expected || expected === '*') {
      await this.collection.replaceOne({ _id: key }, doc, { upsert: true });
      return;
    }
    // Compare-and-set on the stored eTag; when nothing matched, the key is either new (insert it)
    // or stale. The insert settles which: of two writers of the same new key, one inserts and the
    // other finds the key taken, just as if it had lost the compare-and-set.
    const matched = await this.collection.updateOne({ _id: key, eTag: expected }, { eTag: doc.eTag, json: doc.json });
    if (matched > 0 || (await this.collection.insertOne(doc))) return;
    throw new AttuneError('ATTUNE_STORAGE_CONFLICT', `Storage: error writing "${key}" due to eTag conflict.`);
  }
}
