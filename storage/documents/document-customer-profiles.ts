import type { DocumentCollection } from '../document-collection';
import type { ChannelIdentity, CustomerProfile, CustomerProfiles } from '../ports';

/** A stored customer profile: the record with `_id` for `id`, plus a lookup key per identity. */
export interface CustomerDocument extends Omit<CustomerProfile, 'id'> {
  readonly _id: string;
  /**
   * One string per channel identity. An equality match on an array of strings means the same in
   * nedb and MongoDB and is indexable, whereas matching two fields of one array element would need
   * `$elemMatch` (not in our filter subset) and dotted paths could pair fields of two elements.
   */
  readonly identityKeys: readonly string[];
}

/** The identity lookup key: unambiguous whatever characters the channel or user id contains. */
export function identityKey(identity: ChannelIdentity): string {
  return JSON.stringify([identity.channelId, identity.userId]);
}

/** CustomerProfiles over a document collection (one implementation for every technology). */
export class DocumentCustomerProfiles implements CustomerProfiles {
  constructor(private readonly collection: DocumentCollection<CustomerDocument>) {}

  async get(id: string): Promise<CustomerProfile | undefined> {
    const doc = await this.collection.findOne({ _id: id });
    return doc === undefined ? undefined : toProfile(doc);
  }

  /** When several profiles claim the identity, the most recently updated one wins. */
  async findByIdentity(identity: ChannelIdentity): Promise<CustomerProfile | undefined> {
    const [doc] = await this.collection.find(
      { identityKeys: identityKey(identity) },
      { sort: { updatedAt: -1 }, limit: 1 },
    );
    return doc === undefined ? undefined : toProfile(doc);
  }

  async save(profile: CustomerProfile): Promise<void> {
    await this.collection.replaceOne({ _id: profile.id }, toDocument(profile), { upsert: true });
  }

  async replaceIfUnchanged(profile: CustomerProfile, readUpdatedAt: Date): Promise<boolean> {
    return (await this.collection.replaceOne({ _id: profile.id, updatedAt: readUpdatedAt }, toDocument(profile), { upsert: false })) > 0;
  }

  async erase(id: string): Promise<boolean> {
    return (await this.collection.deleteMany({ _id: id })) > 0;
  }
}

function toDocument(profile: CustomerProfile): CustomerDocument {
  const { id, ...fields } = profile;
  return { _id: id, ...fields, identityKeys: profile.identities.map(identityKey) };
}

function toProfile(doc: CustomerDocument): CustomerProfile {
  const { _id, identityKeys: _identityKeys, ...fields } = doc;
  return { id: _id, ...fields };
}
