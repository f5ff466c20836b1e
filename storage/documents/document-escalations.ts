import { randomUUID } from 'node:crypto';
import { AttuneError, isAttuneError } from '../../core/errors';
import { findLimit, type DocumentCollection, type Filter } from '../document-collection';
import type { Reason } from '../../core/reason';
import type {
  EscalationChanges,
  EscalationFilter,
  EscalationRecord,
  EscalationStatus,
  Escalations,
} from '../ports';

/** A stored escalation: the record with `_id` for `id`, its conversation reference as JSON, and a CSAT sentinel. */
export interface EscalationDocument extends Omit<EscalationRecord, 'id' | 'conversationReference' | 'csat'> {
  readonly _id: string;
  /**
   * The Bot Framework ConversationReference as a JSON string. Storage never looks inside it, and
   * as a string its keys cannot trip nedb's field-name rules (no `.`, no leading `$`).
   */
  readonly conversationReferenceJson: string;
  /**
   * `null` until the customer rates the chat. "Not rated yet" is an equality match on `null`, which
   * nedb, MongoDB and jongodb evaluate alike; `$exists` is outside our filter subset.
   */
  readonly csat: number | null;
}

/** The statuses in which an escalation still waits for, or is with, a person. */
export const ACTIVE_ESCALATION_STATUSES: readonly EscalationStatus[] = ['queued', 'assigned'];
const ACTIVE = ACTIVE_ESCALATION_STATUSES;

/** Escalations over a document collection (one implementation for every technology). */
export class DocumentEscalations implements Escalations {
  constructor(private readonly collection: DocumentCollection<EscalationDocument>) {}

  /**
   * An active escalation is inserted unless its conversation has one already, in one atomic step
   * (on MongoDB, the unique partial index on `conversationId` settles concurrent inserts from
   * several instances); an ended one (an import, a test) is simply inserted.
   * @throws AttuneError `ATTUNE_STORAGE_CONFLICT` when an escalation with the same id exists.
   */
  async create(record: EscalationRecord): Promise<EscalationRecord> {
    const conflict = () => new AttuneError('ATTUNE_STORAGE_CONFLICT', `Escalation ${record.id} already exists.`);
    if (!ACTIVE.includes(record.status)) {
      if (await this.collection.insertOne(toDocument(record))) return record;
      throw conflict();
    }
    const active = await this.collection
      .insertUnlessFound({ conversationId: record.conversationId, status: { $in: ACTIVE } }, toDocument(record))
      .catch((error: unknown) => {
        throw isAttuneError(error, 'ATTUNE_STORAGE_CONFLICT') ? conflict() : error;
      });
    if (active === undefined) return record;
    // The same id already stored (and active) is a taken id, as for any other create.
    if (active._id === record.id) throw conflict();
    return toRecord(active);
  }

  async get(id: string): Promise<EscalationRecord | undefined> {
    const doc = await this.collection.findOne({ _id: id });
    return doc === undefined ? undefined : toRecord(doc);
  }

  /** If several are active (create prevents it; data stored before it did may hold some), the most recent one. */
  async activeForConversation(conversationId: string): Promise<EscalationRecord | undefined> {
    const [doc] = await this.collection.find(
      { conversationId, status: { $in: ACTIVE } },
      { sort: { createdAt: -1, _id: 1 }, limit: 1 },
    );
    return doc === undefined ? undefined : toRecord(doc);
  }

  /**
   * Changes left undefined keep their stored value on every engine (MongoDB ignores undefined,
   * nedb would store it); a `null` agent or assignment time is removed from the document (`$unset`),
   * so reads show the field absent, as on a chat never taken.
   */
  async transition(
    id: string,
    from: readonly EscalationStatus[],
    to: EscalationStatus,
    changes: EscalationChanges,
    at: Date,
  ): Promise<EscalationRecord | undefined> {
    // One conditional update: of concurrent transitions from the same status, the engine lets one
    // match. status and updatedAt go last so that no change can override them.
    const { set, unset } = split(changes);
    const matched = await this.collection.updateOne({ _id: id, status: { $in: from } }, { ...set, status: to, updatedAt: at }, unset);
    if (matched === 0) return undefined;
    // A later writer may have moved it on already; the caller then sees that newer state.
    return this.get(id);
  }

  /** Oldest first; ties in `createdAt` by id, so pages are stable. */
  async list(
    filter: EscalationFilter,
    limit: number,
  ): Promise<EscalationRecord[]> {
    const max = findLimit(limit);
    if (max === 0) return [];
    const query: Filter<EscalationDocument> = {
      status: { $in: filter.statuses },
      ...(filter.pools === undefined ? {} : { pool: { $in: filter.pools } }),
      ...(filter.conversationId === undefined ? {} : { conversationId: filter.conversationId }),
      ...(filter.customerId === undefined ? {} : { customerId: filter.customerId }),
      ...(filter.agentId === undefined ? {} : { agentId: filter.agentId }),
    };
    const order = filter.newestFirst ? -1 : 1;
    const docs = await this.collection.find(query, { sort: { createdAt: order, _id: order }, limit: max });
    return docs.map(toRecord);
  }

