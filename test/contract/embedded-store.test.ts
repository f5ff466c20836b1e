import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import Datastore from '@seald-io/nedb';
import { createLogger } from '../../core/logger';
import { createStore } from '../../storage/create-store';
import { LOCK_FILE_NAME, lockDataDir } from '../../storage/embedded/data-dir-lock';
import type { AttuneStore } from '../../storage/ports';
import { expectAttuneError } from '../support/expect-attune-error';
import { aConversation, anAgentAccount, anEscalation, aProfile, aTurn, at } from '../support/fixtures';

const REPO = path.resolve(__dirname, '../..');

let root: string;
let dataDir: string;
const opened: AttuneStore[] = [];

/** Log lines (pino's JSON) written while opening and using stores through `logger`. */
let logged: string[];
const logger = createLogger('info', { write: (line: string) => void logged.push(line) });

async function openEmbedded(dir = dataDir): Promise<AttuneStore> {
  const store = await createStore({ kind: 'embedded', dataDir: dir }, logger);
  opened.push(store);
  return store;
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'attune-embedded-'));
});
beforeEach(() => {
  logged = [];
  dataDir = path.join(root, expect.getState().currentTestName?.replace(/\W+/g, '-') ?? 'store');
});
afterEach(async () => {
  jest.restoreAllMocks();
  await Promise.all(opened.splice(0).map((store) => store.close()));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/**
 * The lock file a process leaves when it dies holding the data directory (as a crash does): a child
 * takes the lock with lockDataDir and exits without releasing it. Resolves the file's content.
 */
async function lockLeftByDeadProcess(dir: string): Promise<string> {
  const hook = path.join(REPO, 'test/support/register-ts.js');
  const lockModule = path.join(REPO, 'storage/embedded/data-dir-lock.ts');
  const code = `require(${JSON.stringify(lockModule)}).lockDataDir(${JSON.stringify(dir)}).then(() => process.exit(0), (e) => { console.error(e); process.exit(1); })`;
  const child = spawn(process.execPath, ['-r', hook, '-e', code], { stdio: ['ignore', 'ignore', 'inherit'] });
  const exitCode = await new Promise((resolve) => child.once('exit', resolve));
  if (exitCode !== 0) throw new Error(`the child taking the lock exited with ${String(exitCode)}`);
  return readFile(path.join(dir, LOCK_FILE_NAME), 'utf8');
}

/** A running process that is not attune; killed after the test. */
function anUnrelatedProcess(): number {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  if (child.pid === undefined) throw new Error('could not start sleep');
  unrelated.push(child);
  return child.pid;
}
const unrelated: ChildProcess[] = [];
afterEach(() => {
  for (const child of unrelated.splice(0)) child.kill('SIGKILL');
});

/** A pid that is certainly not running: a child that has already exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.once('exit', resolve));
  if (child.pid === undefined) throw new Error('could not start a child process');
  return child.pid;
}

describe('embedded store: persistence', () => {
  it('keeps every port’s data across close and reopen', async () => {
    const first = await openEmbedded();
    await first.customers.save(aProfile());
    await first.conversations.open(aConversation());
    await first.conversations.transition('webchat:conv-1', ['bot'], 'queued', at(5));
    await first.turns.append([aTurn({ id: 't1', at: at(1) }), aTurn({ id: 't2', role: 'bot', at: at(1) })]);
    const stateKey = 'webchat/conversations/conv-1';
    await first.botState.write({ [stateKey]: { dialogStack: [{ id: 'card' }] } });
    const eTag: unknown = (await first.botState.read([stateKey]))[stateKey].eTag;
    await first.close();

    const second = await openEmbedded();
    expect(await second.customers.findByIdentity({ channelId: 'webchat', userId: 'web-user-1' })).toEqual(aProfile());
    const conversation = await second.conversations.get('webchat:conv-1');
    expect(conversation).toEqual(aConversation({ status: 'queued', updatedAt: at(5) }));
    expect((await second.turns.listByConversation('webchat:conv-1', 10)).map((turn) => turn.id)).toEqual(['t1', 't2']);
    expect(await second.botState.read([stateKey])).toEqual({ [stateKey]: { dialogStack: [{ id: 'card' }], eTag } });
    // Optimistic concurrency survives the restart: the old eTag is still the current one.
    await expect(second.botState.write({ [stateKey]: { dialogStack: [], eTag } })).resolves.toBeUndefined();
  });

  it('keeps what a killed (kill -9) process wrote, and takes over its lock', async () => {
    const hook = path.join(REPO, 'test/support/register-ts.js');
    const script = path.join(REPO, 'test/support/hold-embedded-store.ts');
    const child = spawn(process.execPath, ['-r', hook, script, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await waitForLine(child, /^READY \d+$/m, 15_000);

      // While it runs, the directory is its own.
      const error = await expectAttuneError(openEmbedded(), 'ATTUNE_DATA_DIR_LOCKED');
      expect(error.message).toContain(path.resolve(dataDir));
      expect(error.message).toContain(String(child.pid));
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }

    const store = await openEmbedded();
    expect(await store.conversations.get('webchat:held')).toEqual(aConversation({ id: 'webchat:held' }));
    expect((await store.turns.listByConversation('webchat:held', 10)).map((turn) => turn.id)).toEqual(['held-turn']);
    expect((await store.botState.read(['held'])).held).toMatchObject({ step: 2 });
    expect((await readFile(path.join(dataDir, LOCK_FILE_NAME), 'utf8')).split('\n')[0]).toBe(String(process.pid));
  }, 30_000);

  it('opens a collection whose last line a crash left unfinished, keeping every complete record, and says so', async () => {
    const first = await openEmbedded();
    const accounts = ['alice', 'bob', 'carol'].map((name, i) => anAgentAccount({ id: `agent-${i}`, name }));
    for (const account of accounts) await first.agents.create(account);
    await first.close();
    // A kill -9 in the middle of an append: nedb refuses a file with more than 10% unreadable lines.
    const agentsFile = path.join(dataDir, 'agents.db');
    const halfLine = '{"_id":"agent-3","name":"dave","pool":"appr';
    await appendFile(agentsFile, halfLine);

    const second = await openEmbedded();
    expect(await second.agents.list()).toEqual(accounts);
    expect((await readFile(agentsFile, 'utf8')).endsWith('\n')).toBe(true);
    const warnings = logged.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.level === 40);
    expect(warnings).toEqual([expect.objectContaining({ file: agentsFile, bytesDropped: Buffer.byteLength(halfLine) })]);
    expect(logged.join('')).not.toContain('dave'); // what was cut is customers' or staff data: never logged
  });
});

describe('embedded store: a write that fails (disk full)', () => {
  it('leaves no trace of the record: not read back, a retry stores it, and it is there once after a restart', async () => {
    const store = await openEmbedded();
    const diskFull = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    jest.spyOn(fs, 'writeSync').mockImplementationOnce(() => {
      throw diskFull;
    });
    await expect(store.escalations.create(anEscalation())).rejects.toBe(diskFull);
    jest.restoreAllMocks();

    // Escalating failed: the conversation must not look escalated.
    expect(await store.escalations.get('esc-1')).toBeUndefined();
    expect(await store.escalations.activeForConversation('webchat:conv-1')).toBeUndefined();
    await store.escalations.create(anEscalation());
    expect(await store.escalations.get('esc-1')).toEqual(anEscalation());
    await store.close();

    const reopened = await openEmbedded();
    expect(await reopened.escalations.list({ statuses: ['queued'] }, 10)).toEqual([anEscalation()]);
  });

  it('fails the readiness check (ping) when the collection cannot be reloaded after the failed write', async () => {
    const store = await openEmbedded();
    jest.spyOn(fs, 'writeSync').mockImplementationOnce(() => {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    });
    jest.spyOn(fs.promises, 'readFile').mockRejectedValueOnce(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' }));
    await expect(store.escalations.create(anEscalation())).rejects.toMatchObject({ code: 'ENOSPC' });
    jest.restoreAllMocks();

    await expectAttuneError(store.escalations.get('esc-1'), 'ATTUNE_STORAGE_UNAVAILABLE');
    await expectAttuneError(store.ping(), 'ATTUNE_STORAGE_UNAVAILABLE');
    await store.close(); // still releases the directory: a restart reloads the files
    const reopened = await openEmbedded();
    expect(await reopened.escalations.get('esc-1')).toBeUndefined();
  });
});

describe('embedded store: turn log (turns are files, not held in memory)', () => {
  const turnFiles = async () => (await readdir(path.join(dataDir, 'turns'))).filter((name) => name.endsWith('.jsonl'));

  it('moves the turns of a directory written by nedb (turns.db) into the log, once, and removes turns.db', async () => {
    await mkdir(dataDir, { recursive: true });
    const nedb = new Datastore({ filename: path.join(dataDir, 'turns.db') });
    await nedb.loadDatabaseAsync();
    const { id: _first, ...first } = aTurn({ at: at(1) });
    const { id: _second, ...second } = aTurn({ role: 'bot', text: 'Sorry to hear that.', at: at(2) });
    await nedb.insertAsync([
      { ...first, _id: 'old-1', seq: 1 },
      { ...second, _id: 'old-2', seq: 2 },
    ]);

    const store = await openEmbedded();
    expect(await store.turns.listByConversation('webchat:conv-1', 10)).toEqual([aTurn({ id: 'old-1', at: at(1) }), aTurn({ id: 'old-2', role: 'bot', text: 'Sorry to hear that.', at: at(2) })]);
    await expect(stat(path.join(dataDir, 'turns.db'))).rejects.toMatchObject({ code: 'ENOENT' });
    await store.close();

    const reopened = await openEmbedded();
    expect((await reopened.turns.listByConversation('webchat:conv-1', 10)).map((turn) => turn.id)).toEqual(['old-1', 'old-2']);
  });

  it('finishes a migration a crash interrupted (staging left behind, turns.db still there)', async () => {
    await mkdir(path.join(dataDir, 'turns.migrating'), { recursive: true });
    await writeFile(path.join(dataDir, 'turns.migrating', 'bucket-00.jsonl'), '{"_id":"half-written"');
    const nedb = new Datastore({ filename: path.join(dataDir, 'turns.db') });
    await nedb.loadDatabaseAsync();
    const { id: _id, ...turn } = aTurn({ at: at(1) });
    await nedb.insertAsync({ ...turn, _id: 'old-1', seq: 1 });

    const store = await openEmbedded();
    expect((await store.turns.listByConversation('webchat:conv-1', 10)).map((t) => t.id)).toEqual(['old-1']);
    await expect(stat(path.join(dataDir, 'turns.migrating'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('cuts off a last line a crash left unfinished, and appends after it on a line of its own', async () => {
    const first = await openEmbedded();
    await first.turns.append([aTurn({ id: 't1', at: at(1) })]);
    await first.close();
    const [file] = await turnFiles();
    const bucket = path.join(dataDir, 'turns', file!);
    const whole = await readFile(bucket, 'utf8');
    await appendFile(bucket, '{"_id":"cut-short","conversationId":"webchat:co');

    const second = await openEmbedded();
    expect(await readFile(bucket, 'utf8')).toBe(whole);
    await second.turns.append([aTurn({ id: 't2', at: at(2) })]);
    expect((await second.turns.listByConversation('webchat:conv-1', 10)).map((turn) => turn.id)).toEqual(['t1', 't2']);
  });

  it('erasure also removes lines that cannot be read (a crash’s leftovers may hold the erased words)', async () => {
    const first = await openEmbedded();
    await first.turns.append([aTurn({ id: 't1', customerId: 'cust-erased', text: 'my card number is 4111 1111 1111 1111' })]);
    await first.close();
    const [file] = await turnFiles();
    const bucket = path.join(dataDir, 'turns', file!);
    await writeFile(bucket, `{"_id":"garbled","conversationId":"webchat:conv-1","customerId":"cust-erased","text":"my card number is 4111\n${await readFile(bucket, 'utf8')}`);

    const second = await openEmbedded();
    expect(await second.turns.eraseCustomer('cust-erased', ['webchat:conv-1'])).toBe(1);
    expect(await readFile(bucket, 'utf8')).toBe('');
  });

  it('refuses to open a directory holding turns.db next to a turn log it did not come from, removing nothing', async () => {
    const first = await openEmbedded();
    await first.turns.append([aTurn({ id: 't1' })]);
    await first.close();
    const nedb = new Datastore({ filename: path.join(dataDir, 'turns.db') });
    await nedb.loadDatabaseAsync();
    const { id: _id, ...turn } = aTurn({ at: at(1) });
    await nedb.insertAsync({ ...turn, _id: 'restored-from-backup', seq: 1 });

    const error = await expectAttuneError(openEmbedded(), 'ATTUNE_STORAGE_UNAVAILABLE');
    expect(error.message).toMatch(/turns\.db .*turns\//);
    expect((await stat(path.join(dataDir, 'turns.db'))).size).toBeGreaterThan(0);
    expect(await turnFiles()).toHaveLength(1);
  });

  it('keeps customers’ data readable by the bot’s user only: data directory, nedb files and turn files', async () => {
    const store = await openEmbedded();
    await store.customers.save(aProfile());
    await store.turns.append([aTurn()]);
    const [file] = await turnFiles();
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(dataDir, 'customers.db'))).mode & 0o077).toBe(0);
    expect((await stat(path.join(dataDir, 'turns', file!))).mode & 0o077).toBe(0);
  });

  it('still refuses an id appended before a restart', async () => {
    const first = await openEmbedded();
    await first.turns.append([aTurn({ id: 't1' })]);
    await first.close();

    const second = await openEmbedded();
    await expectAttuneError(second.turns.append([aTurn({ id: 't1', text: 'again' })]), 'ATTUNE_STORAGE_CONFLICT');
    expect((await second.turns.listByConversation('webchat:conv-1', 10)).map((turn) => turn.text)).toEqual([aTurn().text]);
  });

  it('spreads conversations over bucket files, and erasure rewrites only what it must', async () => {
    const store = await openEmbedded();
    for (let i = 0; i < 20; i += 1) await store.turns.append([aTurn({ id: `t${i}`, conversationId: `webchat:c${i}`, customerId: i === 3 ? 'cust-erased' : 'cust-1' })]);
    expect((await turnFiles()).length).toBeGreaterThan(5);
    expect(await store.turns.eraseCustomer('cust-erased', ['webchat:c7'])).toBe(2);
    expect(await store.turns.listByConversation('webchat:c3', 10)).toEqual([]);
    expect(await store.turns.listByConversation('webchat:c7', 10)).toEqual([]);
    expect((await store.turns.listByConversation('webchat:c8', 10)).map((turn) => turn.id)).toEqual(['t8']);
    const everything = await Promise.all(Array.from({ length: 20 }, (_, i) => store.turns.listByConversation(`webchat:c${i}`, 10)));
    expect(everything.flat()).toHaveLength(18);
  });
});

describe('embedded store: data directory lock', () => {
  it('refuses a second open of the same directory with ATTUNE_DATA_DIR_LOCKED naming directory and pid', async () => {
    await openEmbedded();
    const error = await expectAttuneError(openEmbedded(), 'ATTUNE_DATA_DIR_LOCKED');
    expect(error.message).toContain(path.resolve(dataDir));
    expect(error.message).toContain(String(process.pid));
  });

  it('releases the lock on close, so the directory can be opened again', async () => {
    const store = await openEmbedded();
    await store.close();
    await expect(stat(path.join(dataDir, LOCK_FILE_NAME))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(openEmbedded()).resolves.toBeDefined();
  });

  it('takes over a stale lock left by a process that is no longer running', async () => {
    await lockDataDir(dataDir).then((lock) => lock.release()); // creates the directory
    await writeFile(path.join(dataDir, LOCK_FILE_NAME), `${await deadPid()}\n`);
    await openEmbedded();
    expect((await readFile(path.join(dataDir, LOCK_FILE_NAME), 'utf8')).split('\n')[0]).toBe(String(process.pid));
  });

  it('takes over a lock whose pid now belongs to another process (the pid was reused)', async () => {
    const left = await lockLeftByDeadProcess(dataDir);
    // Where /proc shows them, a lock records the boot and the owner's start time besides the pid.
    expect(left).toMatch(/^\d+\nboot_id=\S+\nstart_time=\d+\n$/);
    // The dead owner's pid is running again, as another process: everything else in the lock stays.
    await writeFile(path.join(dataDir, LOCK_FILE_NAME), left.replace(/^\d+\n/, `${anUnrelatedProcess()}\n`));
    await expect(openEmbedded()).resolves.toBeDefined();
  });

  it('takes over a lock written before the machine restarted, though its pid is running again', async () => {
    const left = await lockLeftByDeadProcess(dataDir);
    // After a reboot only the boot id tells the owner from a new process with its pid (start times
    // count from boot too): a lock with another boot id, and no start time to compare.
    const beforeReboot = left.replace(/^\d+\n/, `${anUnrelatedProcess()}\n`).replace(/^boot_id=.*$/m, `boot_id=${randomUUID()}`).replace(/^start_time=.*\n/m, '');
    await writeFile(path.join(dataDir, LOCK_FILE_NAME), beforeReboot);
    await expect(openEmbedded()).resolves.toBeDefined();
  });

  it('still refuses a lock of an earlier version (the pid alone) while that pid is running', async () => {
    await lockDataDir(dataDir).then((lock) => lock.release());
    const pid = anUnrelatedProcess();
    await writeFile(path.join(dataDir, LOCK_FILE_NAME), `${pid}\n`);
    const error = await expectAttuneError(openEmbedded(), 'ATTUNE_DATA_DIR_LOCKED');
    expect(error.message).toContain(String(pid));
  });

  it("takes over a lock with this process's pid that this process does not hold (restarted container)", async () => {
    await lockDataDir(dataDir).then((lock) => lock.release());
    await writeFile(path.join(dataDir, LOCK_FILE_NAME), `${process.pid}\n`);
    await expect(openEmbedded()).resolves.toBeDefined();
  });

  it('treats an unreadable lock file as held while fresh (its owner may be writing it) and stale when old', async () => {
    await lockDataDir(dataDir).then((lock) => lock.release());
    const lockFile = path.join(dataDir, LOCK_FILE_NAME);
    await writeFile(lockFile, '');
    await expectAttuneError(openEmbedded(), 'ATTUNE_DATA_DIR_LOCKED');
    const aMinuteAgo = new Date(Date.now() - 60_000);
    await utimes(lockFile, aMinuteAgo, aMinuteAgo);
    await expect(openEmbedded()).resolves.toBeDefined();
  });

  it('lets a command-line tool take the lock, and stops the bot from opening meanwhile', async () => {
    const lock = await lockDataDir(dataDir);
    await expectAttuneError(openEmbedded(), 'ATTUNE_DATA_DIR_LOCKED');
    await expectAttuneError(lockDataDir(dataDir), 'ATTUNE_DATA_DIR_LOCKED');
    await lock.release();
    await lock.release(); // releasing twice is harmless
    await expect(openEmbedded()).resolves.toBeDefined();
  });

  it('does not remove a lock that another process took after ours was deleted by hand', async () => {
    const lock = await lockDataDir(dataDir);
    const other = `${await deadPid()}\n`;
    await writeFile(lock.lockFile, other);
    await lock.release();
    expect(await readFile(lock.lockFile, 'utf8')).toBe(other);
  });

  it('fails every call after close with ATTUNE_STORAGE_UNAVAILABLE rather than writing unlocked', async () => {
    const store = await openEmbedded();
    await store.close();
    await expectAttuneError(store.turns.append([aTurn()]), 'ATTUNE_STORAGE_UNAVAILABLE');
    await expectAttuneError(store.botState.read(['k']), 'ATTUNE_STORAGE_UNAVAILABLE');
    await expectAttuneError(store.ping(), 'ATTUNE_STORAGE_UNAVAILABLE');
    await store.close(); // closing twice is harmless

    const reopened = await openEmbedded();
    expect(await reopened.turns.listByConversation('webchat:conv-1', 10)).toEqual([]);
  });
});

function waitForLine(child: ChildProcess, line: RegExp, timeoutMs: number): Promise<void> {
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child did not print ${line} within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (line.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited (code ${code}) before printing ${line}:\n${output}`));
    });
  });
}
