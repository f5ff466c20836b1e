import type { AgentAccount, Agents } from '../../storage/ports';
import { expectAttuneError } from '../support/expect-attune-error';
import { anAgentAccount, at } from '../support/fixtures';
import { describeOnEveryAdapter, type StoreFactory } from '../support/store-lanes';

function agentsContract(newStore: StoreFactory): void {
  let agents: Agents;
  beforeEach(async () => {
    agents = (await newStore()).agents;
  });

  describe('create, get and findByName', () => {
    it('reads back a new account exactly, by id and by name, with dates as Dates', async () => {
      const account = anAgentAccount({ pool: 'expert', role: 'supervisor' });
      await agents.create(account);

      const byId = await agents.get('agent-1');
      expect(byId).toStrictEqual(account);
      expect(byId?.createdAt).toBeInstanceOf(Date);
      expect(await agents.findByName('alice')).toStrictEqual(account);
    });

    it('keeps the disabled flag', async () => {
      const account = anAgentAccount({ disabled: true });
      await agents.create(account);
      expect(await agents.findByName('alice')).toStrictEqual(account);
    });

    it('returns undefined for an unknown id or name, and matches names exactly', async () => {
      await agents.create(anAgentAccount());
      expect(await agents.get('agent-nope')).toBeUndefined();
      expect(await agents.findByName('bob')).toBeUndefined();
      expect(await agents.findByName('Alice')).toBeUndefined();
      expect(await agents.findByName('alic')).toBeUndefined();
    });

    it('rejects a second account with a taken name and keeps the first', async () => {
      const first = anAgentAccount();
      await agents.create(first);
      const second = anAgentAccount({ id: 'agent-2', pool: 'expert', role: 'supervisor' });
      await expectAttuneError(agents.create(second), 'ATTUNE_STORAGE_CONFLICT');
      expect(await agents.findByName('alice')).toStrictEqual(first);
      expect(await agents.get('agent-2')).toBeUndefined();
      expect(await agents.list()).toStrictEqual([first]);
    });

    it('rejects a second account with a taken id and keeps the first', async () => {
      const first = anAgentAccount();
      await agents.create(first);
      await expectAttuneError(agents.create(anAgentAccount({ name: 'bob' })), 'ATTUNE_STORAGE_CONFLICT');
      expect(await agents.get('agent-1')).toStrictEqual(first);
      expect(await agents.findByName('bob')).toBeUndefined();
    });

    it('stores exactly one of several concurrent accounts with the same name', async () => {
      const accounts = Array.from({ length: 5 }, (_, n) => anAgentAccount({ id: `agent-${n}`, createdAt: at(n) }));
      const results = await Promise.allSettled(accounts.map((account) => agents.create(account)));
      const stored = accounts.filter((_, n) => results[n].status === 'fulfilled');
      expect(stored).toHaveLength(1);
      expect(await agents.findByName('alice')).toStrictEqual(stored[0]);
      expect(await agents.list()).toStrictEqual(stored);
    });
  });

  describe('list', () => {
    it('is empty before any account is created', async () => {
      expect(await agents.list()).toEqual([]);
    });

    it('lists every account, whole, ordered by name', async () => {
      const account = (id: string, name: string, extra: Partial<AgentAccount> = {}) =>
        anAgentAccount({ id, name, ...extra });
      // Inserted out of order so that insertion order cannot pass for name order.
      const carol = account('agent-3', 'carol', { role: 'content', disabled: true });
      const alice = account('agent-1', 'alice');
      const bob = account('agent-2', 'bob', { pool: 'expert', role: 'supervisor' });
      for (const each of [carol, alice, bob]) await agents.create(each);

      const listed = await agents.list();
      expect(listed).toStrictEqual([alice, bob, carol]);
      expect(listed[2].createdAt).toBeInstanceOf(Date);
    });
  });

  describe('update', () => {
    const NEW_HASH = 'scrypt$N=16384,r=8,p=1$bmV3c2FsdG5ld3NhbHRuZXc=$bmV3aGFzaG5ld2hhc2huZXdoYXNobmV3aGFzaG5ldw==';

    it('changes the given fields, keeps the others, and reads back the updated account', async () => {
      const alice = anAgentAccount();
      await agents.create(alice);

      const updated = await agents.update('agent-1', { disabled: true, passwordHash: NEW_HASH, role: 'supervisor', pool: 'expert' });
      const expected = { ...alice, disabled: true, passwordHash: NEW_HASH, role: 'supervisor', pool: 'expert' };
      expect(updated).toStrictEqual(expected);
      expect(await agents.get('agent-1')).toStrictEqual(expected);
      expect(await agents.findByName('alice')).toStrictEqual(expected);
      expect((await agents.get('agent-1'))?.createdAt).toBeInstanceOf(Date);
    });

    it('changes one account only, and changes it back', async () => {
      const alice = anAgentAccount();
      const bob = anAgentAccount({ id: 'agent-2', name: 'bob' });
      await agents.create(alice);
      await agents.create(bob);

      await agents.update('agent-1', { disabled: true });
      expect(await agents.get('agent-2')).toStrictEqual(bob);
      expect(await agents.update('agent-1', { disabled: false })).toStrictEqual(alice);
      expect(await agents.list()).toStrictEqual([alice, bob]);
    });

    it('keeps a field whose change is left undefined, and reads back the account when nothing changes', async () => {
      const alice = anAgentAccount({ role: 'content' });
      await agents.create(alice);
      expect(await agents.update('agent-1', { role: undefined, disabled: true })).toStrictEqual({ ...alice, disabled: true });
      expect(await agents.update('agent-1', {})).toStrictEqual({ ...alice, disabled: true });
    });

    it('writes only while the stored account has the expected values (compare-and-set), else resolves undefined and writes nothing', async () => {
      const alice = anAgentAccount();
      await agents.create(alice);

      expect(await agents.update('agent-1', { passwordHash: NEW_HASH }, { passwordHash: `${alice.passwordHash}x` })).toBeUndefined();
      expect(await agents.update('agent-1', { passwordHash: NEW_HASH }, { passwordHash: alice.passwordHash, disabled: true })).toBeUndefined();
      expect(await agents.update('agent-1', {}, { disabled: true })).toBeUndefined();
      expect(await agents.get('agent-1')).toStrictEqual(alice);

      const changed = { ...alice, passwordHash: NEW_HASH };
      expect(await agents.update('agent-1', { passwordHash: NEW_HASH }, { passwordHash: alice.passwordHash, disabled: false, role: undefined })).toStrictEqual(changed);
      expect(await agents.get('agent-1')).toStrictEqual(changed);
      // The second of two changes from the same starting point finds the value changed.
      expect(await agents.update('agent-1', { passwordHash: alice.passwordHash }, { passwordHash: alice.passwordHash })).toBeUndefined();
      expect(await agents.update('agent-1', {}, { passwordHash: NEW_HASH })).toStrictEqual(changed);
      expect(await agents.update('agent-nope', { disabled: true }, { disabled: false })).toBeUndefined();
    });

    it('resolves undefined for an unknown id and creates nothing', async () => {
      await agents.create(anAgentAccount());
      expect(await agents.update('agent-nope', { disabled: true })).toBeUndefined();
      expect(await agents.update('agent-nope', {})).toBeUndefined();
      expect(await agents.get('agent-nope')).toBeUndefined();
      expect(await agents.list()).toStrictEqual([anAgentAccount()]);
    });
  });
}

describeOnEveryAdapter('Agents', agentsContract);
