/**
 * The embedded store's turns: append-only files on disk, not held in memory. nedb keeps every
 * document of a collection in memory, and turns are the one collection that grows with every
 * message (two records of ~700 bytes a turn), so a long-running embedded bot grew without bound.
 * Here memory stays flat: what a read needs is read from disk when asked, and reads are rare
 * (handoff, the agent desk, export, insights), never on a customer's turn.
 *
 * Layout: `<dataDir>/turns/bucket-NN.jsonl`, 64 files; a conversation's turns are all in the
 * bucket its id hashes to, so listing one conversation reads 1/64 of the data. One document per
 * line in nedb's format (storage/embedded/nedb-lines.ts). Each bucket is kept open and appended to
 * with one synchronous write per append: a turn's records reach the file (the page cache, as
 * nedb's appends do: no fsync) before `append` resolves, and the write cannot interleave with
 * another append or with an erasure's rewrite, which runs synchronously per bucket.
 *
 * Ids: an append is refused (ATTUNE_STORAGE_CONFLICT) when one of its ids is among the last
 * RECENT_IDS ids appended (seeded from the end of each file at open). That catches a retried
 * append, the only way a duplicate arises (ids are random UUIDs); MongoDB, with its unique `_id`,
 * refuses any duplicate.
 *
 * A crash can cut the last line of a bucket short: such a line is skipped when reading, and at open
 * the file is given the newline it lacks so the next append starts on a line of its own.
 *
 * A data directory written before this log (turns in nedb's `turns.db`) is migrated at open: the
 * documents are written to `turns.migrating/`, which is renamed to `turns/` in one step, and only
 * then is `turns.db` removed (it would otherwise keep erased customers' messages).
 */
import fs from 'node:fs';
import path from 'node:path';
import Datastore from '@seald-io/nedb';
import { aggregate as mingoAggregate } from 'mingo';
import { AttuneError } from '../../core/errors';
import { findLimit } from '../document-collection';
import { toTurnDocument, toTurnRecord, type TurnDocument } from '../documents/document-turns';
import type { PipelineStage, TurnRecord, Turns } from '../ports';
import type { StoreLifecycle } from '../store-lifecycle';
import { parseLine, serializeLine } from './nedb-lines';

const BUCKETS = 64;
/** How many of the most recently appended ids a new append is checked against. */
const RECENT_IDS = 100_000;
/** How much of the end of each bucket is read at open to seed the recent ids. */
const SEED_BYTES = 256 * 1024;

export class EmbeddedTurnLog implements Turns {
  private readonly buckets: Bucket[];
  private readonly recentIds = new RecentIds(RECENT_IDS);

  private constructor(
    directory: string,
    private readonly lifecycle: StoreLifecycle,
  ) {
    this.buckets = Array.from({ length: BUCKETS }, (_, i) => new Bucket(bucketFile(directory, i)));
  }

