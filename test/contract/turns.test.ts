import type { Turns } from '../../storage/ports';
import { aFullCustomerTurn, aTurn, at } from '../support/fixtures';
import { describeOnEveryAdapter, type StoreFactory } from '../support/store-lanes';
import { expectAttuneError } from '../support/expect-attune-error';

function turnsContract(newStore: StoreFactory): void {
  let turns: Turns;
  beforeEach(async () => {
    turns = (await newStore()).turns;
  });

  const ids = async (conversationId: string, limit: number): Promise<string[]> =>
    (await turns.listByConversation(conversationId, limit)).map((turn) => turn.id);

  it('returns appended turns exactly as written, nested data and dates included', async () => {
    const customer = aFullCustomerTurn({ id: 't1', at: at(1) });
    const bot = aTurn({ id: 't2', role: 'bot', text: 'I am sorry about that.', template: 'card.declined', at: at(2) });
    await turns.append([customer, bot]);

    const listed = await turns.listByConversation(customer.conversationId, 10);
    expect(listed).toEqual([customer, bot]);
    expect(listed[0].at).toBeInstanceOf(Date);
  });

  it('lists oldest first, ordered by time rather than by when they were appended', async () => {
    await turns.append([aTurn({ id: 'late', at: at(30) })]);
    await turns.append([aTurn({ id: 'early', at: at(10) }), aTurn({ id: 'middle', at: at(20) })]);
    expect(await ids('webchat:conv-1', 10)).toEqual(['early', 'middle', 'late']);
  });

  it('keeps the order of appends for turns with the same timestamp', async () => {
    await turns.append([aTurn({ id: 'customer', at: at(5) }), aTurn({ id: 'bot-1', role: 'bot', at: at(5) })]);
    await turns.append([aTurn({ id: 'bot-2', role: 'bot', at: at(5) })]);
    await turns.append([aTurn({ id: 'agent', role: 'agent', at: at(5) })]);
    expect(await ids('webchat:conv-1', 10)).toEqual(['customer', 'bot-1', 'bot-2', 'agent']);
  });

  it('returns the most recent `limit` turns, oldest first', async () => {
    await turns.append(Array.from({ length: 7 }, (_, i) => aTurn({ id: `t${i}`, at: at(i) })));
    expect(await ids('webchat:conv-1', 3)).toEqual(['t4', 't5', 't6']);
    expect(await ids('webchat:conv-1', 100)).toEqual(['t0', 't1', 't2', 't3', 't4', 't5', 't6']);
  });

  it('returns nothing for a limit of 0 (never "no limit")', async () => {
    await turns.append([aTurn({ id: 't1' }), aTurn({ id: 't2', at: at(1) })]);
    expect(await turns.listByConversation('webchat:conv-1', 0)).toEqual([]);
  });

  it("lists only the conversation's own turns", async () => {
    await turns.append([
      aTurn({ id: 'mine', conversationId: 'webchat:a' }),
      aTurn({ id: 'theirs', conversationId: 'webchat:b' }),
    ]);
    expect(await ids('webchat:a', 10)).toEqual(['mine']);
    expect(await ids('webchat:unknown', 10)).toEqual([]);
  });

  it('rejects a turn whose id was already appended with ATTUNE_STORAGE_CONFLICT, keeping one copy', async () => {
    await turns.append([aTurn({ id: 't1', text: 'first' })]);
    await expectAttuneError(turns.append([aTurn({ id: 't1', text: 'again', at: at(9) })]), 'ATTUNE_STORAGE_CONFLICT');
    const listed = await turns.listByConversation('webchat:conv-1', 10);
    expect(listed.map((turn) => turn.text)).toEqual(['first']);
  });

  it('settles concurrent appends each on its own: a taken id fails only the append that brought it', async () => {
    await turns.append([aTurn({ id: 'taken', text: 'first', at: at(1) })]);
    const appends = [
      turns.append([aTurn({ id: 'a', at: at(2) })]),
      turns.append([aTurn({ id: 'taken', text: 'again', at: at(3) })]),
      turns.append([aTurn({ id: 'c', at: at(4) })]),
      turns.append([aTurn({ id: 'd', at: at(5) })]),
    ];
    await expect(appends[0]).resolves.toBeUndefined();
    await expectAttuneError(appends[1], 'ATTUNE_STORAGE_CONFLICT');
    await expect(Promise.all(appends.slice(2))).resolves.toEqual([undefined, undefined]);
    const listed = await turns.listByConversation('webchat:conv-1', 10);
    expect(listed.map((turn) => turn.id)).toEqual(['taken', 'a', 'c', 'd']);
    expect(listed[0].text).toBe('first');
  });

  it('accepts an empty append', async () => {
    await turns.append([]);
    expect(await turns.listByConversation('webchat:conv-1', 10)).toEqual([]);
  });
}

describeOnEveryAdapter('Turns', turnsContract);
