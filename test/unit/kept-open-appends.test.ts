/**
 * The embedded store appends to its nedb files through a kept-open file (storage/embedded/
 * kept-open-appends.ts). What matters is that nothing written is lost: not across a reopen, and
 * not across a compaction, which replaces the file the kept-open descriptor pointed to.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { NedbCollection } from '../../storage/embedded/nedb-collection';
import { StoreLifecycle } from '../../storage/store-lifecycle';

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
  await rm(dir, { recursive: true, force: true });
});

const open = (filename: string, compactEveryMs?: number) => NedbCollection.open<Note>(new StoreLifecycle('test'), { filename, compactEveryMs });
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
    const notes = await open(filename, 20);
    for (let i = 0; i < 5; i += 1) await notes.replaceOne({ _id: 'state' }, { _id: 'state', text: `v${i}` }, { upsert: true });
    // Compaction rewrites the file with one line per live document.
    await waitFor(async () => (await linesOf(filename)).length === 1);
    await notes.insertOne({ _id: 'after', text: 'written after the compaction' });
    await notes.replaceOne({ _id: 'state' }, { _id: 'state', text: 'v5' }, { upsert: true });
    await notes.close();

    const reopened = await open(filename);
    expect(await reopened.find({}, { sort: { _id: 1 } })).toEqual([
      { _id: 'after', text: 'written after the compaction' },
      { _id: 'state', text: 'v5' },
    ]);
    await reopened.close();
  });
});

async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
