/**
 * One bucket file of the embedded turn log: turn documents, one per line in nedb's format, for the
 * conversations whose ids hash to it. Appends go through a kept-open file; reads parse only the
 * lines of the conversations asked for; erasure rewrites the file and renames it into place.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TurnDocument } from '../documents/document-turns';
import { AppendOnlyFile } from './append-only-file';
import { DEFAULT_CHUNK_BYTES, forEachLine, forEachLineSync } from './file-lines';
import { parseLine } from './nedb-lines';
import { cutUnfinishedLine, fileSize, readRange } from './unfinished-line';

/** Turn records are personal data: readable by the bot's user only. */
export const TURN_FILE_MODE = 0o600;

/** How many bucket files a turn log has: listing one conversation reads 1/BUCKETS of the data. */
export const BUCKETS = 64;

export function bucketFile(directory: string, index: number): string {
  return path.join(directory, `bucket-${index.toString(16).padStart(2, '0')}.jsonl`);
}

/** The bucket a conversation's turns go to: 32-bit FNV-1a of the id's UTF-16 code units, stable and well spread. */
export function bucketIndexOf(conversationId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < conversationId.length; i += 1) {
    hash ^= conversationId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % BUCKETS;
}

/** Which lines to parse, by the conversation id written on them. */
export type ConversationFilter = (conversationId: string) => boolean;

export class TurnBucket {
  private readonly appends: AppendOnlyFile;

  constructor(
    readonly file: string,
    /** How much of the file is read at a time (tests make it small). */
    private readonly chunkBytes = DEFAULT_CHUNK_BYTES,
  ) {
    this.appends = new AppendOnlyFile(file, TURN_FILE_MODE);
  }

  append(lines: string): void {
    this.appends.append(lines);
  }

  /** The documents of the conversations `wanted` picks (all when absent). */
  async read(wanted?: ConversationFilter): Promise<TurnDocument[]> {
    const docs: TurnDocument[] = [];
    await forEachLine(
      this.file,
      (line) => {
        if (wanted !== undefined) {
          const conversationId = conversationIdOn(line);
          if (conversationId === undefined || !wanted(conversationId)) return;
        }
        const doc = asTurnDocument(parseLine(line));
        if (doc !== undefined) docs.push(doc);
      },
      this.chunkBytes,
    );
    return docs;
  }

  /** The documents on the complete lines of the last `bytes` of the file. */
  tail(bytes: number): TurnDocument[] {
    const size = fileSize(this.file);
    if (size === 0) return [];
    const start = Math.max(0, size - bytes);
    const text = readRange(this.file, start, size).toString('utf8');
    // A read from the middle of the file starts inside a line: skip to the first whole one.
    const lines = (start === 0 ? text : text.slice(text.indexOf('\n') + 1)).split('\n');
    return lines.map((line) => (line === '' ? undefined : asTurnDocument(parseLine(line)))).filter((doc): doc is TurnDocument => doc !== undefined);
  }

  /**
   * Cuts off a last line that a crash left unfinished: it cannot be read, it may hold a customer's
   * words that erasure could then not find, and the next append must start a line of its own.
   */
  cutUnfinishedLine(): void {
    cutUnfinishedLine(this.file);
  }

  /**
   * Rewrites the file without the documents `remove` picks, and without lines that cannot be read
   * (a crash's leftovers, which may hold erased data); returns how many documents it removed.
   * Synchronous, so that no append lands between the read and the rename.
   */
  removeWhere(remove: (doc: TurnDocument) => boolean): number {
    if (fileSize(this.file) === 0) return 0;
    const dropped = (line: string) => {
      const doc = asTurnDocument(parseLine(line));
      return doc === undefined || remove(doc);
    };
    // A first pass finds out whether anything goes, so that a bucket without the customer is not rewritten.
    let found = false;
    forEachLineSync(this.file, (line) => (found ||= dropped(line)), this.chunkBytes);
    if (!found) return 0;
    let removed = 0;
    const rewritten = `${this.file}.rewrite`;
    const fd = fs.openSync(rewritten, 'w', TURN_FILE_MODE);
    try {
      let pending = '';
      forEachLineSync(
        this.file,
        (line) => {
          const doc = asTurnDocument(parseLine(line));
          if (doc === undefined) return;
          if (remove(doc)) {
            removed += 1;
            return;
          }
          pending += `${line}\n`;
          if (pending.length >= this.chunkBytes) {
            fs.writeSync(fd, pending);
            pending = '';
          }
        },
        this.chunkBytes,
      );
      fs.writeSync(fd, pending);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    this.appends.close();
    fs.renameSync(rewritten, this.file);
    syncDirectory(path.dirname(this.file));
    return removed;
  }

  close(): void {
    this.appends.close();
  }
}

/**
 * The conversation id a line was written for, read without parsing the line. A quote inside a JSON
 * string is always escaped, so `"conversationId":"` with bare quotes can only be the key.
 */
function conversationIdOn(line: string): string | undefined {
  const match = /"conversationId":("(?:[^"\\]|\\.)*")/.exec(line);
  if (match === null) return undefined;
  try {
    return JSON.parse(match[1]!) as string;
  } catch {
    return undefined;
  }
}

function asTurnDocument(value: unknown): TurnDocument | undefined {
  return typeof value === 'object' && value !== null && typeof (value as { _id?: unknown })._id === 'string' ? (value as TurnDocument) : undefined;
}

/** Writes a file and forces it to disk, so that renaming it into place cannot leave it empty after a power cut. */
export function writeDurably(file: string, content: string): void {
  const fd = fs.openSync(file, 'w', TURN_FILE_MODE);
  try {
    fs.writeFileSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Forces a directory's entries (a rename, a removal) to disk. */
export function syncDirectory(directory: string): void {
  const fd = fs.openSync(directory, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
