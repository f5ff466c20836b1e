/**
 * Staff sign-in through the real HTTP server (createServer, its body parsing) with the staff auth
 * routes registered, on 127.0.0.1, over a memory store.
 */
import type { AddressInfo } from 'node:net';
import { ActivityHandler } from 'botbuilder';
import type { Request } from 'restify';
import { createLogger } from '../../core/logger';
import { createAgentAccount } from '../../server/auth/agent-accounts';
import { registerStaffAuthRoutes, type StaffAuthRouteOptions } from '../../server/auth/routes';
import { StaffAuth } from '../../server/auth/staff-auth';
import { withStaff } from '../../server/auth/with-staff';
import { createBotAdapter } from '../../server/bot-adapter';
import { createServer } from '../../server/create-server';
import { createStore } from '../../storage/create-store';
import type { AttuneStore } from '../../storage/ports';
import { anAgentAccount } from '../support/fixtures';

interface StaffServer {
  readonly url: string;
  readonly store: AttuneStore;
  /** Everything the server logged, as pino wrote it. */
  readonly logs: () => string;
  close(): Promise<void>;
}

/** Tests name the client address in a header, so rate limits per address can be exercised from one host. */
const TEST_CLIENT_HEADER = 'x-test-client';

async function startStaffServer(options: StaffAuthRouteOptions = {}): Promise<StaffServer> {
  const store = await createStore({ kind: 'memory' });
  let logged = '';
  const logger = createLogger('info', { write: (line: string) => void (logged += line) });
  const server = createServer({ adapter: createBotAdapter(undefined), bot: new ActivityHandler(), store, logger });
  const auth = new StaffAuth(store.agents, store.agentSessions);
  registerStaffAuthRoutes(server, auth, logger, {
    clientAddress: (req: Request) => req.header(TEST_CLIENT_HEADER) || req.socket.remoteAddress,
    ...options,
  });
  server.get('/test/supervisors-only', withStaff(auth, ['supervisor'], async (_req, res, agent) => {
    res.send(200, { hello: agent.name });
  }, logger));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    store,
    logs: () => logged,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
    },
  };
}

