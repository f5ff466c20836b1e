/**
 * The embedded store appends to its nedb files through a kept-open file (storage/embedded/
 * kept-open-appends.ts). What matters is that nothing written is lost: not across a reopen, and
 * not across a compaction, which replaces the file the kept-open descriptor pointed to; and that
 * a write that fails (simulated on `fs.writeSync`) is not served from memory afterwards.
 */
import fs from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Datastore from '@seald-io/nedb';
import { appendThroughKeptOpenFile } from '../../storage/embedded/kept-open-appends';
import { NedbCollection } from '../../storage/embedded/nedb-collection';
import { StoreLifecycle } from '../../storage/store-lifecycle';
import { expectAttuneError } from '../support/expect-attune-error';

interface Note {
  readonly _id: string;
  readonly text: string;
  readonly at?: Date;
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'attune-appends-'));
});
afterEach(async () => {
  jest.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

const open = (filename: string) => NedbCollection.open<Note>(new StoreLifecycle('test'), { filename });
const linesOf = async (filename: string) => (await readFile(filename, 'utf8')).split('\n').filter((line) => line.length > 0);

describe('appends through a kept-open file', () => {
  it('writes each insert and update to the file before it resolves, in nedb’s format', async () => {
    const filename = path.join(dir, 'notes.db');
    const notes = await open(filename);
    await notes.insertMany([{ _id: 'a', text: 'first', at: new Date(1000) }]);
    expect(await linesOf(filename)).toEqual([JSON.stringify({ _id: 'a', text: 'first', at: { $$date: 1000 } })]);
    await notes.updateOne({ _id: 'a' }, { text: 'second' });
    expect(await linesOf(filename)).toHaveLength(2);
    await notes.close();

    const reopened = await open(filename);
    expect(await reopened.findOne({ _id: 'a' })).toEqual({ _id: 'a', text: 'second', at: new Date(1000) });
    await reopened.close();
  });

  it('loses nothing written after a compaction replaced the file', async () => {
    const filename = path.join(dir, 'state.db');
    const datastore = new Datastore({ filename });
    await datastore.loadDatabaseAsync();
    const appends = appendThroughKeptOpenFile(datastore);
    for (let i = 0; i < 5; i += 1) await datastore.updateAsync({ _id: 'state' }, { _id: 'state', text: `v${i}` }, { upsert: true });
    // Compaction rewrites the file with one line per live document and renames it over the old one.
    await datastore.compactDatafileAsync();
    expect(await linesOf(filename)).toHaveLength(1);
    await datastore.insertAsync({ _id: 'after', text: 'written after the compaction' });
    await datastore.updateAsync({ _id: 'state' }, { _id: 'state', text: 'v5' }, {});
    await appends.close();

    // What matters is the file: these lines must be in it, not in the file the rename replaced.
    const reopened = await open(filename);
    expect(await reopened.find({}, { sort: { _id: 1 } })).toEqual([
      { _id: 'after', text: 'written after the compaction' },
      { _id: 'state', text: 'v5' },
    ]);
    await reopened.close();
  });
});

describe('a write that fails to reach the file', () => {
  const diskFull = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  const failNextWrite = () =>
    jest.spyOn(fs, 'writeSync').mockImplementationOnce(() => {
      throw diskFull();
    });

  it('is undone in memory before the calls queued behind it are served', async () => {
    const filename = path.join(dir, 'notes.db');
    const notes = await open(filename);
    await notes.insertMany([{ _id: 'a', text: 'kept' }]);

    failNextWrite();
    // Issued together: nedb runs them one after the other, the reads after the failed writes.
    const failedInsert = notes.insertOne({ _id: 'b', text: 'never stored' });
    const readAfterInsert = notes.findOne({ _id: 'b' });
    await expect(failedInsert).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(await readAfterInsert).toBeUndefined();

    failNextWrite();
    const failedUpdate = notes.updateOne({ _id: 'a' }, { text: 'never stored' });
    const failedDelete = notes.deleteMany({ _id: 'a' }); // the mock fails only the update's write
    const readAfterBoth = notes.find({});
    await expect(failedUpdate).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(await failedDelete).toBe(1);
    expect(await readAfterBoth).toEqual([]);

    failNextWrite();
    await expect(notes.insertMany([{ _id: 'c', text: 'never stored' }])).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(await notes.count({})).toBe(0);
    expect(await notes.insertOne({ _id: 'c', text: 'stored on retry' })).toBe(true);
    await notes.close();

    const reopened = await open(filename);
    expect(await reopened.find({})).toEqual([{ _id: 'c', text: 'stored on retry' }]);
    await reopened.close();
  });

  it('stops the collection serving anything when its memory cannot be reloaded from the file', async () => {
    const filename = path.join(dir, 'notes.db');
    const notes = await open(filename);
    await notes.insertMany([{ _id: 'a', text: 'kept' }]);

    failNextWrite();
    jest.spyOn(fs.promises, 'readFile').mockRejectedValueOnce(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' }));
    const failedInsert = notes.insertOne({ _id: 'b', text: 'never stored' });
    const queuedRead = notes.findOne({ _id: 'b' });
    await expect(failedInsert).rejects.toMatchObject({ code: 'ENOSPC' });
    await expectAttuneError(queuedRead, 'ATTUNE_STORAGE_UNAVAILABLE');
    await expectAttuneError(notes.find({}), 'ATTUNE_STORAGE_UNAVAILABLE');
    await expectAttuneError(notes.insertMany([{ _id: 'c', text: 'refused' }]), 'ATTUNE_STORAGE_UNAVAILABLE');
    await notes.close();

    // The file was never wrong: a restart serves what it holds.
    const reopened = await open(filename);
    expect(await reopened.find({})).toEqual([{ _id: 'a', text: 'kept' }]);
    await reopened.close();
  });
});
