import * as passwords from '../../server/auth/passwords';
import { createHash } from 'node:crypto';
import { createAgentAccount } from '../../server/auth/agent-accounts';
import { resetStaffPassword, setStaffAccountDisabled, setStaffRole } from '../../server/auth/staff-account-changes';
import { StaffAuth, type StaffLogin } from '../../server/auth/staff-auth';
import { createStore } from '../../storage/create-store';
import type { AttuneStore, StaffRole } from '../../storage/ports';
import { expectAttuneError } from '../support/expect-attune-error';
import { anAgentAccount, at } from '../support/fixtures';

const HOUR = 3600 * 1000;

describe('StaffAuth', () => {
  let store: AttuneStore;
  let clock: Date;
  let auth: StaffAuth;
  let alicePassword: string;
  let aliceId: string;

  beforeEach(async () => {
    store = await createStore({ kind: 'memory' });
    clock = at(0);
    auth = new StaffAuth(store.agents, store.agentSessions, { now: () => clock });
    const alice = await createAgentAccount(store.agents, { name: 'alice', pool: 'expert', role: 'supervisor' });
    alicePassword = alice.password;
    aliceId = alice.account.id;
  });

  afterEach(async () => {
    await store.close();
  });

  const bearer = (login: StaffLogin) => `Bearer ${login.token}`;

  describe('login', () => {
    it('opens a 12-hour session with a random 32-byte token and returns the agent without the hash', async () => {
      const login = await auth.login('alice', alicePassword);
      expect(login.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(login.token, 'base64url')).toHaveLength(32);
      expect(login.expiresAt).toEqual(new Date(at(0).getTime() + 12 * HOUR));
      expect(login.agent).toStrictEqual({ id: aliceId, name: 'alice', pool: 'expert', role: 'supervisor' });
    });

    it('stores only the SHA-256 of the token', async () => {
      const login = await auth.login('alice', alicePassword);
      const sha = createHash('sha256').update(login.token).digest('hex');
      expect(await store.agentSessions.find(sha, at(1))).toMatchObject({ agentId: aliceId, createdAt: at(0) });
      expect(await store.agentSessions.find(login.token, at(1))).toBeUndefined();
    });

    it('gives each sign-in its own token', async () => {
      const first = await auth.login('alice', alicePassword);
      const second = await auth.login('alice', alicePassword);
      expect(first.token).not.toBe(second.token);
    });

    it('matches the name however it is cased or padded', async () => {
      const login = await auth.login('  ALICE ', alicePassword);
      expect(login.agent.id).toBe(aliceId);
    });

    it('refuses an unknown name and a wrong password with the same error, naming neither', async () => {
      const unknown = await expectAttuneError(auth.login('mallory', alicePassword), 'ATTUNE_UNAUTHORIZED');
      const wrong = await expectAttuneError(auth.login('alice', `${alicePassword}x`), 'ATTUNE_UNAUTHORIZED');
      const empty = await expectAttuneError(auth.login('alice', ''), 'ATTUNE_UNAUTHORIZED');
      expect(wrong.message).toBe(unknown.message);
      expect(empty.message).toBe(unknown.message);
      expect(unknown.message).not.toMatch(/mallory|unknown|exist|password is wrong/i);
    });

    it('refuses a disabled account even with its password', async () => {
      const created = await createAgentAccount(store.agents, { name: 'dora', pool: 'apprentice', role: 'agent' });
      await expect(auth.login('dora', created.password)).resolves.toMatchObject({ agent: { name: 'dora' } });
      await store.agents.update(created.account.id, { disabled: true });
      const refused = await expectAttuneError(auth.login('dora', created.password), 'ATTUNE_UNAUTHORIZED');
      const unknown = await expectAttuneError(auth.login('nobody', created.password), 'ATTUNE_UNAUTHORIZED');
      expect(refused.message).toBe(unknown.message);
    });

    it('does the scrypt work for an unknown name as for a wrong password, so timing does not tell them apart', async () => {
      // Counted, not timed: a timed test would be flaky on a loaded machine.
      const verify = jest.spyOn(passwords, 'verifyPassword');
      try {
        await auth.login('alice', 'wrong-password').catch(() => undefined);
        await auth.login('nobody-by-this-name', 'wrong-password').catch(() => undefined);
        expect(verify).toHaveBeenCalledTimes(2);
        for (const [, hash] of verify.mock.calls) expect(hash).toMatch(/^scrypt\$N=/);
      } finally {
        verify.mockRestore();
      }
    });
  });

  describe('authenticate', () => {
    it('returns the agent behind a valid bearer header (scheme in any case)', async () => {
      const login = await auth.login('alice', alicePassword);
      const expected = { id: aliceId, name: 'alice', pool: 'expert', role: 'supervisor' };
      expect(await auth.authenticate(bearer(login))).toStrictEqual(expected);
      expect(await auth.authenticate(`bearer ${login.token}`)).toStrictEqual(expected);
    });

    it('refuses a missing, malformed or unknown token', async () => {
      const login = await auth.login('alice', alicePassword);
      const other = Buffer.alloc(32, 7).toString('base64url');
      for (const header of [undefined, '', 'Bearer', `Basic ${login.token}`, `Bearer ${login.token}x`, `Bearer ${login.token.slice(1)}`, login.token, `Bearer ${other}`]) {
        await expectAttuneError(auth.authenticate(header), 'ATTUNE_UNAUTHORIZED');
      }
    });

    it('accepts the session until it expires, and refuses it from then on', async () => {
      const login = await auth.login('alice', alicePassword);
      clock = new Date(login.expiresAt.getTime() - 1);
      await expect(auth.authenticate(bearer(login))).resolves.toMatchObject({ id: aliceId });
      clock = login.expiresAt;
      await expectAttuneError(auth.authenticate(bearer(login)), 'ATTUNE_UNAUTHORIZED');
    });

    it('honours a configured session length', async () => {
      const short = new StaffAuth(store.agents, store.agentSessions, { now: () => clock, sessionTtlMs: HOUR });
      const login = await short.login('alice', alicePassword);
      expect(login.expiresAt).toEqual(new Date(at(0).getTime() + HOUR));
      clock = new Date(at(0).getTime() + HOUR - 1);
      await expect(short.authenticate(bearer(login))).resolves.toMatchObject({ id: aliceId });
      clock = new Date(at(0).getTime() + HOUR);
      await expectAttuneError(short.authenticate(bearer(login)), 'ATTUNE_UNAUTHORIZED');
    });

    it('refuses a live session whose account is disabled or gone', async () => {
      const token = Buffer.alloc(32, 1).toString('base64url');
      const tokenHash = createHash('sha256').update(token).digest('hex');
      const session = { tokenHash, createdAt: at(0), expiresAt: at(3600) };

      await store.agents.create(anAgentAccount({ id: 'agent-on', name: 'on' }));
      await store.agentSessions.create({ ...session, agentId: 'agent-on' });
      await expect(auth.authenticate(`Bearer ${token}`)).resolves.toMatchObject({ id: 'agent-on' });
      await store.agentSessions.revoke(tokenHash);

      await store.agents.create(anAgentAccount({ id: 'agent-off', name: 'off', disabled: true }));
      await store.agentSessions.create({ ...session, agentId: 'agent-off' });
      await expectAttuneError(auth.authenticate(`Bearer ${token}`), 'ATTUNE_UNAUTHORIZED');
      await store.agentSessions.revoke(tokenHash);

      await store.agentSessions.create({ ...session, agentId: 'agent-deleted' });
      await expectAttuneError(auth.authenticate(`Bearer ${token}`), 'ATTUNE_UNAUTHORIZED');
    });
  });

  describe('logout', () => {
    it('ends that session only', async () => {
      const laptop = await auth.login('alice', alicePassword);
      const phone = await auth.login('alice', alicePassword);
      await auth.logout(laptop.token);
      await expectAttuneError(auth.authenticate(bearer(laptop)), 'ATTUNE_UNAUTHORIZED');
      await expect(auth.authenticate(bearer(phone))).resolves.toMatchObject({ id: aliceId });
    });

    it('ignores unknown, malformed and already ended tokens', async () => {
      const login = await auth.login('alice', alicePassword);
      await auth.logout(login.token);
      await expect(auth.logout(login.token)).resolves.toBeUndefined();
      await expect(auth.logout('not a token')).resolves.toBeUndefined();
      await expect(auth.logout('')).resolves.toBeUndefined();
    });
  });

  describe('changePassword', () => {
    const NEW_PASSWORD = 'plum kettle orbit seventy lantern';

    it('stores a hash of the new password with the configured cost, and spares only the session that asked', async () => {
      const cheap = new StaffAuth(store.agents, store.agentSessions, { now: () => clock, scrypt: { N: 1024, r: 8, p: 1 } });
      const laptop = await cheap.login('alice', alicePassword);
      const phone = await cheap.login('alice', alicePassword);
      const change = await cheap.changePassword(laptop.token, alicePassword, NEW_PASSWORD);
      expect(change).toStrictEqual({ agent: { id: aliceId, name: 'alice', pool: 'expert', role: 'supervisor' }, otherSessionsEnded: 1 });
      const stored = (await store.agents.get(aliceId))?.passwordHash as string;
      expect(stored).toMatch(/^scrypt\$N=1024,r=8,p=1\$/);
      expect(await passwords.verifyPassword(NEW_PASSWORD, stored)).toBe(true);
      await expect(cheap.authenticate(bearer(laptop))).resolves.toMatchObject({ id: aliceId });
      await expectAttuneError(cheap.authenticate(bearer(phone)), 'ATTUNE_UNAUTHORIZED');
    });

    it('checks the new password against the policy before the current one, so a refusal costs no scrypt work and reveals nothing', async () => {
      const login = await auth.login('alice', alicePassword);
      const verify = jest.spyOn(passwords, 'verifyPassword');
      try {
        const refused = await expectAttuneError(auth.changePassword(login.token, 'not the current one', 'too short'), 'ATTUNE_REQUEST_INVALID');
        expect(refused.message).toMatch(/^The new password must have at least 20 characters/);
        expect(verify).not.toHaveBeenCalled();
      } finally {
        verify.mockRestore();
      }
    });

    it('refuses a session that ended, even with the right current password', async () => {
      const login = await auth.login('alice', alicePassword);
      await auth.logout(login.token);
      await expectAttuneError(auth.changePassword(login.token, alicePassword, NEW_PASSWORD), 'ATTUNE_UNAUTHORIZED');
      await expectAttuneError(auth.changePassword('not a token', alicePassword, NEW_PASSWORD), 'ATTUNE_UNAUTHORIZED');
      await expect(auth.login('alice', alicePassword)).resolves.toMatchObject({ agent: { id: aliceId } });
    });

    it.each([
      ['a reset of the password', () => resetStaffPassword(store, 'alice', { scrypt: { N: 1024, r: 8, p: 1 } })],
      ['disabling the account', () => setStaffAccountDisabled(store, 'alice', true)],
      ['another role', () => setStaffRole(store, 'alice', 'agent')],
    ])('never overwrites %s made while the current password was being checked: 409, nothing changed', async (_change, change) => {
      const login = await auth.login('alice', alicePassword);
      const real = passwords.verifyPassword;
      const verify = jest.spyOn(passwords, 'verifyPassword').mockImplementationOnce(async (password, hash) => {
        const matches = await real(password, hash);
        await change();
        return matches;
      });
      try {
        await expectAttuneError(auth.changePassword(login.token, alicePassword, NEW_PASSWORD), 'ATTUNE_STORAGE_CONFLICT');
      } finally {
        verify.mockRestore();
      }
      const stored = (await store.agents.get(aliceId))?.passwordHash as string;
      expect(await passwords.verifyPassword(NEW_PASSWORD, stored)).toBe(false);
      await expectAttuneError(auth.authenticate(bearer(login)), 'ATTUNE_UNAUTHORIZED'); // the change ended every session
    });
  });

  describe('requireRole', () => {
    const agent = (role: StaffRole) => ({ id: 'a', name: 'a', pool: 'apprentice' as const, role });

    it('lets a listed role through', () => {
      expect(() => auth.requireRole(agent('supervisor'), ['supervisor'])).not.toThrow();
      expect(() => auth.requireRole(agent('agent'), ['agent', 'supervisor'])).not.toThrow();
    });

    it('refuses other roles, and everyone when no role is listed, with ATTUNE_FORBIDDEN', async () => {
      const call = (role: StaffRole, roles: readonly StaffRole[]) => Promise.resolve().then(() => auth.requireRole(agent(role), roles));
      await expectAttuneError(call('agent', ['supervisor']), 'ATTUNE_FORBIDDEN');
      await expectAttuneError(call('content', ['agent', 'supervisor']), 'ATTUNE_FORBIDDEN');
      await expectAttuneError(call('supervisor', []), 'ATTUNE_FORBIDDEN');
    });
  });

  it('refuses to be built without its ports or with a session length that is not positive', () => {
    expect(() => new StaffAuth(undefined as never, store.agentSessions)).toThrow(/agents is required/);
    expect(() => new StaffAuth(store.agents, undefined as never)).toThrow(/sessions is required/);
    expect(() => new StaffAuth(store.agents, store.agentSessions, { sessionTtlMs: 0 })).toThrow(RangeError);
  });
});
