import { AttuneError } from '../../core/errors';
import type { DocumentCollection } from '../document-collection';
import type { AgentAccount, AgentAccountChanges, Agents } from '../ports';

/** A stored staff account: the record with `_id` for `id`. `name` has a unique index. */
export interface AgentDocument extends Omit<AgentAccount, 'id'> {
  readonly _id: string;
}

/** Agents over a document collection (one implementation for every technology). */
export class DocumentAgents implements Agents {
  constructor(private readonly collection: DocumentCollection<AgentDocument>) {}

  /**
   * The unique index on `name` settles concurrent creations: of two accounts with one name, one
   * is stored.
   *
   * @throws AttuneError `ATTUNE_STORAGE_CONFLICT` when the name (or the id) is taken.
   */
  async create(account: AgentAccount): Promise<void> {
    const { id, ...fields } = account;
    if (await this.collection.insertOne({ _id: id, ...fields })) return;
    throw new AttuneError('ATTUNE_STORAGE_CONFLICT', `An agent account with the name "${account.name}" or id ${id} already exists.`);
  }

  async get(id: string): Promise<AgentAccount | undefined> {
    const doc = await this.collection.findOne({ _id: id });
    return doc === undefined ? undefined : toAccount(doc);
  }

  /** Exact match: callers normalise the name the same way when creating and when signing in. */
  async findByName(name: string): Promise<AgentAccount | undefined> {
    const doc = await this.collection.findOne({ name });
    return doc === undefined ? undefined : toAccount(doc);
  }

  /** Every account, by name. */
  async list(): Promise<AgentAccount[]> {
    const docs = await this.collection.find({}, { sort: { name: 1 } });
    return docs.map(toAccount);
  }

  /**
   * One `$set` of the changes given; undefined ones are left out, so they keep the stored value.
   * The `expected` values are part of the update's filter, so the check and the write are one
   * operation.
   */
  async update(id: string, changes: AgentAccountChanges, expected: AgentAccountChanges = {}): Promise<AgentAccount | undefined> {
    const set = definedFields(changes);
    const filter = { ...definedFields(expected), _id: id };
    // An empty $set is refused by older MongoDB servers; with nothing to change, only read.
    if (Object.keys(set).length === 0) return this.collection.findOne(filter).then((doc) => (doc === undefined ? undefined : toAccount(doc)));
    if ((await this.collection.updateOne(filter, set)) === 0) return undefined;
    return this.get(id);
  }
}

function definedFields(changes: AgentAccountChanges): AgentAccountChanges {
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as AgentAccountChanges;
}

function toAccount(doc: AgentDocument): AgentAccount {
  const { _id, ...fields } = doc;
  return { id: _id, ...fields };
}