describe('staff sign-in over HTTP', () => {
  let staff: StaffServer;
  let alice: { id: string; password: string };
  let sam: { id: string; password: string };

  beforeEach(async () => {
    staff = await startStaffServer();
    const a = await createAgentAccount(staff.store.agents, { name: 'alice', pool: 'apprentice', role: 'agent' });
    const s = await createAgentAccount(staff.store.agents, { name: 'sam', pool: 'expert', role: 'supervisor' });
    alice = { id: a.account.id, password: a.password };
    sam = { id: s.account.id, password: s.password };
  });

  afterEach(async () => {
    await staff.close();
  });

  function login(body: unknown, client = '198.51.100.1'): Promise<globalThis.Response> {
    return fetch(`${staff.url}/api/agent/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [TEST_CLIENT_HEADER]: client },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  async function tokenOf(name: string, password: string): Promise<string> {
    const response = await login({ name, password });
    expect(response.status).toBe(200);
    return ((await response.json()) as { token: string }).token;
  }

  const get = (path: string, token?: string) =>
    fetch(`${staff.url}${path}`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
  const logout = (token?: string) =>
    fetch(`${staff.url}/api/agent/logout`, { method: 'POST', headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });

  describe('POST /api/agent/login', () => {
    it('answers 200 with a token, its expiry in 12 hours and the agent (no hash), not to be cached', async () => {
      const before = Date.now();
      const response = await login({ name: 'alice', password: alice.password });
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const body = (await response.json()) as { token: string; expiresAt: string; agent: unknown };
      expect(Object.keys(body).sort()).toEqual(['agent', 'expiresAt', 'token']);
      expect(body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(body.agent).toStrictEqual({ id: alice.id, name: 'alice', pool: 'apprentice', role: 'agent' });
      const expiresIn = Date.parse(body.expiresAt) - before;
      expect(expiresIn).toBeGreaterThan(12 * 3600_000 - 60_000);
      expect(expiresIn).toBeLessThanOrEqual(12 * 3600_000 + 60_000);
    });

    it.each([
      ['no password', { name: 'alice' }],
      ['an empty name', { name: '  ', password: 'x' }],
      ['a number for a name', { name: 42, password: 'x' }],
      ['an array', ['alice', 'pw']],
      ['a JSON string', '"alice"'],
      ['an empty body', ''],
    ])('answers 400 ATTUNE_REQUEST_INVALID for %s', async (_what, body) => {
      const response = await login(body);
      expect(response.status).toBe(400);
      const answer = (await response.json()) as { code: string; message: string };
      expect(answer.code).toBe('ATTUNE_REQUEST_INVALID');
      expect(answer.message).toMatch(/name|password|body/);
    });

    it('answers 400 for malformed JSON (the server\'s body parser refuses it before the route runs)', async () => {
      const response = await login('{"name": "alice", "password": ');
      expect(response.status).toBe(400);
    });

    it('answers 401 ATTUNE_UNAUTHORIZED with the same body for a wrong password and an unknown name', async () => {
      const wrong = await login({ name: 'alice', password: `${alice.password}!` });
      const unknown = await login({ name: 'mallory', password: alice.password });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      const wrongBody = await wrong.json();
      expect(wrongBody).toMatchObject({ code: 'ATTUNE_UNAUTHORIZED' });
      expect(await unknown.json()).toStrictEqual(wrongBody);
    });

    it('answers 401 for a disabled account with the right password', async () => {
      const hash = (await staff.store.agents.findByName('alice'))?.passwordHash as string;
      await staff.store.agents.create(anAgentAccount({ id: 'agent-off', name: 'olga', passwordHash: hash, disabled: true }));
      const response = await login({ name: 'olga', password: alice.password });
      expect(response.status).toBe(401);
    });

    it('answers 429 with Retry-After after 10 unsuccessful attempts from one address, even for the right password', async () => {
      for (let i = 0; i < 10; i += 1) expect((await login({ name: `guess-${i}`, password: 'nope' }, '203.0.113.9')).status).toBe(401);
      const blocked = await login({ name: 'alice', password: alice.password }, '203.0.113.9');
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await blocked.json()).toMatchObject({ code: 'ATTUNE_RATE_LIMITED' });
      // Another address is not affected.
      expect((await login({ name: 'alice', password: alice.password }, '203.0.113.10')).status).toBe(200);
    });

    it("cannot be used to lock a colleague out: wrong passwords for a name from other addresses leave that person's sign-in alone", async () => {
      for (let round = 0; round < 2; round += 1) {
        for (let i = 0; i < 10; i += 1) expect((await login({ name: 'alice', password: 'nope' }, `192.0.2.${round * 10 + i}`)).status).toBe(401);
      }
      expect((await login({ name: 'ALICE', password: alice.password }, '192.0.2.200')).status).toBe(200);
      expect((await login({ name: 'sam', password: sam.password }, '192.0.2.201')).status).toBe(200);
    });

    it('does not count successful sign-ins against the limit', async () => {
      for (let i = 0; i < 15; i += 1) expect((await login({ name: 'alice', password: alice.password })).status).toBe(200);
    });

    it('never logs the password or the token', async () => {
      const token = await tokenOf('alice', alice.password);
      await login({ name: 'alice', password: 'a-wrong-password-attempt' });
      await logout(token);
      const logs = staff.logs();
      expect(logs).toContain('staff signed in');
      expect(logs).toContain('staff sign-in refused');
      for (const secret of [alice.password, 'a-wrong-password-attempt', token]) expect(logs).not.toContain(secret);
    });
  });

  describe('GET /api/agent/me and POST /api/agent/logout', () => {
    it('answers /me with the signed-in agent, and 401 without a valid token', async () => {
      const token = await tokenOf('alice', alice.password);
      const me = await get('/api/agent/me', token);
      expect(me.status).toBe(200);
      expect(await me.json()).toStrictEqual({ agent: { id: alice.id, name: 'alice', pool: 'apprentice', role: 'agent' } });

      for (const response of [await get('/api/agent/me'), await get('/api/agent/me', 'not-a-token'), await get('/api/agent/me', `${token.slice(0, -1)}${token.endsWith('A') ? 'E' : 'A'}`)]) {
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toBe('Bearer');
        expect(await response.json()).toMatchObject({ code: 'ATTUNE_UNAUTHORIZED' });
      }
    });

    it('revokes the token on logout (204), leaving the agent\'s other sessions signed in', async () => {
      const laptop = await tokenOf('alice', alice.password);
      const phone = await tokenOf('alice', alice.password);
      const out = await logout(laptop);
      expect(out.status).toBe(204);
      expect((await get('/api/agent/me', laptop)).status).toBe(401);
      expect((await logout(laptop)).status).toBe(401);
      expect((await get('/api/agent/me', phone)).status).toBe(200);
    });

    it('answers logout without a token with 401', async () => {
      expect((await logout()).status).toBe(401);
    });
  });

  describe('POST /api/agent/password', () => {
    const NEW_PASSWORD = 'plum kettle orbit seventy lantern';

    const changePassword = (token: string | undefined, body: unknown, client = '198.51.100.1') =>
      fetch(`${staff.url}/api/agent/password`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [TEST_CLIENT_HEADER]: client, ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
        body: JSON.stringify(body),
      });

    it('changes the password: the old one stops working, the new one works, other sessions end and this one stays', async () => {
      const laptop = await tokenOf('alice', alice.password);
      const phone = await tokenOf('alice', alice.password);
      const tablet = await tokenOf('alice', alice.password);
      const samToken = await tokenOf('sam', sam.password);

      const response = await changePassword(laptop, { currentPassword: alice.password, newPassword: NEW_PASSWORD });
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.json()).toStrictEqual({ agent: { id: alice.id, name: 'alice', pool: 'apprentice', role: 'agent' }, otherSessionsEnded: 2 });

      expect((await login({ name: 'alice', password: alice.password })).status).toBe(401);
      expect((await get('/api/agent/me', await tokenOf('alice', NEW_PASSWORD))).status).toBe(200);
      expect((await get('/api/agent/me', laptop)).status).toBe(200);
      expect((await get('/api/agent/me', phone)).status).toBe(401);
      expect((await get('/api/agent/me', tablet)).status).toBe(401);
      expect((await get('/api/agent/me', samToken)).status).toBe(200); // someone else's sessions are not touched
    });

    it('answers 403 ATTUNE_CURRENT_PASSWORD_INCORRECT with a message for a wrong current password, changing nothing and keeping the session', async () => {
      const laptop = await tokenOf('alice', alice.password);
      const phone = await tokenOf('alice', alice.password);
      const response = await changePassword(laptop, { currentPassword: `${alice.password}!`, newPassword: NEW_PASSWORD });
      expect(response.status).toBe(403);
      const body = (await response.json()) as { code: string; message: string };
      expect(body.code).toBe('ATTUNE_CURRENT_PASSWORD_INCORRECT');
      expect(body.message).toMatch(/current password is not correct/);

      expect((await get('/api/agent/me', laptop)).status).toBe(200);
      expect((await get('/api/agent/me', phone)).status).toBe(200);
      expect((await login({ name: 'alice', password: NEW_PASSWORD })).status).toBe(401);
      expect((await login({ name: 'alice', password: alice.password })).status).toBe(200);
    });

    it.each([
      ['of 19 characters', 'nineteen characters', /newPassword: the new password must have at least 20 characters \(it has 19\)/],
      ['of a few characters repeated', 'abcabcabcabcabcabcabcabc', /at least 8 different characters/],
      ['containing the sign-in name', 'Alice in Wonderland, forever', /must not contain your sign-in name/],
      ['that is not a string', 1234567890, /newPassword/],
    ])('answers 400 ATTUNE_REQUEST_INVALID with the rule for a new password %s, and changes nothing', async (_what, newPassword, message) => {
      const token = await tokenOf('alice', alice.password);
      const response = await changePassword(token, { currentPassword: alice.password, newPassword });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: 'ATTUNE_REQUEST_INVALID', message: expect.stringMatching(message) });
      expect((await login({ name: 'alice', password: alice.password })).status).toBe(200);
    });

    it('answers 400 for the current password again, and for a missing current password', async () => {
      const token = await tokenOf('alice', alice.password);
      const again = await changePassword(token, { currentPassword: alice.password, newPassword: alice.password });
      expect(again.status).toBe(400);
      expect(await again.json()).toMatchObject({ code: 'ATTUNE_REQUEST_INVALID', message: expect.stringMatching(/must differ from the current one/) });
      const missing = await changePassword(token, { newPassword: NEW_PASSWORD });
      expect(missing.status).toBe(400);
      expect(await missing.json()).toMatchObject({ code: 'ATTUNE_REQUEST_INVALID', message: expect.stringMatching(/currentPassword/) });
      expect((await login({ name: 'alice', password: alice.password })).status).toBe(200);
    });

    it('answers 401 without a session, or with a session that was ended', async () => {
      expect((await changePassword(undefined, { currentPassword: alice.password, newPassword: NEW_PASSWORD })).status).toBe(401);
      const token = await tokenOf('alice', alice.password);
      await logout(token);
      expect((await changePassword(token, { currentPassword: alice.password, newPassword: NEW_PASSWORD })).status).toBe(401);
      expect((await login({ name: 'alice', password: alice.password })).status).toBe(200);
    });

    it('does not count successful changes against the throttle', async () => {
      const token = await tokenOf('alice', alice.password);
      let current = alice.password;
      for (let i = 0; i < 11; i += 1) {
        const next = `${NEW_PASSWORD} ${i}`;
        expect((await changePassword(token, { currentPassword: current, newPassword: next }, '203.0.113.7')).status).toBe(200);
        current = next;
      }
    });

    it('counts wrong current passwords in the sign-in throttle of the address: 429 for both after 10 together', async () => {
      const token = await tokenOf('alice', alice.password);
      for (let i = 0; i < 5; i += 1) expect((await login({ name: `guess-${i}`, password: 'nope' }, '203.0.113.9')).status).toBe(401);
      for (let i = 0; i < 5; i += 1) expect((await changePassword(token, { currentPassword: `wrong ${i}`, newPassword: NEW_PASSWORD }, '203.0.113.9')).status).toBe(403);

      const blocked = await changePassword(token, { currentPassword: alice.password, newPassword: NEW_PASSWORD }, '203.0.113.9');
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await blocked.json()).toMatchObject({ code: 'ATTUNE_RATE_LIMITED' });
      expect((await login({ name: 'alice', password: alice.password }, '203.0.113.9')).status).toBe(429);
      // Another address is not affected, and the blocked change did not happen.
      expect((await changePassword(token, { currentPassword: alice.password, newPassword: NEW_PASSWORD }, '203.0.113.10')).status).toBe(200);
    });

    it('never logs the passwords', async () => {
      const token = await tokenOf('alice', alice.password);
      await changePassword(token, { currentPassword: 'a-wrong-current-password', newPassword: NEW_PASSWORD });
      await changePassword(token, { currentPassword: alice.password, newPassword: NEW_PASSWORD });
      const logs = staff.logs();
      expect(logs).toContain('staff password change refused');
      expect(logs).toContain('staff password changed');
      for (const secret of [alice.password, 'a-wrong-current-password', NEW_PASSWORD, token]) expect(logs).not.toContain(secret);
    });
  });

  describe('withStaff on another route', () => {
    it('answers 403 ATTUNE_FORBIDDEN for a role that is not allowed, 401 without a token, 200 for an allowed role', async () => {
      const forbidden = await get('/test/supervisors-only', await tokenOf('alice', alice.password));
      expect(forbidden.status).toBe(403);
      expect(await forbidden.json()).toMatchObject({ code: 'ATTUNE_FORBIDDEN' });
      expect((await get('/test/supervisors-only')).status).toBe(401);
      const allowed = await get('/test/supervisors-only', await tokenOf('sam', sam.password));
      expect(allowed.status).toBe(200);
      expect(await allowed.json()).toEqual({ hello: 'sam' });
    });
  });
});
