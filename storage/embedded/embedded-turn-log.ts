/**
 * The embedded store's turns: append-only files on disk, not held in memory. nedb keeps every
 * document of a collection in memory, and turns are the one collection that grows with every
 * message (two records of ~700 bytes a turn), so a long-running embedded bot grew without bound.
 * Here memory stays flat: what a read needs is read from disk when asked, and reads are rare
 * (handoff, the agent desk, export, insights), never on a customer's turn.
 *
 * Layout: `<dataDir>/turns/bucket-NN.jsonl`, 64 files (turn-bucket.ts); a conversation's turns are
 * all in the bucket its id hashes to, so listing one conversation reads 1/64 of the data. Each
 * bucket is appended to with one synchronous, all-or-nothing write per append: a turn's records
 * reach the file (the page cache, as nedb's appends do: no fsync) before `append` resolves, and
 * the write cannot interleave with another append or with an erasure's rewrite, which runs
 * synchronously per bucket.
 *
 * Ids: an append is refused (ATTUNE_STORAGE_CONFLICT) when one of its ids is among the last
 * RECENT_IDS ids appended in this process, or read from the last SEED_BYTES of each bucket at open
 * (about 25,000 turns). That catches a retried append, the only way a duplicate arises (ids are
 * random UUIDs); MongoDB, with its unique `_id`, refuses any duplicate.
 *
 * A crash can leave a bucket's last line unfinished: it is cut off at open. A data directory
 * written before this log (turns in nedb's `turns.db`) is migrated at open (migrate-nedb-turns.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { aggregate as mingoAggregate, Query } from 'mingo';
import { AttuneError } from '../../core/errors';
import { findLimit } from '../document-collection';
import { toTurnDocument, toTurnRecord, type TurnDocument } from '../documents/document-turns';
import type { PipelineStage, TurnRecord, Turns } from '../ports';
import type { StoreLifecycle } from '../store-lifecycle';
import { migrateNedbTurns } from './migrate-nedb-turns';
import { RecentIds } from './recent-ids';
import { BUCKETS, bucketFile, bucketIndexOf, TurnBucket, type ConversationFilter } from './turn-bucket';

/** How many of the most recently appended ids a new append is checked against. */
const RECENT_IDS = 100_000;
/** How much of the end of each bucket is read at open to seed the recent ids. */
const SEED_BYTES = 256 * 1024;

export class EmbeddedTurnLog implements Turns {
  private readonly buckets: readonly TurnBucket[];
  private readonly recentIds = new RecentIds(RECENT_IDS);

  private constructor(
    directory: string,
    private readonly lifecycle: StoreLifecycle,
  ) {
    this.buckets = Array.from({ length: BUCKETS }, (_, i) => new TurnBucket(bucketFile(directory, i)));
  }

  /** Opens (creating, or migrating from `turns.db`) the log in `dataDir`. */
  static async open(dataDir: string, lifecycle: StoreLifecycle): Promise<EmbeddedTurnLog> {
    const directory = path.join(dataDir, 'turns');
    await migrateNedbTurns(dataDir, directory);
    fs.mkdirSync(directory, { recursive: true, mode: 0o700 });
    const log = new EmbeddedTurnLog(directory, lifecycle);
    for (const bucket of log.buckets) {
      bucket.cutUnfinishedLine();
      for (const doc of bucket.tail(SEED_BYTES)) log.recentIds.add(doc._id);
    }
    return log;
  }

  async append(turns: readonly TurnRecord[]): Promise<void> {
    this.lifecycle.assertOpen();
    if (turns.length === 0) return;
    const ids = turns.map((turn) => turn.id);
    const taken = ids.find((id, i) => this.recentIds.has(id) || ids.indexOf(id) !== i);
    if (taken !== undefined) throw new AttuneError('ATTUNE_STORAGE_CONFLICT', `A turn with id "${taken}" was already appended.`);
    const byBucket = new Map<TurnBucket, TurnRecord[]>();
    for (const turn of turns) {
      const bucket = this.bucketOf(turn.conversationId);
      const inBucket = byBucket.get(bucket);
      if (inBucket) inBucket.push(turn);
      else byBucket.set(bucket, [turn]);
    }
    // One conversation's turns (the usual append) are one write; each bucket's ids count as
    // appended once its write succeeded, so a retry after a failure refuses only those.
    for (const [bucket, bucketTurns] of byBucket) {
      bucket.append(bucketTurns.map((turn) => turnLine(toTurnDocument(turn)) + '\n').join(''));
      for (const turn of bucketTurns) this.recentIds.add(turn.id);
    }
  }

