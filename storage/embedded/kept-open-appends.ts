/**
 * nedb appends every write to its file with `fs.appendFile`, which opens and closes the file each
 * time: under load that open/close pair cost about a tenth of a turn's CPU (two writes a turn: the
 * bot state and the turn records). This keeps the file open between appends instead. What is
 * written, and when, is unchanged: the same lines, appended before the write resolves, without
 * fsync (as nedb does).
 *
 * It replaces two internal methods of nedb's Persistence (pinned version; checked at start, and a
 * nedb without them is left as it is):
 * - `persistNewStateAsync(docs)`, nedb's append, now writes through the kept-open handle;
 * - `persistCachedDatabaseAsync()`, nedb's compaction (rewrite to a temporary file, then rename
 *   over the old one), now closes the handle first, so no append goes to the replaced file; the
 *   next append opens the new one.
 * nedb runs both inside its one-at-a-time executor, so they never overlap.
 */
import type Datastore from '@seald-io/nedb';
import { AppendOnlyFile } from './append-only-file';
import { serializeLine } from './nedb-lines';

/** nedb's internal Persistence, as far as it is used here. */
interface NedbPersistence {
  readonly filename: string;
  readonly inMemoryOnly: boolean;
  readonly modes: { readonly fileMode: number };
  afterSerialization(serialized: string): Promise<string>;
  persistNewStateAsync(docs: readonly unknown[]): Promise<void>;
  persistCachedDatabaseAsync(): Promise<void>;
}

/** Closes the kept-open file; call after nedb's last write. */
export type CloseAppends = () => Promise<void>;

/**
 * Makes a file-backed datastore append through a kept-open file. Returns how to close it, or a
 * no-op when the datastore is in memory or this nedb does not have the expected internals.
 */
export function appendThroughKeptOpenFile(datastore: Datastore): CloseAppends {
  const persistence = (datastore as unknown as { persistence?: Partial<NedbPersistence> }).persistence;
  if (!isPatchable(persistence) || persistence.inMemoryOnly) return async () => undefined;

  const file = new AppendOnlyFile(persistence.filename, persistence.modes.fileMode);
  const compact = persistence.persistCachedDatabaseAsync.bind(persistence);
  persistence.persistNewStateAsync = async (docs) => {
    let lines = '';
    for (const doc of docs) lines += (await persistence.afterSerialization(serializeLine(doc))) + '\n';
    if (lines.length > 0) file.append(lines);
  };
  persistence.persistCachedDatabaseAsync = async () => {
    file.close();
    await compact();
  };
  return async () => file.close();
}

function isPatchable(persistence: Partial<NedbPersistence> | undefined): persistence is NedbPersistence {
  return (
    persistence !== undefined &&
    typeof persistence.filename === 'string' &&
    typeof persistence.persistNewStateAsync === 'function' &&
    typeof persistence.persistCachedDatabaseAsync === 'function' &&
    typeof persistence.afterSerialization === 'function' &&
    typeof persistence.modes?.fileMode === 'number'
  );
}
