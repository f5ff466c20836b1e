import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../scripts/agents';
import { verifyPassword } from '../../server/auth/passwords';
import { createStore } from '../../storage/create-store';
import { lockDataDir } from '../../storage/embedded/data-dir-lock';
import type { AgentAccount, AttuneStore } from '../../storage/ports';
import { anAgentSession, at } from '../support/fixtures';
import { startJongodb, type JongodbServer } from '../support/jongodb';
import { randomDbName } from '../support/store-lanes';

/** Runs the CLI in-process and captures what it prints. */
async function run(argv: string[], env: Record<string, string>) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, env, { write: (chunk: string) => ((stdout += chunk), true) }, { write: (chunk: string) => ((stderr += chunk), true) });
  return { code, stdout, stderr };
}

describe('npm run agents (embedded DATA_DIR)', () => {
  let root: string;
  let dataDir: string;
  let env: Record<string, string>;

  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'attune-agents-cli-'));
    dataDir = path.join(root, 'data');
    env = { DATA_DIR: dataDir };
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  /** The accounts in the data directory, read after the CLI has closed it. */
  async function storedAccounts(): Promise<AgentAccount[]> {
    const store = await createStore({ kind: 'embedded', dataDir });
    try {
      return await store.agents.list();
    } finally {
      await store.close();
    }
  }

  it('adds an account with a generated password, printed once, that verifies against the stored hash', async () => {
    const result = await run(['add', '--name', 'alice', '--pool', 'expert'], env);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const password = /^ {2}(\S{20,})$/m.exec(result.stdout)?.[1];
    expect(password).toBeDefined();
    expect(result.stdout).toContain('"alice"');

    const [account] = await storedAccounts();
    expect(account).toMatchObject({ name: 'alice', pool: 'expert', role: 'agent', disabled: false });
    expect(account.passwordHash).not.toContain(password);
    expect(await verifyPassword(password as string, account.passwordHash)).toBe(true);
  });

  it('prints exactly one JSON line with --json, and takes --role', async () => {
    const result = await run(['add', '--name', 'Bob.Smith', '--pool', 'apprentice', '--role', 'supervisor', '--json'], env);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('');
    const printed = JSON.parse(lines[0]);
    expect(Object.keys(printed)).toEqual(['id', 'name', 'pool', 'role', 'password']);
    expect(printed).toMatchObject({ name: 'bob.smith', pool: 'apprentice', role: 'supervisor' });
    expect(printed.password).toMatch(/^[A-Za-z0-9]{20,}$/);

    const [account] = await storedAccounts();
    expect(account.id).toBe(printed.id);
    expect(await verifyPassword(printed.password, account.passwordHash)).toBe(true);
  });

  it('refuses a taken name (whatever its case) with exit 1 and keeps the first account', async () => {
    const first = JSON.parse((await run(['add', '--name', 'alice', '--pool', 'expert', '--json'], env)).stdout);
    const second = await run(['add', '--name', 'ALICE', '--pool', 'apprentice', '--json'], env);
    expect(second.code).toBe(1);
    expect(second.stdout).toBe('');
    expect(second.stderr).toMatch(/"alice" already exists/);

    const accounts = await storedAccounts();
    expect(accounts).toHaveLength(1);
    expect(accounts[0]).toMatchObject({ id: first.id, pool: 'expert' });
    expect(await verifyPassword(first.password, accounts[0].passwordHash)).toBe(true);
  });

  it('stops with exit 1 and a clear message while the bot holds the data directory, and writes nothing', async () => {
    const lock = await lockDataDir(dataDir);
    let result;
    try {
      result = await run(['add', '--name', 'alice', '--pool', 'expert'], env);
    } finally {
      await lock.release();
    }
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`the bot is running on DATA_DIR ${dataDir}; stop it or run this against MongoDB`);
    expect(await storedAccounts()).toEqual([]);
  });

  it('lists the accounts without passwords or hashes', async () => {
    expect((await run(['list'], env)).stdout).toMatch(/No staff accounts yet/);
    const alice = JSON.parse((await run(['add', '--name', 'alice', '--pool', 'expert', '--json'], env)).stdout);
    await run(['add', '--name', 'carol', '--pool', 'apprentice', '--role', 'content'], env);
    const [account] = await storedAccounts();

    const table = await run(['list'], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^NAME +POOL +ROLE +STATUS +CREATED +ID$/m);
    expect(table.stdout).toMatch(/^alice +expert +agent +active /m);
    expect(table.stdout).toMatch(/^carol +apprentice +content +active /m);

    const json = await run(['list', '--json'], env);
    const lines = json.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.map((line) => line.name)).toEqual(['alice', 'carol']);
    expect(Object.keys(lines[0]).sort()).toEqual(['createdAt', 'disabled', 'id', 'name', 'pool', 'role']);
    for (const output of [table.stdout, json.stdout]) {
      expect(output).not.toContain(alice.password);
      expect(output).not.toContain(account.passwordHash.split('$')[3]);
    }
  });

  /** Runs `use` on the data directory's store, closed afterwards (the CLI cannot open it meanwhile). */
  async function withStore<T>(use: (store: AttuneStore) => Promise<T>): Promise<T> {
    const store = await createStore({ kind: 'embedded', dataDir });
    try {
      return await use(store);
    } finally {
      await store.close();
    }
  }

  describe('changing an account', () => {
    let alice: { id: string; password: string };
    const aliceSessions = ['p'.repeat(64), 'l'.repeat(64)];
    const bobSession = 'b'.repeat(64);

    beforeEach(async () => {
      alice = JSON.parse((await run(['add', '--name', 'alice', '--pool', 'expert', '--json'], env)).stdout);
      const bob = JSON.parse((await run(['add', '--name', 'bob', '--pool', 'expert', '--json'], env)).stdout);
      await withStore(async (store) => {
        for (const tokenHash of aliceSessions) await store.agentSessions.create(anAgentSession({ tokenHash, agentId: alice.id }));
        await store.agentSessions.create(anAgentSession({ tokenHash: bobSession, agentId: bob.id }));
      });
    });

    /** Which of alice's and bob's sessions are still stored. */
    const liveSessions = () =>
      withStore(async (store) => {
        const live: string[] = [];
        for (const [who, tokenHash] of [['alice', aliceSessions[0]], ['alice', aliceSessions[1]], ['bob', bobSession]]) {
          if ((await store.agentSessions.find(tokenHash, at(60))) !== undefined) live.push(who);
        }
        return live;
      });
    const storedAlice = async () => (await storedAccounts()).find((account) => account.name === 'alice')!;

    it("disables an account and ends all of that person's sessions, and no one else's", async () => {
      const result = await run(['disable', 'ALICE'], env);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toMatch(/^Disabled "alice".*2 sessions ended/);
      expect(await storedAlice()).toMatchObject({ id: alice.id, disabled: true, role: 'agent', pool: 'expert' });
      expect(await liveSessions()).toEqual(['bob']);
      expect((await run(['list'], env)).stdout).toMatch(/^alice +expert +agent +disabled /m);

      const again = await run(['disable', 'alice'], env);
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/already disabled; nothing was changed/);
    });

    it('enables a disabled account with its password unchanged, ending sessions left from before', async () => {
      await run(['disable', 'alice'], env);
      await withStore((store) => store.agentSessions.create(anAgentSession({ tokenHash: aliceSessions[0], agentId: alice.id })));

      const result = await run(['enable', 'alice', '--json'], env);
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ id: alice.id, name: 'alice', disabled: false, sessionsEnded: 1 });
      expect(await liveSessions()).toEqual(['bob']);
      const account = await storedAlice();
      expect(account.disabled).toBe(false);
      expect(await verifyPassword(alice.password, account.passwordHash)).toBe(true);

      expect((await run(['enable', 'alice'], env)).stdout).toMatch(/was not disabled; nothing was changed/);
    });

    it('resets the password to a new generated one, printed once: the old one stops working and the sessions end', async () => {
      const before = await storedAlice();
      const result = await run(['reset-password', 'alice'], env);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      const password = /^ {2}(\S{20,})$/m.exec(result.stdout)?.[1];
      expect(password).toBeDefined();
      expect(result.stdout).toMatch(/2 sessions ended/);

      const after = await storedAlice();
      expect(after).toStrictEqual({ ...before, passwordHash: after.passwordHash });
      expect(after.passwordHash).not.toContain(password);
      expect(await verifyPassword(password!, after.passwordHash)).toBe(true);
      expect(await verifyPassword(alice.password, after.passwordHash)).toBe(false);
      expect(await liveSessions()).toEqual(['bob']);
    });

    it('prints exactly one JSON line for reset-password --json, with the new password and no hash', async () => {
      const result = await run(['reset-password', 'alice', '--json'], env);
      expect(result.code).toBe(0);
      const lines = result.stdout.split('\n');
      expect(lines).toHaveLength(2);
      const printed = JSON.parse(lines[0]);
      expect(Object.keys(printed).sort()).toEqual(['createdAt', 'disabled', 'id', 'name', 'password', 'pool', 'role', 'sessionsEnded']);
      expect(printed).toMatchObject({ id: alice.id, sessionsEnded: 2 });
      expect(await verifyPassword(printed.password, (await storedAlice()).passwordHash)).toBe(true);
    });

    it('gives another role and ends the sessions; the same role again changes nothing', async () => {
      const result = await run(['set-role', 'alice', 'supervisor'], env);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/"alice" now has the role supervisor \(2 sessions ended/);
      expect(await storedAlice()).toMatchObject({ role: 'supervisor', disabled: false });
      expect(await liveSessions()).toEqual(['bob']);

      await withStore((store) => store.agentSessions.create(anAgentSession({ tokenHash: aliceSessions[0], agentId: alice.id })));
      const same = await run(['set-role', 'alice', 'supervisor'], env);
      expect(same.code).toBe(0);
      expect(same.stdout).toMatch(/already has the role supervisor; nothing was changed/);
      expect(await liveSessions()).toEqual(['alice', 'bob']);
    });

    it('signs a person out everywhere and changes nothing else', async () => {
      const before = await storedAlice();
      const result = await run(['sign-out', 'alice'], env);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/Signed "alice" out everywhere \(2 sessions ended\)/);
      expect(await storedAlice()).toStrictEqual(before);
      expect(await liveSessions()).toEqual(['bob']);
    });

    it.each([['disable'], ['enable'], ['reset-password'], ['sign-out'], ['set-role', 'supervisor']])('%s: an unknown name is exit 1 with a message, and nothing changes', async (verb, ...rest) => {
      const accounts = await storedAccounts();
      const result = await run([verb, 'carol', ...rest], env);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(new RegExp(`^agents ${verb}: No staff account is named "carol"\\. Nothing was changed`));
      expect(await storedAccounts()).toStrictEqual(accounts);
      expect(await liveSessions()).toEqual(['alice', 'alice', 'bob']);
    });

    it('stops with exit 1 while the bot holds the data directory, and changes nothing', async () => {
      const lock = await lockDataDir(dataDir);
      let result;
      try {
        result = await run(['disable', 'alice'], env);
      } finally {
        await lock.release();
      }
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('the bot is running on DATA_DIR');
      expect((await storedAlice()).disabled).toBe(false);
    });
  });

  it.each([
    [[]],
    [['remove', '--name', 'alice']],
    [['add', '--pool', 'expert']],
    [['add', '--name', 'alice']],
    [['add', '--name', 'alice', '--pool', 'senior']],
    [['add', '--name', 'alice', '--pool', 'expert', '--role', 'admin']],
    [['add', '--name', 'alice', '--pool', 'expert', '--password', 'hunter2']],
    [['add', '--name', '--pool', 'expert']],
    [['add', '--name', 'al ice', '--pool', 'expert']],
    [['add', '--name', 'a', '--pool', 'expert']],
    [['list', '--name', 'alice']],
    [['disable']],
    [['disable', 'alice', 'bob']],
    [['disable', '--name', 'alice']],
    [['enable', 'al ice']],
    [['reset-password', 'alice', '--password', 'hunter2']],
    [['set-role', 'alice']],
    [['set-role', 'alice', 'admin']],
    [['set-role', 'alice', 'agent', 'expert']],
    [['sign-out']],
  ])('answers bad input %j with the usage and exit 2, touching no data', async (argv) => {
    const result = await run(argv, env);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('usage:');
    expect(existsSync(dataDir)).toBe(false);
  });
});

describe('npm run agents (MONGODB_URI)', () => {
  let server: JongodbServer | undefined;
  beforeAll(async () => {
    server = await startJongodb();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('uses MongoDB when MONGODB_URI is set, like the bot', async () => {
    const env = { MONGODB_URI: (server as JongodbServer).uri, MONGODB_DB: randomDbName(), DATA_DIR: '/nonexistent/attune-must-not-be-used' };
    const added = await run(['add', '--name', 'alice', '--pool', 'expert', '--json'], env);
    expect(added.code).toBe(0);
    const listed = await run(['list', '--json'], env);
    expect(JSON.parse(listed.stdout)).toMatchObject({ id: JSON.parse(added.stdout).id, name: 'alice' });
    expect(existsSync('/nonexistent/attune-must-not-be-used')).toBe(false);
  });
});
