import type { AgentSessions } from '../../storage/ports';
import { expectAttuneError } from '../support/expect-attune-error';
import { anAgentSession, at } from '../support/fixtures';
import { describeOnEveryAdapter, type StoreFactory } from '../support/store-lanes';

const HOUR = 3600;

function agentSessionsContract(newStore: StoreFactory): void {
  let sessions: AgentSessions;
  beforeEach(async () => {
    sessions = (await newStore()).agentSessions;
  });

  it('finds a session by its token hash until it expires, with dates as Dates', async () => {
    const session = anAgentSession();
    await sessions.create(session);

    const found = await sessions.find(session.tokenHash, at(60));
    expect(found).toStrictEqual(session);
    expect(found?.expiresAt).toBeInstanceOf(Date);
    expect(await sessions.find(session.tokenHash, new Date(at(12 * HOUR).getTime() - 1))).toStrictEqual(session);
  });

  it('does not find a session at or after its expiry', async () => {
    const session = anAgentSession();
    await sessions.create(session);
    expect(await sessions.find(session.tokenHash, at(12 * HOUR))).toBeUndefined();
    expect(await sessions.find(session.tokenHash, at(13 * HOUR))).toBeUndefined();
  });

  it('returns undefined for an unknown token hash', async () => {
    await sessions.create(anAgentSession());
    expect(await sessions.find('b'.repeat(64), at(60))).toBeUndefined();
    expect(await sessions.find('a'.repeat(63), at(60))).toBeUndefined();
  });

  it('revokes one session and leaves the agent\'s other sessions alone', async () => {
    const phone = anAgentSession({ tokenHash: 'p'.repeat(64) });
    const laptop = anAgentSession({ tokenHash: 'l'.repeat(64) });
    await sessions.create(phone);
    await sessions.create(laptop);

    await sessions.revoke(phone.tokenHash);
    expect(await sessions.find(phone.tokenHash, at(60))).toBeUndefined();
    expect(await sessions.find(laptop.tokenHash, at(60))).toStrictEqual(laptop);
  });

  it('treats revoking an unknown or already revoked session as done', async () => {
    const session = anAgentSession();
    await sessions.create(session);
    await sessions.revoke(session.tokenHash);
    await expect(sessions.revoke(session.tokenHash)).resolves.toBeUndefined();
    await expect(sessions.revoke('c'.repeat(64))).resolves.toBeUndefined();
    expect(await sessions.find(session.tokenHash, at(60))).toBeUndefined();
  });

  it("revokes all of one agent's sessions, expired ones included, and leaves other agents' alone", async () => {
    const phone = anAgentSession({ tokenHash: 'p'.repeat(64) });
    const laptop = anAgentSession({ tokenHash: 'l'.repeat(64), createdAt: at(HOUR), expiresAt: at(13 * HOUR) });
    const expired = anAgentSession({ tokenHash: 'e'.repeat(64), createdAt: at(-13 * HOUR), expiresAt: at(-HOUR) });
    const bob = anAgentSession({ tokenHash: 'b'.repeat(64), agentId: 'agent-2' });
    // The expired one last: creating a session drops those that had expired by then.
    for (const session of [phone, laptop, bob, expired]) await sessions.create(session);
    expect(await sessions.find(expired.tokenHash, at(-2 * HOUR))).toStrictEqual(expired);

    expect(await sessions.revokeAllFor('agent-1')).toBe(3);
    expect(await sessions.find(phone.tokenHash, at(60))).toBeUndefined();
    expect(await sessions.find(laptop.tokenHash, at(2 * HOUR))).toBeUndefined();
    expect(await sessions.find(expired.tokenHash, at(-2 * HOUR))).toBeUndefined();
    expect(await sessions.find(bob.tokenHash, at(60))).toStrictEqual(bob);
  });

  it("revokes all of one agent's sessions but the one named, and leaves other agents' alone", async () => {
    const phone = anAgentSession({ tokenHash: 'p'.repeat(64) });
    const laptop = anAgentSession({ tokenHash: 'l'.repeat(64) });
    const tablet = anAgentSession({ tokenHash: 't'.repeat(64) });
    const bob = anAgentSession({ tokenHash: 'b'.repeat(64), agentId: 'agent-2' });
    for (const session of [phone, laptop, tablet, bob]) await sessions.create(session);

    expect(await sessions.revokeAllFor('agent-1', laptop.tokenHash)).toBe(2);
    expect(await sessions.find(laptop.tokenHash, at(60))).toStrictEqual(laptop);
    expect(await sessions.find(phone.tokenHash, at(60))).toBeUndefined();
    expect(await sessions.find(tablet.tokenHash, at(60))).toBeUndefined();
    expect(await sessions.find(bob.tokenHash, at(60))).toStrictEqual(bob);
    // Another agent's session named as the exception is no shield for this agent's.
    expect(await sessions.revokeAllFor('agent-1', bob.tokenHash)).toBe(1);
    expect(await sessions.find(laptop.tokenHash, at(60))).toBeUndefined();
    expect(await sessions.find(bob.tokenHash, at(60))).toStrictEqual(bob);
  });

  it('treats revoking all sessions of an agent with none as done', async () => {
    const bob = anAgentSession({ agentId: 'agent-2' });
    await sessions.create(bob);
    expect(await sessions.revokeAllFor('agent-1')).toBe(0);
    expect(await sessions.revokeAllFor('agent-1')).toBe(0);
    expect(await sessions.find(bob.tokenHash, at(60))).toStrictEqual(bob);
  });

  it('rejects a second session with a taken token hash and keeps the first', async () => {
    const first = anAgentSession();
    await sessions.create(first);
    await expectAttuneError(sessions.create(anAgentSession({ agentId: 'agent-2' })), 'ATTUNE_STORAGE_CONFLICT');
    expect(await sessions.find(first.tokenHash, at(60))).toStrictEqual(first);
  });

  it('drops sessions that had expired when a later one is created, and keeps live ones', async () => {
    const expired = anAgentSession({ tokenHash: 'e'.repeat(64), createdAt: at(0), expiresAt: at(HOUR) });
    const live = anAgentSession({ tokenHash: 'l'.repeat(64), createdAt: at(0), expiresAt: at(12 * HOUR) });
    await sessions.create(expired);
    await sessions.create(live);
    // Looking back in time shows whether a session is still stored, whatever its expiry.
    expect(await sessions.find(expired.tokenHash, at(60))).toStrictEqual(expired);

    const later = anAgentSession({ tokenHash: 'n'.repeat(64), createdAt: at(2 * HOUR), expiresAt: at(14 * HOUR) });
    await sessions.create(later);
    expect(await sessions.find(expired.tokenHash, at(60))).toBeUndefined();
    expect(await sessions.find(live.tokenHash, at(60))).toStrictEqual(live);
    expect(await sessions.find(later.tokenHash, at(2 * HOUR))).toStrictEqual(later);
  });
}

describeOnEveryAdapter('AgentSessions', agentSessionsContract);
