import { findLimit, type DocumentCollection } from '../document-collection';
import type { TurnRecord, Turns } from '../ports';

/** A stored turn: the record with `_id` for `id`, plus its insertion sequence. */
export interface TurnDocument extends Omit<TurnRecord, 'id'> {
  readonly _id: string;
  /**
   * Orders turns with equal `at` (a customer message and the bot's replies often share a
   * millisecond). Starts at the wall clock in microseconds so that it keeps increasing across
   * restarts, and stays below 2^53 until the year 2255.
   */
  readonly seq: number;
}

let nextSeq = Date.now() * 1000;

/** The stored form of a turn record, with the next insertion sequence number. */
export function toTurnDocument({ id, ...fields }: TurnRecord): TurnDocument {
  return { _id: id, ...fields, seq: nextSeq++ };
}

/** The turn record a stored document holds. */
export function toTurnRecord(doc: TurnDocument): TurnRecord {
  const { _id, seq: _seq, ...fields } = doc;
  return { id: _id, ...fields };
}

/** Turns over a document collection (one implementation for every technology). */
export class DocumentTurns implements Turns {
  constructor(private readonly collection: DocumentCollection<TurnDocument>) {}

  async append(turns: readonly TurnRecord[]): Promise<void> {
    if (turns.length === 0) return;
    const docs = turns.map(toTurnDocument);
    await this.collection.insertMany(docs);
  }

  async listByConversation(conversationId: string, limit: number): Promise<TurnRecord[]> {
    const max = findLimit(limit);
    if (max === 0) return [];
    // Newest first so that the limit keeps the most recent turns, then reversed to oldest first.
    const docs = await this.collection.find({ conversationId }, { sort: { at: -1, seq: -1 }, limit: max });
    return docs.reverse().map(toTurnRecord);
  }

  async eraseCustomer(customerId: string, conversationIds: readonly string[]): Promise<number> {
    const tagged = await this.collection.deleteMany({ customerId });
    const untagged = conversationIds.length === 0 ? 0 : await this.collection.deleteMany({ conversationId: { $in: conversationIds } });
    return tagged + untagged;
  }
}
