import { mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AttuneError } from '../../core/errors';

/**
 * The lock file's name inside DATA_DIR. It holds the pid of the process that owns the directory on
 * its first line, then, where Linux's /proc tells them, `boot_id=<the kernel's boot id>` and
 * `start_time=<the process's start time, in clock ticks since boot>`: a pid alone may name another
 * process by the time the lock is read (pids are reused, and start over after a reboot). Lock files
 * of earlier versions hold the pid only.
 */
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
 * A lock left by a process that has died (crash, kill -9) is taken over, also when its pid has
 * since been given to another process (told apart by boot id and start time where /proc shows
 * them). The bot's store takes the lock at open; a command-line tool that writes to a data
 * directory should take it too, so that it stops with a clear message while the bot is running.
 *
 * @param dataDir The data directory (DATA_DIR), relative to the working directory or absolute.
 * @throws AttuneError `ATTUNE_DATA_DIR_LOCKED` when a live process (this one included) holds it.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const dir = path.resolve(dataDir);
  // Customers' data: the directory is the bot's user's alone (applies when it is created here).
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const lockFile = path.join(dir, LOCK_FILE_NAME);
  const content = lockContent(process.pid, await readBootId(), await readStartTime(process.pid));

  // Each pass either takes the lock, fails, or removes a stale lock; a few passes cover another
  // process taking over the same stale lock at the same moment.
  for (let attempt = 0; attempt < 3; attempt += 1) {
    if (await createExclusive(lockFile, content)) {
      heldByThisProcess.add(lockFile);
      return { dataDir: dir, lockFile, release: () => release(lockFile, content) };
    }
    const holder = await readLock(lockFile);
    if (holder === undefined) continue; // released between our attempt and the read
    if (await isHeld(holder, lockFile)) {
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
  /** The boot the owner ran in; undefined in lock files of earlier versions, or without /proc. */
  readonly bootId: string | undefined;
  /** The owner's start time (clock ticks since boot); undefined as bootId. */
  readonly startTime: string | undefined;
  readonly modifiedAt: number;
}

async function isHeld(holder: LockContent, lockFile: string): Promise<boolean> {
  if (holder.pid === undefined) return Date.now() - holder.modifiedAt < UNREADABLE_LOCK_GRACE_MS;
  // Our own pid in a lock we do not hold is a previous incarnation's: a container restarted after a
  // crash usually gets the same pid (often 1) again.
  if (holder.pid === process.pid) return heldByThisProcess.has(lockFile);
  if (!isAlive(holder.pid)) return false;
  // The pid is running, but it may have been given to another process since the owner died: after
  // a reboot (another boot id), or later in the same boot (another start time). What cannot be
  // read (no /proc, a lock file of an earlier version) cannot prove that, and the lock stands.
  const bootId = await readBootId();
  if (holder.bootId !== undefined && bootId !== undefined && holder.bootId !== bootId) return false;
  const startTime = holder.startTime === undefined ? undefined : await readStartTime(holder.pid);
  return startTime === undefined || startTime === holder.startTime;
}

function lockContent(pid: number, bootId: string | undefined, startTime: string | undefined): string {
  let content = `${pid}\n`;
  if (bootId !== undefined) content += `boot_id=${bootId}\n`;
  if (startTime !== undefined) content += `start_time=${startTime}\n`;
  return content;
}

/** The kernel's id of the current boot (Linux), if it can be read. */
async function readBootId(): Promise<string | undefined> {
  try {
    const bootId = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
    return /^[\w-]+$/.test(bootId) ? bootId : undefined;
  } catch {
    return undefined;
  }
}

/**
 * When the process started, in clock ticks since boot: field 22 of /proc/<pid>/stat (Linux), if it
 * can be read. Together with the boot id it tells a process from a later one with the same pid.
 */
async function readStartTime(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Field 2, the command name, is in parentheses and may itself hold spaces and parentheses:
    // the fields after the last ')' are the 3rd onwards.
    const startTime = stat.slice(stat.lastIndexOf(')') + 1).trim().split(/\s+/)[22 - 3];
    return startTime !== undefined && /^\d+$/.test(startTime) ? startTime : undefined;
  } catch {
    return undefined;
  }
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
    return { raw, ...parseLock(raw), modifiedAt: info.mtimeMs };
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw error;
  }
}

/**
 * The owner a lock file names: a pid alone (earlier versions), or a pid line and `key=value` lines,
 * complete only once its last line ends (it may be read while its owner is still writing it).
 */
function parseLock(raw: string): Pick<LockContent, 'pid' | 'bootId' | 'startTime'> {
  const unreadable = { pid: undefined, bootId: undefined, startTime: undefined };
  const trimmed = raw.trim();
  const lines = /^\d+$/.test(trimmed) ? [trimmed] : raw.endsWith('\n') ? raw.slice(0, -1).split('\n') : [];
  const [pidLine, ...fieldLines] = lines;
  if (pidLine === undefined || !/^\d+$/.test(pidLine)) return unreadable;
  // pid 0 and below address process groups in process.kill; they are never an owner.
  const pid = Number(pidLine);
  if (pid <= 0) return unreadable;
  const fields = new Map<string, string>();
  for (const line of fieldLines) {
    const match = /^(\w+)=(.+)$/.exec(line);
    if (match === null) return unreadable;
    fields.set(match[1]!, match[2]!);
  }
  return { pid, bootId: fields.get('boot_id'), startTime: fields.get('start_time') };
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
