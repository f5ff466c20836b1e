/**
 * The lines of a file, read a chunk at a time: a file of one document per line can grow past what
 * one string may hold (V8: 512 MiB) and past what is worth holding at once, so it is never read
 * whole. Lines are split on '\n'; a line that spans chunks is joined before it is handed on. A
 * file that does not exist has no lines.
 */
import fs from 'node:fs';

/** 1 MiB: few reads for a typical bucket, little memory for a large one. */
export const DEFAULT_CHUNK_BYTES = 1024 * 1024;

/** Calls `onLine` with each non-empty line of `file`, in order. */
export async function forEachLine(file: string, onLine: (line: string) => void, chunkBytes = DEFAULT_CHUNK_BYTES): Promise<void> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    const lines = new LineSplitter(onLine);
    const buffer = Buffer.alloc(chunkBytes);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, chunkBytes, null);
      if (bytesRead === 0) break;
      lines.push(buffer.subarray(0, bytesRead));
    }
    lines.end();
  } finally {
    await handle.close();
  }
}

/** As forEachLine, synchronously (for rewrites that no append may interleave with). */
export function forEachLineSync(file: string, onLine: (line: string) => void, chunkBytes = DEFAULT_CHUNK_BYTES): void {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    const lines = new LineSplitter(onLine);
    const buffer = Buffer.alloc(chunkBytes);
    for (;;) {
      const bytesRead = fs.readSync(fd, buffer, 0, chunkBytes, null);
      if (bytesRead === 0) break;
      lines.push(buffer.subarray(0, bytesRead));
    }
    lines.end();
  } finally {
    fs.closeSync(fd);
  }
}

/** Splits bytes into lines; keeps the bytes of an unfinished line (a UTF-8 character may be cut too) until the next chunk. */
class LineSplitter {
  private rest: Buffer = Buffer.alloc(0);

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer): void {
    let data = this.rest.length > 0 ? Buffer.concat([this.rest, chunk]) : chunk;
    let start = 0;
    for (let newline = data.indexOf(0x0a, start); newline !== -1; newline = data.indexOf(0x0a, start)) {
      if (newline > start) this.onLine(data.toString('utf8', start, newline));
      start = newline + 1;
    }
    data = data.subarray(start);
    // Copied: the caller reuses its buffer for the next chunk.
    this.rest = Buffer.from(data);
  }

  end(): void {
    if (this.rest.length > 0) this.onLine(this.rest.toString('utf8'));
    this.rest = Buffer.alloc(0);
  }
}
