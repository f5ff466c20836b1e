import { createAgentAccount } from '../../server/auth/agent-accounts';
import { endStaffSessions, resetStaffPassword, setStaffAccountDisabled, setStaffRole } from '../../server/auth/staff-account-changes';
import { StaffAuth, type StaffLogin } from '../../server/auth/staff-auth';
import { createStore } from '../../storage/create-store';
import type { AgentSessions, AttuneStore, StaffRole } from '../../storage/ports';
import { expectAttuneError } from '../support/expect-attune-error';

describe('changing a staff account', () => {
  let store: AttuneStore;
  let auth: StaffAuth;
  let alicePassword: string;
  let aliceId: string;

  beforeEach(async () => {
    store = await createStore({ kind: 'memory' });
    auth = new StaffAuth(store.agents, store.agentSessions);
    ({ password: alicePassword, account: { id: aliceId } } = await createAgentAccount(store.agents, { name: 'alice', pool: 'expert', role: 'supervisor' }));
  });

  afterEach(async () => {
    await store.close();
  });

  const bearer = (login: StaffLogin) => `Bearer ${login.token}`;

  it.each([
    ['disabling', () => setStaffAccountDisabled(store, 'alice', true)],
    ['a new password', () => resetStaffPassword(store, 'alice')],
    ['another role', () => setStaffRole(store, 'alice', 'agent')],
    ['signing out everywhere', () => endStaffSessions(store, 'alice')],
  ])("%s ends every session of the person at once, and no one else's", async (_change, change) => {
    const laptop = await auth.login('alice', alicePassword);
    const phone = await auth.login('alice', alicePassword);
    const bob = await createAgentAccount(store.agents, { name: 'bob', pool: 'expert', role: 'agent' });
    const bobLogin = await auth.login('bob', bob.password);

    expect(await change()).toMatchObject({ sessionsEnded: 2 });
    await expectAttuneError(auth.authenticate(bearer(laptop)), 'ATTUNE_UNAUTHORIZED');
    await expectAttuneError(auth.authenticate(bearer(phone)), 'ATTUNE_UNAUTHORIZED');
    await expect(auth.authenticate(bearer(bobLogin))).resolves.toMatchObject({ name: 'bob' });
  });

  it('lets the new password in and keeps the old one out', async () => {
    const { password, changed } = await resetStaffPassword(store, ' Alice ');
    expect(changed).toBe(true);
    await expectAttuneError(auth.login('alice', alicePassword), 'ATTUNE_UNAUTHORIZED');
    await expect(auth.login('alice', password)).resolves.toMatchObject({ agent: { id: aliceId } });
  });

  it('lets an enabled account in again, with its password and the role it was given', async () => {
    await setStaffAccountDisabled(store, 'alice', true);
    await expectAttuneError(auth.login('alice', alicePassword), 'ATTUNE_UNAUTHORIZED');
    await setStaffRole(store, 'alice', 'content');
    const enabled = await setStaffAccountDisabled(store, 'alice', false);
    expect(enabled).toMatchObject({ changed: true, account: { disabled: false, role: 'content' } });
    await expect(auth.login('alice', alicePassword)).resolves.toMatchObject({ agent: { role: 'content' } });
  });

  it('changes nothing, and ends no session, when the account already is as asked', async () => {
    const login = await auth.login('alice', alicePassword);
    expect(await setStaffAccountDisabled(store, 'alice', false)).toMatchObject({ changed: false, sessionsEnded: 0 });
    expect(await setStaffRole(store, 'alice', 'supervisor')).toMatchObject({ changed: false, sessionsEnded: 0 });
    await expect(auth.authenticate(bearer(login))).resolves.toMatchObject({ id: aliceId });
  });

  it('refuses an unknown or malformed name with ATTUNE_STAFF_ACCOUNT_NOT_FOUND, and a role that does not exist with ATTUNE_REQUEST_INVALID', async () => {
    for (const name of ['bob', 'a', '', 'al ice']) {
      await expectAttuneError(setStaffAccountDisabled(store, name, true), 'ATTUNE_STAFF_ACCOUNT_NOT_FOUND');
      await expectAttuneError(resetStaffPassword(store, name), 'ATTUNE_STAFF_ACCOUNT_NOT_FOUND');
      await expectAttuneError(setStaffRole(store, name, 'agent'), 'ATTUNE_STAFF_ACCOUNT_NOT_FOUND');
      await expectAttuneError(endStaffSessions(store, name), 'ATTUNE_STAFF_ACCOUNT_NOT_FOUND');
    }
    await expectAttuneError(setStaffRole(store, 'alice', 'admin' as StaffRole), 'ATTUNE_REQUEST_INVALID');
    expect(await store.agents.get(aliceId)).toMatchObject({ role: 'supervisor', disabled: false });
  });

  describe('a change made while a sign-in is checking the password', () => {
    /** Sessions whose `create` first lets `during` run: the change lands after the password check. */
    function racingSessions(during: () => Promise<unknown>): AgentSessions {
      return {
        create: async (session) => {
          await during();
          await store.agentSessions.create(session);
        },
        find: (tokenHash, now) => store.agentSessions.find(tokenHash, now),
        revoke: (tokenHash) => store.agentSessions.revoke(tokenHash),
        revokeAllFor: (agentId) => store.agentSessions.revokeAllFor(agentId),
      };
    }

    it.each([
      ['a new password', () => resetStaffPassword(store, 'alice')],
      ['disabling', () => setStaffAccountDisabled(store, 'alice', true)],
      ['another role', () => setStaffRole(store, 'alice', 'agent')],
    ])('%s: the sign-in is refused and leaves no session behind', async (_change, change) => {
      const racing = new StaffAuth(store.agents, racingSessions(change));
      await expectAttuneError(racing.login('alice', alicePassword), 'ATTUNE_UNAUTHORIZED');
      expect(await store.agentSessions.revokeAllFor(aliceId)).toBe(0);
    });

    it('a sign-in with no change meanwhile goes through', async () => {
      const racing = new StaffAuth(store.agents, racingSessions(() => endStaffSessions(store, 'alice')));
      await expect(racing.login('alice', alicePassword)).resolves.toMatchObject({ agent: { id: aliceId } });
      expect(await store.agentSessions.revokeAllFor(aliceId)).toBe(1);
    });
  });
});
