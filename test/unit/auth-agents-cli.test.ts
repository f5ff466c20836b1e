import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../scripts/agents';
import { verifyPassword } from '../../server/auth/passwords';
import { createStore } from '../../storage/create-store';
import { lockDataDir } from '../../storage/embedded/data-dir-lock';
import type { AgentAccount } from '../../storage/ports';
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
