/**
 * Moves the turns of a data directory written before the turn log (nedb's `turns.db`) into it, at
 * open. Safe to interrupt at any point: the documents are written to `turns.migrating/` and forced
 * to disk, a marker is added, the directory is renamed to `turns/` in one step, and only then is
 * `turns.db` removed; an interrupted run starts over, or finishes, at the next open.
 *
 * `turns.db` next to a `turns/` that this migration did not make (e.g. an old backup restored into
 * a migrated directory) is refused rather than removed: the operator decides which to keep.
 */
import fs from 'node:fs';
import path from 'node:path';
import Datastore from '@seald-io/nedb';
import { AttuneError } from '../../core/errors';
import type { TurnDocument } from '../documents/document-turns';
import { serializeLine } from './nedb-lines';
import { BUCKETS, bucketFile, bucketIndexOf, syncDirectory, writeDurably } from './turn-bucket';

/** Written into a migrated turn log: proves `turns.db` was copied into it and may be removed. */
const MIGRATED_MARKER = '.migrated-from-turns.db';

/** @throws AttuneError ATTUNE_STORAGE_UNAVAILABLE when `turns.db` and an unrelated `turns/` both exist */
export async function migrateNedbTurns(dataDir: string, turnLogDirectory: string): Promise<void> {
  const nedbFile = path.join(dataDir, 'turns.db');
  if (!fs.existsSync(nedbFile)) return;
  if (fs.existsSync(turnLogDirectory)) {
    if (!fs.existsSync(path.join(turnLogDirectory, MIGRATED_MARKER))) {
      throw new AttuneError(
        'ATTUNE_STORAGE_UNAVAILABLE',
        `${dataDir} holds both turns.db (turns written by an earlier version) and turns/ (the current turn log). Move turns.db out of the directory to keep the turn log, or move turns/ out to migrate turns.db into a new one.`,
      );
    }
  } else {
    await copyIntoTurnLog(nedbFile, path.join(dataDir, 'turns.migrating'), turnLogDirectory);
  }
  fs.rmSync(nedbFile, { force: true });
  syncDirectory(dataDir);
}

async function copyIntoTurnLog(nedbFile: string, staging: string, turnLogDirectory: string): Promise<void> {
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true, mode: 0o700 });
  const datastore = new Datastore({ filename: nedbFile });
  await datastore.loadDatabaseAsync();
  const lines = Array.from({ length: BUCKETS }, () => '');
  // Documents are moved as they are: ids and sequence numbers kept.
  for (const doc of await datastore.findAsync<TurnDocument>({})) lines[bucketIndexOf(doc.conversationId)] += serializeLine(doc) + '\n';
  lines.forEach((content, index) => {
    if (content !== '') writeDurably(bucketFile(staging, index), content);
  });
  writeDurably(path.join(staging, MIGRATED_MARKER), `${new Date().toISOString()}\n`);
  syncDirectory(staging);
  fs.renameSync(staging, turnLogDirectory);
  syncDirectory(path.dirname(turnLogDirectory));
}
