import { AttuneError } from '../../core/errors';
import type { DocumentCollection } from '../document-collection';
import type { AgentSession, AgentSessions } from '../ports';

/** A stored session: keyed by the SHA-256 of its token (`_id` = `tokenHash`); the token is never stored. */
export interface AgentSessionDocument extends Omit<AgentSession, 'tokenHash'> {
  readonly _id: string;
}

/** AgentSessions over a document collection (one implementation for every technology). */
export class DocumentAgentSessions implements AgentSessions {
  constructor(private readonly collection: DocumentCollection<AgentSessionDocument>) {}

  /**
   * Stores the session, and drops sessions that had expired by its `createdAt`: sign-ins are rare,
   * so this keeps the collection small without a timer, and `find` ignores expired ones anyway.
   *
   * @throws AttuneError `ATTUNE_STORAGE_CONFLICT` when the token hash is taken (the stored session
   *   is kept: a token must never come to stand for another agent).
   */
  async create(session: AgentSession): Promise<void> {
    const { tokenHash, ...fields } = session;
    if (!(await this.collection.insertOne({ _id: tokenHash, ...fields }))) {
      throw new AttuneError('ATTUNE_STORAGE_CONFLICT', 'A session with the same token already exists.');
    }
    await this.collection.deleteMany({ expiresAt: { $lte: session.createdAt } });
  }

  /** Expiry is part of the query, so an expired session is never returned even before it is dropped. */
  async find(tokenHash: string, now: Date): Promise<AgentSession | undefined> {
    const doc = await this.collection.findOne({ _id: tokenHash, expiresAt: { $gt: now } });
    if (doc === undefined) return undefined;
    const { _id, ...fields } = doc;
    return { tokenHash: _id, ...fields };
  }

  /** Idempotent: revoking an unknown or already revoked session does nothing. */
  async revoke(tokenHash: string): Promise<void> {
    await this.collection.deleteMany({ _id: tokenHash });
  }

  /** One delete by agent (indexed): signing someone out everywhere, e.g. when their password changes. */
  async revokeAllFor(agentId: string, exceptTokenHash?: string): Promise<number> {
    return this.collection.deleteMany(exceptTokenHash === undefined ? { agentId } : { agentId, _id: { $ne: exceptTokenHash } });
  }
}
