/**
 * AppendOnlyFile's promise: an append is all or nothing. `writeSync` may write part of the data
 * (a nearly full disk) and then fail; the file must then be back where it was, or the next append
 * would be glued onto half a line and lost when read. The failures are simulated on `fs.writeSync`.
 */
import fs from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AppendOnlyFile } from '../../storage/embedded/append-only-file';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'attune-append-'));
  file = path.join(dir, 'log.jsonl');
});
afterEach(async () => {
  jest.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

const realWriteSync = fs.writeSync.bind(fs) as (fd: number, buffer: Buffer, offset: number, length: number) => number;

describe('AppendOnlyFile', () => {
  it('appends after what the file already held, keeping the descriptor open', async () => {
    await writeFile(file, 'first\n');
    const log = new AppendOnlyFile(file, 0o600);
    const opens = jest.spyOn(fs, 'openSync');
    log.append('second\n');
    log.append('third\n');
    expect(opens).toHaveBeenCalledTimes(1);
    log.close();
    expect(await readFile(file, 'utf8')).toBe('first\nsecond\nthird\n');
  });

  it('writes the rest when a write stops short', async () => {
    const log = new AppendOnlyFile(file, 0o600);
    jest.spyOn(fs, 'writeSync').mockImplementationOnce(((fd: number, buffer: Buffer, offset: number) => realWriteSync(fd, buffer, offset, 3)) as typeof fs.writeSync);
    log.append('a whole line\n');
    log.close();
    expect(await readFile(file, 'utf8')).toBe('a whole line\n');
  });

  it('cuts the file back when a write fails half-way, so the next append is a line of its own', async () => {
    const log = new AppendOnlyFile(file, 0o600);
    log.append('kept\n');
    jest
      .spyOn(fs, 'writeSync')
      .mockImplementationOnce(((fd: number, buffer: Buffer, offset: number) => realWriteSync(fd, buffer, offset, 4)) as typeof fs.writeSync)
      .mockImplementationOnce(() => {
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      });
    expect(() => log.append('half written\n')).toThrow('ENOSPC');
    expect(await readFile(file, 'utf8')).toBe('kept\n');

    log.append('next\n');
    log.close();
    expect(await readFile(file, 'utf8')).toBe('kept\nnext\n');
  });
});
