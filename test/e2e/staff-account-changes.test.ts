/**
 * Changing a staff account from the command line while the bot runs (shared MongoDB, as in
 * production; Redis for the queue board): `npm run agents -- disable`, `reset-password`,
 * `set-role` and `sign-out` end the person's existing sessions at once, the bearer token on the
 * APIs and the admin cookie on /admin/queues alike; after a reset the new password signs in and
 * the old one does not.
 */
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../config/app-config';
import { startAttune, type RunningAttune } from '../../index';
import { main } from '../../scripts/agents';
import { createAgentAccount } from '../../server/auth/agent-accounts';
import { startJongodb, type JongodbServer } from '../support/jongodb';
import { keywordRecognizer } from '../support/keyword-recognizer';
import { deleteKeys, randomQueuePrefix, requireRedis, TEST_REDIS_URL } from '../support/redis';
import { randomDbName } from '../support/store-lanes';

const ROOT = path.resolve(__dirname, '..', '..');

describe('staff account changes from the CLI reach a running bot at once', () => {
  const prefix = randomQueuePrefix();
  let mongo: JongodbServer;
  let attune: RunningAttune;
  let storeEnv: Record<string, string>;

  beforeAll(async () => {
    await requireRedis();
    mongo = await startJongodb();
    storeEnv = { MONGODB_URI: mongo.uri, MONGODB_DB: randomDbName() };
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, ...storeEnv }, ROOT);
    attune = await startAttune(config, pino({ level: 'silent' }), { recognizer: keywordRecognizer() });
  });

  afterAll(async () => {
    await attune?.close();
    await mongo?.stop();
    await deleteKeys(prefix);
  });

  /** `npm run agents -- <argv>` on the bot's store, in-process. */
  async function agentsCli(...argv: string[]): Promise<{ code: number; stdout: string }> {
    let stdout = '';
    let stderr = '';
    const code = await main(argv, storeEnv, { write: (chunk: string) => ((stdout += chunk), true) }, { write: (chunk: string) => ((stderr += chunk), true) });
    if (code !== 0) throw new Error(`agents ${argv.join(' ')} exited ${code}: ${stderr}`);
    return { code, stdout };
  }

  async function signIn(name: string, password: string): Promise<{ status: number; token?: string; cookie?: string }> {
    const response = await fetch(`${attune.url}/api/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password }) });
    if (response.status !== 200) return { status: response.status };
    const { token } = (await response.json()) as { token: string };
    return { status: 200, token, cookie: response.headers.get('set-cookie')?.split(';')[0] };
  }

  /** A supervisor signed in twice (two devices), each with a bearer token and an admin cookie. */
  async function supervisorOnTwoDevices(name: string) {
    const { password } = await createAgentAccount(attune.store.agents, { name, pool: 'expert', role: 'supervisor' });
    const devices = [await signIn(name, password), await signIn(name, password)];
    for (const device of devices) {
      expect(device.status).toBe(200);
      expect(device.cookie).toMatch(/^attune_admin=/);
    }
    return { password, devices };
  }

  const me = (token?: string) => fetch(`${attune.url}/api/agent/me`, { headers: { authorization: `Bearer ${token}` } });
  const board = (cookie?: string) => fetch(`${attune.url}/admin/queues`, { headers: { cookie: cookie ?? '' } });

  async function expectStatus(devices: readonly { token?: string; cookie?: string }[], status: number): Promise<void> {
    for (const device of devices) {
      expect((await me(device.token)).status).toBe(status);
      expect((await board(device.cookie)).status).toBe(status);
    }
  }

  it('disable: every token and admin cookie of the person gets 401, and the password no longer signs in', async () => {
    const { password, devices } = await supervisorOnTwoDevices('dana');
    const colleague = await supervisorOnTwoDevices('carl');
    await expectStatus(devices, 200);

    await agentsCli('disable', 'dana');
    await expectStatus(devices, 401);
    expect((await signIn('dana', password)).status).toBe(401);
    await expectStatus(colleague.devices, 200);

    // Enabling lets the password in again, but the tokens from before stay dead.
    await agentsCli('enable', 'dana');
    await expectStatus(devices, 401);
    const again = await signIn('dana', password);
    expect(again.status).toBe(200);
    await expectStatus([again], 200);
  });

  it('reset-password: the old tokens and cookies get 401, the new password signs in and the old one does not', async () => {
    const { password: oldPassword, devices } = await supervisorOnTwoDevices('rosa');
    await expectStatus(devices, 200);

    const reset = JSON.parse((await agentsCli('reset-password', 'rosa', '--json')).stdout) as { password: string; sessionsEnded: number };
    expect(reset.sessionsEnded).toBe(2);
    await expectStatus(devices, 401);
    expect((await signIn('rosa', oldPassword)).status).toBe(401);
    const fresh = await signIn('rosa', reset.password);
    expect(fresh.status).toBe(200);
    await expectStatus([fresh], 200);
  });

  it('set-role and sign-out: the sessions from before get 401', async () => {
    const { password, devices } = await supervisorOnTwoDevices('sid');
    await agentsCli('set-role', 'sid', 'agent');
    await expectStatus(devices, 401);
    const asAgent = await signIn('sid', password);
    expect(asAgent.status).toBe(200);
    expect(asAgent.cookie).toBeUndefined(); // agents get no admin cookie
    expect((await me(asAgent.token)).status).toBe(200);

    await agentsCli('sign-out', 'sid');
    expect((await me(asAgent.token)).status).toBe(401);
    expect((await signIn('sid', password)).status).toBe(200);
  });
});