  /** @throws AttuneError `ATTUNE_REQUEST_INVALID` when `rating` is not a whole number from 1 to 5. */
  async recordCsat(id: string, rating: number, at: Date): Promise<boolean> {
    if (!Number.isInteger(rating) || rating < 1 || rating > 5) {
      throw new AttuneError('ATTUNE_REQUEST_INVALID', `A CSAT rating is a whole number from 1 to 5, not ${rating}.`);
    }
    // Conditional on "not rated yet": of two concurrent ratings, one is stored.
    const matched = await this.collection.updateOne({ _id: id, csat: null }, { csat: rating, updatedAt: at });
    return matched > 0;
  }

  /**
   * Replaces each document (`$set` cannot remove `customerId`), conditional on the state it was
   * read in, so a transition in between (an agent ending the chat) is never overwritten: the next
   * round reads the new state and anonymises that. A rerun after a crash finishes the job (the
   * anonymised documents carry no customerId, so they are not touched again).
   */
  async anonymiseCustomer(customerId: string): Promise<number> {
    const pseudonyms = new Map<string, string>();
    const pseudonymOf = (conversationId: string): string => {
      let pseudonym = pseudonyms.get(conversationId);
      if (pseudonym === undefined) {
        pseudonym = `erased:${randomUUID()}`;
        pseudonyms.set(conversationId, pseudonym);
      }
      return pseudonym;
    };
    const anonymisedIds = new Set<string>();
    for (let round = 0; round < ANONYMISE_ROUNDS; round += 1) {
      const docs = await this.collection.find({ customerId });
      if (docs.length === 0) return anonymisedIds.size;
      await Promise.all(
        docs.map((doc) => {
          anonymisedIds.add(doc._id);
          const unchanged = { _id: doc._id, customerId, status: doc.status, updatedAt: doc.updatedAt };
          return this.collection.replaceOne(unchanged, anonymised(doc, pseudonymOf(doc.conversationId)), { upsert: false });
        }),
      );
    }
    throw new AttuneError('ATTUNE_STORAGE_CONFLICT', `The escalations kept changing while they were anonymised; run the erasure again.`);
  }
}

/** Rounds of read-and-replace before giving up on escalations that keep changing. */
const ANONYMISE_ROUNDS = 5;

/** Keeps what insights count; drops the person, their words and how to reach them. */
function anonymised(doc: EscalationDocument, conversationId: string): EscalationDocument {
  const { customerId: _customer, handoff, ...fields } = doc;
  return {
    ...fields,
    conversationId,
    reasons: doc.reasons.map(withoutDetail),
    handoff: {
      intents: handoff.intents,
      entities: [],
      trajectory: handoff.trajectory.map((point) => ({ ...point, reasons: point.reasons.map(withoutDetail) })),
      botTried: handoff.botTried,
      ...(handoff.dialogInProgress === undefined ? {} : { dialogInProgress: handoff.dialogInProgress }),
      summary: '',
      nextBestAction: handoff.nextBestAction,
    },
    conversationReferenceJson: '{}',
  };
}

/** A reason's detail may quote the customer (e.g. the `!!!` behind an anger cue). */
function withoutDetail(reason: Reason): Reason {
  return { name: reason.name, weight: reason.weight };
}

function toDocument(record: EscalationRecord): EscalationDocument {
  const { id, conversationReference, csat, ...fields } = record;
  return {
    _id: id,
    ...fields,
    conversationReferenceJson: JSON.stringify(conversationReference),
    csat: csat ?? null,
  };
}

function toRecord(doc: EscalationDocument): EscalationRecord {
  const { _id, conversationReferenceJson, csat, ...fields } = doc;
  const conversationReference: Record<string, unknown> = JSON.parse(conversationReferenceJson);
  return { id: _id, ...fields, conversationReference, ...(typeof csat === 'number' ? { csat } : {}) };
}

/** The changes to `$set` (undefined ones dropped) and the fields a `null` change removes. */
function split(changes: EscalationChanges): { set: Partial<EscalationDocument>; unset: ('agentId' | 'assignedAt')[] } {
  const { agentId, assignedAt, ...others } = changes;
  const set: Partial<EscalationDocument> = {
    ...Object.fromEntries(Object.entries(others).filter(([, value]) => value !== undefined)),
    ...(typeof agentId === 'string' ? { agentId } : {}),
    ...(assignedAt instanceof Date ? { assignedAt } : {}),
  };
  const unset = [...(agentId === null ? (['agentId'] as const) : []), ...(assignedAt === null ? (['assignedAt'] as const) : [])];
  return { set, unset };
}
