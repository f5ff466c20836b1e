import { mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AttuneError } from '../../core/errors';

/** The lock file's name inside DATA_DIR. It holds the pid of the process that owns the directory. */
export const LOCK_FILE_NAME = 'attune.lock';

/** A lock file that cannot be read as a pid is left alone this long: its owner may be writing it. */
const UNREADABLE_LOCK_GRACE_MS = 5000;

/** Lock files this process holds right now (absolute paths). */
const heldByThisProcess = new Set<string>();

/** The embedded data directory, held by this process until `release()`. */
export interface DataDirLock {
  /** Absolute path of the locked directory. */
  readonly dataDir: string;
  readonly lockFile: string;
  /** Removes the lock file if it is still this process's. Safe to call more than once. */
  release(): Promise<void>;
}

/**
 * Takes the embedded data directory (created if missing) for this process, so that two processes
 * never write the same nedb files (nedb keeps everything in memory and appends to its files; a
 * second writer would silently lose the other's writes).
 *
 * A lock left by a process that has died (crash, kill -9) is taken over. The bot's store takes the
 * lock at open; a command-line tool that writes to a data directory should take it too, so that
 * it stops with a clear message while the bot is running.
 *
 * @param dataDir The data directory (DATA_DIR), relative to the working directory or absolute.
 * @throws AttuneError `ATTUNE_DATA_DIR_LOCKED` when a live process (this one included) holds it.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const dir = path.resolve(dataDir);
  // Customers' data: the directory is the bot's user's alone (applies when it is created here).
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const lockFile = path.join(dir, LOCK_FILE_NAME);
  const content = `${process.pid}\n`;

  // Each pass either takes the lock, fails, or removes a stale lock; a few passes cover another
  // process taking over the same stale lock at the same moment.
  for (let attempt = 0; attempt < 3; attempt += 1) {
    if (await createExclusive(lockFile, content)) {
      heldByThisProcess.add(lockFile);
      return { dataDir: dir, lockFile, release: () => release(lockFile, content) };
    }
    const holder = await readLock(lockFile);
    if (holder === undefined) continue; // released between our attempt and the read
    if (isHeld(holder, lockFile)) {
      const who = holder.pid === undefined ? 'another process (it is writing the lock file)' : `process ${holder.pid}`;
      throw new AttuneError(
        'ATTUNE_DATA_DIR_LOCKED',
        `The data directory ${dir} is in use by ${who}. Stop that process first; if no attune process ` +
          `is running, delete ${lockFile}.`,
      );
    }
    // Stale. Read once more right before removing it, so that a lock another process has just
    // taken over is not removed (this narrows that race to the gap between two system calls).
    const again = await readLock(lockFile);
    if (again?.raw === holder.raw) await unlinkIfPresent(lockFile);
  }
  throw new AttuneError(
    'ATTUNE_DATA_DIR_LOCKED',
    `The data directory ${dir} could not be locked: other processes keep taking ${lockFile}.`,
  );
}

interface LockContent {
  readonly raw: string;
  /** Undefined when the file does not hold a pid (yet). */
  readonly pid: number | undefined;
  readonly modifiedAt: number;
}

function isHeld(holder: LockContent, lockFile: string): boolean {
  if (holder.pid === undefined) return Date.now() - holder.modifiedAt < UNREADABLE_LOCK_GRACE_MS;
  // Our own pid in a lock we do not hold is a previous incarnation's: a container restarted after a
  // crash usually gets the same pid (often 1) again.
  if (holder.pid === process.pid) return heldByThisProcess.has(lockFile);
  return isAlive(holder.pid);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0 checks existence without signalling
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return isErrno(error, 'EPERM');
  }
}

async function createExclusive(lockFile: string, content: string): Promise<boolean> {
  try {
    await writeFile(lockFile, content, { flag: 'wx' });
    return true;
  } catch (error) {
    if (isErrno(error, 'EEXIST')) return false;
    throw error;
  }
}

async function readLock(lockFile: string): Promise<LockContent | undefined> {
  try {
    const [raw, info] = await Promise.all([readFile(lockFile, 'utf8'), stat(lockFile)]);
    const trimmed = raw.trim();
    const pid = /^\d+$/.test(trimmed) ? Number(trimmed) : undefined;
    // pid 0 and below address process groups in process.kill; they are never an owner.
    return { raw, pid: pid !== undefined && pid > 0 ? pid : undefined, modifiedAt: info.mtimeMs };
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw error;
  }
}

async function release(lockFile: string, content: string): Promise<void> {
  if (!heldByThisProcess.delete(lockFile)) return;
  const current = await readLock(lockFile);
  // Never remove a lock that is no longer ours (someone deleted ours by hand and took the directory).
  if (current?.raw === content) await unlinkIfPresent(lockFile);
}

async function unlinkIfPresent(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (error) {
    if (!isErrno(error, 'ENOENT')) throw error;
  }
}

function isErrno(error: unknown, code: string): boolean {
  // Not `instanceof Error`: errors from Node's own modules may come from another realm (test runners).
  return typeof error === 'object' && error !== null && 'code' in error && error.code === code;
}
