import type { Conversations } from '../../storage/ports';
import { aConversation, at } from '../support/fixtures';
import { describeOnEveryAdapter, type StoreFactory } from '../support/store-lanes';

function conversationsContract(newStore: StoreFactory): void {
  let conversations: Conversations;
  beforeEach(async () => {
    conversations = (await newStore()).conversations;
  });

  it('opens a new conversation and returns it; get reads it back', async () => {
    const record = aConversation();
    expect(await conversations.open(record)).toEqual(record);
    const stored = await conversations.get(record.id);
    expect(stored).toEqual(record);
    expect(stored?.startedAt).toBeInstanceOf(Date);
  });

  it('returns undefined for an unknown id', async () => {
    expect(await conversations.get('webchat:nope')).toBeUndefined();
  });

  it('is idempotent: opening again returns the stored record and changes nothing', async () => {
    const first = aConversation({ status: 'queued' });
    await conversations.open(first);
    const second = aConversation({ status: 'bot', customerId: 'someone-else', startedAt: at(60), updatedAt: at(60) });
    expect(await conversations.open(second)).toEqual(first);
    expect(await conversations.get(first.id)).toEqual(first);
  });

  it('creates one record when several instances open the same conversation at once', async () => {
    const attempts = ['a', 'b', 'c', 'd'].map((who) => aConversation({ customerId: `cust-${who}` }));
    const opened = await Promise.all(attempts.map((record) => conversations.open(record)));
    const stored = await conversations.get('webchat:conv-1');
    expect(stored).toBeDefined();
    for (const record of opened) expect(record).toEqual(stored);
    expect(attempts).toContainEqual(stored);
  });

  it('transitions when the current status is one of `from`', async () => {
    await conversations.open(aConversation({ status: 'bot' }));
    expect(await conversations.transition('webchat:conv-1', ['bot', 'queued'], 'with_agent', at(90))).toBe(true);
    expect(await conversations.get('webchat:conv-1')).toEqual(aConversation({ status: 'with_agent', updatedAt: at(90) }));
  });

  it('refuses a transition from another status: returns false and changes nothing', async () => {
    const record = aConversation({ status: 'resolved' });
    await conversations.open(record);
    expect(await conversations.transition(record.id, ['bot', 'queued'], 'with_agent', at(90))).toBe(false);
    expect(await conversations.transition(record.id, [], 'bot', at(91))).toBe(false);
    expect(await conversations.get(record.id)).toEqual(record);
  });

  it('returns false for an unknown conversation and does not create it', async () => {
    expect(await conversations.transition('webchat:ghost', ['bot'], 'queued', at(1))).toBe(false);
    expect(await conversations.get('webchat:ghost')).toBeUndefined();
  });

  it('lets exactly one of two concurrent identical transitions happen', async () => {
    await conversations.open(aConversation({ status: 'queued' }));
    const results = await Promise.all([
      conversations.transition('webchat:conv-1', ['queued'], 'with_agent', at(10)),
      conversations.transition('webchat:conv-1', ['queued'], 'with_agent', at(11)),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("lists a customer's conversations, most recently active first, at most `limit`", async () => {
    const conversation = (n: number, customerId: string, updatedAt: Date) =>
      aConversation({ id: `webchat:c${n}`, conversationId: `c${n}`, customerId, updatedAt });
    await conversations.open(conversation(1, 'cust-1', at(10)));
    await conversations.open(conversation(2, 'cust-1', at(30)));
    await conversations.open(conversation(3, 'cust-2', at(40)));
    await conversations.open(conversation(4, 'cust-1', at(20)));
    await conversations.transition('webchat:c1', ['bot'], 'queued', at(50));

    const listed = await conversations.listByCustomer('cust-1', 10);
    expect(listed.map((record) => record.id)).toEqual(['webchat:c1', 'webchat:c2', 'webchat:c4']);
    expect(listed[0]).toEqual({ ...conversation(1, 'cust-1', at(50)), status: 'queued' });
    expect((await conversations.listByCustomer('cust-1', 2)).map((record) => record.id)).toEqual(['webchat:c1', 'webchat:c2']);
    expect(await conversations.listByCustomer('cust-1', 0)).toEqual([]);
    expect(await conversations.listByCustomer('cust-9', 10)).toEqual([]);
  });
}

describeOnEveryAdapter('Conversations', conversationsContract);
