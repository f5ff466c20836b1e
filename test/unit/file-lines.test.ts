/**
 * Line-by-line reading of the embedded store's files in chunks (so a turn bucket is never one
 * string), and the turn bucket reading and erasing through it with chunks far smaller than its lines.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { forEachLine, forEachLineSync } from '../../storage/embedded/file-lines';
import { TurnBucket } from '../../storage/embedded/turn-bucket';

describe('reading a file a chunk at a time', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attune-lines-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const lines = ['first', '', 'café ☕ 🏦 split across chunks', 'x'.repeat(50), 'last without a newline'];
  const content = lines.join('\n');

  it.each([1, 2, 3, 7, 64, 1024 * 1024])('gives the same non-empty lines as splitting the whole file (chunks of %i bytes)', async (chunkBytes) => {
    const file = path.join(dir, 'f.jsonl');
    fs.writeFileSync(file, content);
    const expected = content.split('\n').filter((line) => line !== '');
    const read: string[] = [];
    await forEachLine(file, (line) => read.push(line), chunkBytes);
    expect(read).toEqual(expected);
    const readSync: string[] = [];
    forEachLineSync(file, (line) => readSync.push(line), chunkBytes);
    expect(readSync).toEqual(expected);
  });

  it('reads no lines from a file that does not exist', async () => {
    const read: string[] = [];
    await forEachLine(path.join(dir, 'missing'), (line) => read.push(line));
    forEachLineSync(path.join(dir, 'missing'), (line) => read.push(line));
    expect(read).toEqual([]);
  });

  it('lets a turn bucket read and erase with chunks smaller than one line', async () => {
    const file = path.join(dir, 'bucket-00.jsonl');
    const doc = (id: string, conversationId: string, customerId: string, text: string) =>
      JSON.stringify({ _id: id, conversationId, customerId, seq: 0, role: 'customer', text, at: { $$date: 1_700_000_000_000 } });
    fs.writeFileSync(file, [doc('t1', 'c1', 'cust-1', 'mon café'), doc('t2', 'c2', 'cust-2', 'hello ☕'), doc('t3', 'c1', 'cust-1', 'again')].join('\n') + '\n');
    const bucket = new TurnBucket(file, 5);
    expect((await bucket.read((id) => id === 'c1')).map((d) => d._id)).toEqual(['t1', 't3']);
    expect(bucket.removeWhere((d) => d.customerId === 'cust-1')).toBe(2);
    expect((await bucket.read()).map((d) => [d._id, d.text])).toEqual([['t2', 'hello ☕']]);
    expect(bucket.removeWhere((d) => d.customerId === 'nobody')).toBe(0);
    bucket.close();
  });
});