  async listByConversation(conversationId: string, limit: number): Promise<TurnRecord[]> {
    this.lifecycle.assertOpen();
    const max = findLimit(limit);
    if (max === 0) return [];
    const docs = await this.bucketOf(conversationId).read((id) => id === conversationId);
    docs.sort(byTimeThenSequence);
    return docs.slice(max === undefined ? 0 : Math.max(0, docs.length - max)).map(toTurnRecord);
  }

  async eraseCustomer(customerId: string, conversationIds: readonly string[]): Promise<number> {
    this.lifecycle.assertOpen();
    const conversations = new Set(conversationIds);
    let erased = 0;
    for (const bucket of this.buckets) {
      erased += bucket.removeWhere((doc) => doc.customerId === customerId || conversations.has(doc.conversationId));
      // Let customers' turns through between buckets: an erasure may take a while.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return erased;
  }

  /**
   * Runs a read-only aggregation pipeline over the turns (insights, experiment outcomes), with
   * mingo. A leading `$match` is applied while the buckets are read, so only matching turns are
   * held in memory (insights: the customer turns of the days shown); one on conversation ids
   * (experiment outcomes, a page of conversations at a time) also reads only their buckets and
   * parses only their lines.
   */
  async aggregate<TResult>(pipeline: readonly PipelineStage[]): Promise<TResult[]> {
    this.lifecycle.assertOpen();
    const leadingMatch = pipeline[0]?.$match as Record<string, unknown> | undefined;
    const query = leadingMatch === undefined ? undefined : new Query(leadingMatch);
    const wanted = conversationsMatchedBy(leadingMatch);
    const buckets = wanted === undefined ? this.buckets : [...new Set([...wanted].map((id) => this.bucketOf(id)))];
    const docs: TurnDocument[] = [];
    for (const bucket of buckets) {
      for (const doc of await bucket.read(wanted === undefined ? undefined : matching(wanted))) {
        if (query === undefined || query.test(doc as unknown as Record<string, unknown>)) docs.push(doc);
      }
    }
    return mingoAggregate(docs, pipeline.map((stage) => ({ ...stage }))) as TResult[];
  }

  /** Closes the files; appends are synchronous, so nothing is left to write. */
  async close(): Promise<void> {
    for (const bucket of this.buckets) bucket.close();
  }

  private bucketOf(conversationId: string): TurnBucket {
    return this.buckets[bucketIndexOf(conversationId)]!;
  }
}

/** The conversation ids a leading `{ $match: { conversationId: id | { $in: ids } } }` limits the pipeline to. */
function conversationsMatchedBy(match: Record<string, unknown> | undefined): ReadonlySet<string> | undefined {
  const condition = match?.conversationId;
  if (typeof condition === 'string') return new Set([condition]);
  const ids = (condition as { $in?: unknown } | undefined)?.$in;
  return Array.isArray(ids) && ids.every((id) => typeof id === 'string') ? new Set(ids as string[]) : undefined;
}

function matching(ids: ReadonlySet<string>): ConversationFilter {
  return (conversationId) => ids.has(conversationId);
}

/**
 * A turn document as a line in nedb's format. `at` is a turn's only Date (TurnRecord), so plain
 * JSON.stringify does the rest, without nedb's per-key replacer (a visible cost on every turn).
 */
function turnLine(doc: TurnDocument): string {
  return JSON.stringify({ ...doc, at: { $$date: doc.at.getTime() } });
}

function byTimeThenSequence(a: TurnDocument, b: TurnDocument): number {
  return a.at.getTime() - b.at.getTime() || a.seq - b.seq;
}
