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
 *
 * A failed append (a full disk: ENOSPC) also puts nedb's memory back in line with its file. nedb
 * changes its in-memory copy before it appends, and never undoes that when the append fails: the
 * caller got an error, yet the record was visible to every later read (and a retried insert was a
 * conflict) until a restart made it disappear. So before the failed call rejects, and so before
 * nedb runs any later call, the collection is reloaded from its file (AppendOnlyFile has cut the
 * file back to where it was). Should that reload fail too, the memory cannot be trusted: every
 * later call is refused until a restart loads the file again.
 */
import fs from 'node:fs';
import type Datastore from '@seald-io/nedb';
import { AttuneError } from '../../core/errors';
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
  /** Parses a whole file's content as nedb's load does (deletions applied, the last version of each document). */
  treatRawData(rawData: string): Promise<{ readonly data: unknown[] }>;
}

/** nedb's internal Datastore, as far as it is used here. */
interface NedbInternals {
  readonly persistence?: Partial<NedbPersistence>;
  /** Empties every index (the documents live in the indexes), then fills them with `docs`. */
  _resetIndexes?(docs?: unknown[]): void;
}

/** The kept-open file of one datastore. */
export interface KeptOpenAppends {
  /**
   * Throws ATTUNE_STORAGE_UNAVAILABLE once a failed append left the memory out of line with the
   * file and reloading it failed too: nothing the datastore holds may be served any more.
   */
  assertInLineWithFile(): void;
  /** Closes the kept-open file; call after nedb's last write. */
  close(): Promise<void>;
}

/**
 * Makes a file-backed datastore append through a kept-open file. Returns how to check and close
 * it; a no-op when the datastore is in memory or this nedb does not have the expected internals.
 */
export function appendThroughKeptOpenFile(datastore: Datastore): KeptOpenAppends {
  const internals = datastore as unknown as NedbInternals;
  const persistence = internals.persistence;
  const resetIndexes = internals._resetIndexes?.bind(datastore);
  if (!isPatchable(persistence) || resetIndexes === undefined || persistence.inMemoryOnly) {
    return { assertInLineWithFile: () => undefined, close: async () => undefined };
  }

  const file = new AppendOnlyFile(persistence.filename, persistence.modes.fileMode);
  const compact = persistence.persistCachedDatabaseAsync.bind(persistence);
  let outOfLine: unknown;
  const reloadFromFile = async (): Promise<void> => {
    // Read-only: a full disk has no room for a compaction, and the file is already what is true.
    const { data } = await persistence.treatRawData(await fs.promises.readFile(persistence.filename, 'utf8'));
    resetIndexes(data);
  };
  persistence.persistNewStateAsync = async (docs) => {
    let lines = '';
    for (const doc of docs) lines += (await persistence.afterSerialization(serializeLine(doc))) + '\n';
    if (lines.length === 0) return;
    try {
      file.append(lines);
    } catch (error) {
      // Inside nedb's executor: no other call runs before the memory is the file's again.
      await reloadFromFile().catch((reloadError: unknown) => {
        outOfLine = reloadError;
      });
      throw error;
    }
  };
  const assertInLineWithFile = (): void => {
    if (outOfLine === undefined) return;
    const message = `${persistence.filename}: a write failed and the collection could not be reloaded from the file; restart to load it again.`;
    throw new AttuneError('ATTUNE_STORAGE_UNAVAILABLE', message, { cause: outOfLine });
  };
  persistence.persistCachedDatabaseAsync = async () => {
    assertInLineWithFile(); // a compaction writes the memory out: never one that is not the file's
    file.close();
    await compact();
  };
  return { assertInLineWithFile, close: async () => file.close() };
}

function isPatchable(persistence: Partial<NedbPersistence> | undefined): persistence is NedbPersistence {
  return (
    persistence !== undefined &&
    typeof persistence.treatRawData === 'function' &&
    typeof persistence.filename === 'string' &&
    typeof persistence.persistNewStateAsync === 'function' &&
    typeof persistence.persistCachedDatabaseAsync === 'function' &&
    typeof persistence.afterSerialization === 'function' &&
    typeof persistence.modes?.fileMode === 'number'
  );
}
