import { AttuneError } from '../../core/errors';
import { findLimit, type DocumentCollection } from '../document-collection';
import type { ConversationRecord, ConversationStatus, Conversations } from '../ports';

/** A stored conversation: the record with `_id` for `id`. */
export interface ConversationDocument extends Omit<ConversationRecord, 'id'> {
  readonly _id: string;
}

/** Conversations over a document collection (one implementation for every technology). */
export class DocumentConversations implements Conversations {
  constructor(private readonly collection: DocumentCollection<ConversationDocument>) {}

  async get(id: string): Promise<ConversationRecord | undefined> {
    const doc = await this.collection.findOne({ _id: id });
    return doc === undefined ? undefined : toRecord(doc);
  }

  async open(record: ConversationRecord): Promise<ConversationRecord> {
    const { id, ...fields } = record;
    // The unique _id makes this race-safe: of two processes opening the same conversation, one
    // inserts and the other reads what the first stored.
    if (await this.collection.insertOne({ _id: id, ...fields })) return record;
    const stored = await this.collection.findOne({ _id: id });
    if (stored === undefined) {
      // Only possible if the record was deleted between the two calls.
      throw new AttuneError('ATTUNE_STORAGE_CONFLICT', `Conversation ${id} was removed while it was being opened.`);
    }
    return toRecord(stored);
  }

  async transition(
    id: string,
    from: readonly ConversationStatus[],
    to: ConversationStatus,
    at: Date,
  ): Promise<boolean> {
    // One conditional update: the status check and the write cannot interleave with another writer.
    const matched = await this.collection.updateOne({ _id: id, status: { $in: from } }, { status: to, updatedAt: at });
    return matched > 0;
  }

  /** Most recently active first. */
  async listByCustomer(customerId: string, limit: number): Promise<ConversationRecord[]> {
    const max = findLimit(limit);
    if (max === 0) return [];
    const docs = await this.collection.find({ customerId }, { sort: { updatedAt: -1, _id: 1 }, limit: max });
    return docs.map(toRecord);
  }

  eraseByCustomer(customerId: string): Promise<number> {
    return this.collection.deleteMany({ customerId });
  }
}

function toRecord(doc: ConversationDocument): ConversationRecord {
  const { _id, ...fields } = doc;
  return { id: _id, ...fields };
}
