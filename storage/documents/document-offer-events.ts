import { randomUUID } from 'node:crypto';
import { findLimit, type DocumentCollection } from '../document-collection';
import type { OfferEvent, OfferEventKind, OfferEvents } from '../ports';

/** A stored offer event: the record with `_id` for `id`. One document per event, appended. */
export interface OfferEventDocument extends Omit<OfferEvent, 'id'> {
  readonly _id: string;
}

/** OfferEvents over a document collection (one implementation for every technology). */
export class DocumentOfferEvents implements OfferEvents {
  constructor(private readonly collection: DocumentCollection<OfferEventDocument>) {}

  async record(event: OfferEvent): Promise<void> {
    const { id, ...fields } = event;
    await this.collection.insertMany([{ _id: id, ...fields }]);
  }

  async listByCustomer(customerId: string, limit: number): Promise<OfferEvent[]> {
    const max = findLimit(limit);
    if (max === 0) return [];
    const docs = await this.collection.find({ customerId }, { sort: { at: -1, _id: 1 }, limit: max });
    return docs.map(toEvent);
  }

  countShown(customerId: string, since: Date): Promise<number> {
    return this.collection.count({ customerId, kind: 'shown', at: { $gte: since } });
  }

  count(offerId: string, kind: OfferEventKind): Promise<number> {
    return this.collection.count({ offerId, kind });
  }

  /**
   * Inserts the anonymised copies before deleting the originals, so no count is ever lost: a crash
   * in between leaves some events counted twice, and rerunning the erasure finishes the job (the
   * copies carry no customerId, so they are not touched again).
   */
  async anonymiseCustomer(customerId: string): Promise<number> {
    const docs = await this.collection.find({ customerId });
    if (docs.length === 0) return 0;
    await this.collection.insertMany(docs.map(anonymised));
    return this.collection.deleteMany({ customerId });
  }
}

/** Keeps what insights count (offer, outcome, channel, day), drops what could point at a person. */
function anonymised(doc: OfferEventDocument): OfferEventDocument {
  const day = new Date(Date.UTC(doc.at.getUTCFullYear(), doc.at.getUTCMonth(), doc.at.getUTCDate()));
  return { _id: randomUUID(), offerId: doc.offerId, kind: doc.kind, channelId: doc.channelId, reasons: [], at: day };
}

function toEvent(doc: OfferEventDocument): OfferEvent {
  const { _id, ...fields } = doc;
  return { id: _id, ...fields };
}
