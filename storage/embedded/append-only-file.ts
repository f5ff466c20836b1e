/**
 * A file appended to through a descriptor kept open between appends, with synchronous writes: a
 * few hundred bytes into the page cache take microseconds, far less than opening and closing the
 * file each time or a round trip through the thread pool (both showed up as large costs of a
 * turn). Like nedb's own appends there is no fsync: a write survives a crash of the process, not
 * of the machine.
 *
 * An append is all or nothing: `writeSync` may write only part of the data (a nearly full disk),
 * so it is repeated until everything is written, and on an error the file is cut back to where it
 * was, so that no half line is left for the next append to be glued onto.
 */
import fs from 'node:fs';

export class AppendOnlyFile {
  private fd: number | undefined;
  /** The file's size as this process left it (the data directory is locked to one process). */
  private size = 0;

  constructor(
    readonly file: string,
    private readonly mode: number,
  ) {}

  append(text: string): void {
    const fd = this.open();
    const data = Buffer.from(text, 'utf8');
    try {
      let written = 0;
      while (written < data.length) written += fs.writeSync(fd, data, written, data.length - written);
      this.size += data.length;
    } catch (error) {
      try {
        fs.ftruncateSync(fd, this.size);
      } catch {
        // The half line stays: readers skip a line they cannot parse, and opening cuts it off.
      }
      this.close(); // a broken descriptor is dropped: the next append opens the file afresh
      throw error;
    }
  }

  /** Closes the descriptor (the next append reopens the file: e.g. after it was replaced). */
  close(): void {
    const fd = this.fd;
    this.fd = undefined;
    if (fd !== undefined) fs.closeSync(fd);
  }

  private open(): number {
    if (this.fd === undefined) {
      this.fd = fs.openSync(this.file, 'a', this.mode);
      this.size = fs.fstatSync(this.fd).size;
    }
    return this.fd;
  }
}
