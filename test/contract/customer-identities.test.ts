/**
 * One customer across channels, and their right to erasure, on every storage adapter: linking a
 * channel identity, the unfinished task kept on the profile, and erasing a customer's profile,
 * conversations and turns.
 */
import { linkIdentity, withoutUnfinishedTask } from '../../personalization/profile-editor';
import type { AttuneStore } from '../../storage/ports';
import { aConversation, aProfile, aTurn, at } from '../support/fixtures';
import { describeOnEveryAdapter, type StoreFactory } from '../support/store-lanes';

function customerIdentitiesContract(newStore: StoreFactory): void {
  let store: AttuneStore;
  beforeEach(async () => {
    store = await newStore();
  });

  it('finds the same profile on a second channel once the identity is linked', async () => {
    await store.customers.save(aProfile());
    const telegram = { channelId: 'telegram', userId: 'tg-42' };
    expect(await store.customers.findByIdentity(telegram)).toBeUndefined();

    await linkIdentity(store.customers, 'cust-1', telegram, at(10));
    await linkIdentity(store.customers, 'cust-1', telegram, at(20)); // linking twice adds nothing

    const linked = await store.customers.findByIdentity(telegram);
    expect(linked?.id).toBe('cust-1');
    expect(linked?.identities).toEqual([{ channelId: 'webchat', userId: 'web-user-1' }, telegram]);
    expect((await store.customers.findByIdentity({ channelId: 'webchat', userId: 'web-user-1' }))?.id).toBe('cust-1');
    expect(await linkIdentity(store.customers, 'nobody', telegram)).toBeUndefined();
  });

  it('keeps an unfinished task and open cases on the profile, and can drop the task', async () => {
    const unfinishedTask = { dialogId: 'dispute', conversationId: 'webchat:c1', channelId: 'webchat', steps: { kind: 'notRecognised', merchant: 'Tesco', amount: 40.5 }, updatedAt: at(5) };
    const openCases = [{ id: 'case-1', topic: 'dispute', openedAt: at(-86400) }];
    await store.customers.save(aProfile({ unfinishedTask, openCases }));
    const stored = await store.customers.get('cust-1');
    expect(stored?.unfinishedTask).toEqual(unfinishedTask);
    expect(stored?.openCases).toEqual(openCases);

    await store.customers.save(withoutUnfinishedTask(stored!));
    expect(await store.customers.get('cust-1')).not.toHaveProperty('unfinishedTask');
  });

  it('erases a profile, its conversations and all their turns, and nobody else\'s', async () => {
    await store.customers.save(aProfile());
    await store.customers.save(aProfile({ id: 'cust-2', identities: [{ channelId: 'webchat', userId: 'other' }] }));
    await store.conversations.open(aConversation());
    await store.conversations.open(aConversation({ id: 'webchat:conv-2', conversationId: 'conv-2', customerId: 'cust-2' }));
    await store.turns.append([
      aTurn({ id: 't1' }),
      aTurn({ id: 't2', role: 'agent', customerId: undefined }), // an agent's reply is not tagged
      aTurn({ id: 't3', conversationId: 'webchat:conv-2', customerId: 'cust-2' }),
    ]);

    expect(await store.turns.eraseCustomer('cust-1', ['webchat:conv-1'])).toBe(2);
    expect(await store.conversations.eraseByCustomer('cust-1')).toBe(1);
    expect(await store.customers.erase('cust-1')).toBe(true);
    expect(await store.customers.erase('cust-1')).toBe(false);

    expect(await store.customers.get('cust-1')).toBeUndefined();
    expect(await store.conversations.get('webchat:conv-1')).toBeUndefined();
    expect(await store.turns.listByConversation('webchat:conv-1', 10)).toEqual([]);
    expect((await store.turns.listByConversation('webchat:conv-2', 10)).map((t) => t.id)).toEqual(['t3']);
    expect((await store.customers.get('cust-2'))?.id).toBe('cust-2');
  });
}

describeOnEveryAdapter('Customer identities and erasure', customerIdentitiesContract);
