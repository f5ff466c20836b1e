import { AttuneError } from '../../core/errors';
import { findLimit, type DocumentCollection } from '../document-collection';
import type { ContentVersion, ContentVersions, ContentVersionSummary } from '../ports';

/** A stored content version: the record with `_id` for `id`. `seq` has a unique index. */
export interface ContentVersionDocument extends Omit<ContentVersion, 'id'> {
  readonly _id: string;
}

/** ContentVersions over a document collection (one implementation for every technology). */
export class DocumentContentVersions implements ContentVersions {
  constructor(private readonly collection: DocumentCollection<ContentVersionDocument>) {}

  /**
   * The unique index on `seq` settles concurrent publishes: of two versions numbered the same,
   * one is stored and the other publisher is told to retry on top of it.
   *
   * @throws AttuneError `ATTUNE_STORAGE_CONFLICT` when the id or the seq is taken.
   */
  async create(version: ContentVersion): Promise<void> {
    const { id, ...fields } = version;
    if (await this.collection.insertOne({ _id: id, ...fields })) return;
    throw new AttuneError('ATTUNE_STORAGE_CONFLICT', `Content version ${id} (number ${version.seq}) already exists.`);
  }

  async get(id: string): Promise<ContentVersion | undefined> {
    const doc = await this.collection.findOne({ _id: id });
    return doc === undefined ? undefined : toVersion(doc);
  }

  async latest(): Promise<ContentVersion | undefined> {
    const [doc] = await this.collection.find({}, { sort: { seq: -1 }, limit: 1 });
    return doc === undefined ? undefined : toVersion(doc);
  }

  async list(limit: number): Promise<ContentVersionSummary[]> {
    const max = findLimit(limit);
    if (max === 0) return [];
    const docs = await this.collection.find({}, { sort: { seq: -1 }, limit: max });
    return docs.map((doc) => {
      const { files: _files, ...summary } = toVersion(doc);
      return summary;
    });
  }
}

function toVersion(doc: ContentVersionDocument): ContentVersion {
  const { _id, ...fields } = doc;
  return { id: _id, ...fields };
}
