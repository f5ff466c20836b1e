/**
 * The embedded store's files hold one document per line, and every write ends its lines with
 * '\n' (nedb's appends and compactions, and the turn log's). A file that does not end with '\n'
 * was therefore cut short by a crash (kill -9, power loss) in the middle of a write.
 */
import fs from 'node:fs';

/**
 * Cuts off a last line that a crash left unfinished: it cannot be read, the next append must start
 * a line of its own, and nedb refuses to load a file in which more than a tenth of the lines are
 * unreadable (one torn line in a small collection is enough). Synchronous: it runs at open, before
 * anything reads or appends to the file.
 *
 * @returns how many bytes were cut off (0 when the file is complete, empty or missing)
 */
export function cutUnfinishedLine(file: string): number {
  const size = fileSize(file);
  if (size === 0 || readRange(file, size - 1, size)[0] === 0x0a) return 0;
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - 64 * 1024);
    const newline = readRange(file, start, end).lastIndexOf(0x0a);
    if (newline >= 0) {
      fs.truncateSync(file, start + newline + 1);
      return size - (start + newline + 1);
    }
    end = start;
  }
  fs.truncateSync(file, 0);
  return size;
}

/** The bytes of `file` from `start` up to `end`. */
export function readRange(file: string, start: number, end: number): Buffer {
  const buffer = Buffer.alloc(end - start);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, buffer, 0, buffer.length, start);
  } finally {
    fs.closeSync(fd);
  }
  return buffer;
}

/** The file's size, 0 when it does not exist. */
export function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}