  /** Opens (creating, or migrating from `turns.db`) the log in `dataDir`. */
  static async open(dataDir: string, lifecycle: StoreLifecycle): Promise<EmbeddedTurnLog> {
    const directory = path.join(dataDir, 'turns');
    await migrateFromNedb(dataDir, directory);
    fs.mkdirSync(directory, { recursive: true });
    const log = new EmbeddedTurnLog(directory, lifecycle);
    for (const bucket of log.buckets) {
      bucket.endWithNewline();
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
    const linesByBucket = new Map<Bucket, string>();
    for (const turn of turns) {
      const bucket = this.bucketOf(turn.conversationId);
      linesByBucket.set(bucket, (linesByBucket.get(bucket) ?? '') + turnLine(toTurnDocument(turn)) + '\n');
    }
    for (const [bucket, lines] of linesByBucket) bucket.append(lines);
    for (const id of ids) this.recentIds.add(id);
  }

  async listByConversation(conversationId: string, limit: number): Promise<TurnRecord[]> {
    this.lifecycle.assertOpen();
    const max = findLimit(limit);
    if (max === 0) return [];
    const docs = (await this.bucketOf(conversationId).read(conversationId)).filter((doc) => doc.conversationId === conversationId);
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

  /** Runs a read-only aggregation pipeline over every stored turn (insights), with mingo. */
  async aggregate<TResult>(pipeline: readonly PipelineStage[]): Promise<TResult[]> {
    this.lifecycle.assertOpen();
    const docs: TurnDocument[] = [];
    for (const bucket of this.buckets) docs.push(...(await bucket.read()));
    return mingoAggregate(docs, pipeline.map((stage) => ({ ...stage }))) as TResult[];
  }

  /** Closes the files; appends are synchronous, so nothing is left to write. */
  async close(): Promise<void> {
    for (const bucket of this.buckets) bucket.close();
  }

  private bucketOf(conversationId: string): Bucket {
    return this.buckets[fnv1a(conversationId) % BUCKETS]!;
  }
}

/** One bucket file, opened for appending on first use and kept open. */
class Bucket {
  private fd: number | undefined;

  constructor(readonly file: string) {}

  append(lines: string): void {
    this.fd ??= fs.openSync(this.file, 'a', 0o600);
    try {
      fs.writeSync(this.fd, lines, null, 'utf8');
    } catch (error) {
      this.close(); // a broken descriptor is dropped: the next append reopens the file
      throw error;
    }
  }

  /** Every document in the file (only lines mentioning `mentioning` are parsed, when given). */
  async read(mentioning?: string): Promise<TurnDocument[]> {
    const content = await fs.promises.readFile(this.file, 'utf8').catch(ifMissing(''));
    return parseLines(content, mentioning === undefined ? undefined : JSON.stringify(mentioning));
  }

  /** The documents on the complete lines of the last `bytes` of the file. */
  tail(bytes: number): TurnDocument[] {
    const size = fileSize(this.file);
    if (size === 0) return [];
    const start = Math.max(0, size - bytes);
    const buffer = Buffer.alloc(size - start);
    const fd = fs.openSync(this.file, 'r');
    try {
      fs.readSync(fd, buffer, 0, buffer.length, start);
    } finally {
      fs.closeSync(fd);
    }
    const text = buffer.toString('utf8');
    // A read from the middle of the file starts inside a line: skip to the first whole one.
    return parseLines(start === 0 ? text : text.slice(text.indexOf('\n') + 1));
  }

  /** Ends a last line that a crash cut short, so the next append starts a line of its own. */
  endWithNewline(): void {
    const size = fileSize(this.file);
    if (size === 0) return;
    const last = Buffer.alloc(1);
    const fd = fs.openSync(this.file, 'r');
    try {
      fs.readSync(fd, last, 0, 1, size - 1);
    } finally {
      fs.closeSync(fd);
    }
    if (last[0] !== 0x0a) fs.appendFileSync(this.file, '\n');
  }

  /**
   * Rewrites the file without the documents `remove` picks; resolves how many it removed.
   * Synchronous, so no append can land between the read and the rename.
   */
  removeWhere(remove: (doc: TurnDocument) => boolean): number {
    if (fileSize(this.file) === 0) return 0;
    const lines = fs.readFileSync(this.file, 'utf8').split('\n');
    const kept = lines.filter((line) => {
      const doc = line === '' ? undefined : (parseLine(line) as TurnDocument | undefined);
      return doc === undefined || !remove(doc);
    });
    const removed = lines.length - kept.length;
    if (removed === 0) return 0;
    const rewritten = `${this.file}.rewrite`;
    fs.writeFileSync(rewritten, kept.join('\n'), { mode: 0o600 });
    this.close();
    fs.renameSync(rewritten, this.file);
    return removed;
  }

  close(): void {
    const fd = this.fd;
    this.fd = undefined;
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Fixed-size memory of the last ids added. */
class RecentIds {
  private readonly ids = new Set<string>();
  private readonly order: string[] = [];
  private next = 0;

  constructor(private readonly capacity: number) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    if (this.ids.has(id)) return;
    const evicted = this.order[this.next];
    if (evicted !== undefined) this.ids.delete(evicted);
    this.order[this.next] = id;
    this.next = (this.next + 1) % this.capacity;
    this.ids.add(id);
  }
}

/**
 * Moves the turns of a data directory written by an earlier version (nedb's `turns.db`) into the
 * log. Safe to interrupt at any point: it starts over, or finishes, at the next open.
 */
async function migrateFromNedb(dataDir: string, directory: string): Promise<void> {
  const nedbFile = path.join(dataDir, 'turns.db');
  if (!fs.existsSync(nedbFile)) return;
  if (!fs.existsSync(directory)) {
    const staging = path.join(dataDir, 'turns.migrating');
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging, { recursive: true });
    const datastore = new Datastore({ filename: nedbFile });
    await datastore.loadDatabaseAsync();
    const docs = await datastore.findAsync<TurnDocument>({});
    // Documents are moved as they are: ids and sequence numbers kept.
    const buckets = Array.from({ length: BUCKETS }, (_, i) => new Bucket(bucketFile(staging, i)));
    for (const doc of docs) buckets[fnv1a(doc.conversationId) % BUCKETS]!.append(serializeLine(doc) + '\n');
    for (const bucket of buckets) bucket.close();
    fs.renameSync(staging, directory);
  }
  fs.rmSync(nedbFile, { force: true });
}

/**
 * A turn document as a line in nedb's format. `at` is a turn's only Date (TurnRecord), so plain
 * JSON.stringify does the rest, without nedb's per-key replacer (a visible cost on every turn).
 */
function turnLine(doc: TurnDocument): string {
  return JSON.stringify({ ...doc, at: { $$date: doc.at.getTime() } });
}

function bucketFile(directory: string, index: number): string {
  return path.join(directory, `bucket-${index.toString(16).padStart(2, '0')}.jsonl`);
}

function parseLines(content: string, mentioning?: string): TurnDocument[] {
  const docs: TurnDocument[] = [];
  for (const line of content.split('\n')) {
    if (line === '' || (mentioning !== undefined && !line.includes(mentioning))) continue;
    const doc = parseLine(line) as TurnDocument | undefined;
    if (doc !== undefined && typeof doc === 'object' && doc !== null && typeof doc._id === 'string') docs.push(doc);
  }
  return docs;
}

function byTimeThenSequence(a: TurnDocument, b: TurnDocument): number {
  return a.at.getTime() - b.at.getTime() || a.seq - b.seq;
}

/** 32-bit FNV-1a of a string's UTF-16 code units: a stable, well-spread bucket choice. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch (error) {
    return ifMissing(0)(error);
  }
}

function ifMissing<T>(value: T): (error: unknown) => T {
  return (error) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return value;
    throw error;
  };
}
