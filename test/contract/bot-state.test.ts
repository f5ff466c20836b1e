import { ConversationState, TestAdapter } from 'botbuilder';
import type { Storage, StoreItem } from 'botbuilder';
import { describeOnEveryAdapter, type StoreFactory } from '../support/store-lanes';
import { expectAttuneError } from '../support/expect-attune-error';

/** Dialog state as botbuilder writes it: nested, with keys that contain `.` and `$`. */
const dialogState = {
  dialogStack: [{ id: 'cardDialog', state: { 'options.retry': 2, $values: { amount: 40, when: null } } }],
  'turn.lastIntent': 'declined_card_payment',
};

function botStateContract(newStore: StoreFactory): void {
  let storage: Storage;
  beforeEach(async () => {
    storage = (await newStore()).botState;
  });

  async function eTagOf(key: string): Promise<string> {
    const eTag: unknown = (await storage.read([key]))[key]?.eTag;
    if (typeof eTag !== 'string') throw new Error(`no eTag stored for ${key}`);
    return eTag;
  }

  it('reads back what was written, with a string eTag, including keys with "." and "$"', async () => {
    await storage.write({ 'webchat/conversations/c1': { ...dialogState, eTag: '*' } });
    const items = await storage.read(['webchat/conversations/c1']);
    expect(items['webchat/conversations/c1']).toEqual({ ...dialogState, eTag: expect.any(String) });
    expect(items['webchat/conversations/c1'].eTag).not.toBe('*');
  });

  it('returns only the keys that exist', async () => {
    await storage.write({ present: { n: 1 } });
    const items = await storage.read(['missing-1', 'present', 'missing-2']);
    expect(Object.keys(items)).toEqual(['present']);
    expect(await storage.read(['missing-1'])).toEqual({});
    expect(await storage.read([])).toEqual({});
  });

  it('returns copies: changing what was read does not change what is stored', async () => {
    await storage.write({ k: { list: [1, 2] } });
    const first = await storage.read(['k']);
    (first.k.list as number[]).push(3);
    expect((await storage.read(['k'])).k.list).toEqual([1, 2]);
  });

  it('assigns a fresh eTag on every successful write', async () => {
    await storage.write({ k: { n: 1 } });
    const first = await eTagOf('k');
    await storage.write({ k: { n: 2, eTag: first } });
    const second = await eTagOf('k');
    await storage.write({ k: { n: 3, eTag: '*' } });
    const third = await eTagOf('k');
    expect(new Set([first, second, third]).size).toBe(3);
    expect((await storage.read(['k'])).k).toEqual({ n: 3, eTag: third });
  });

  it('rejects a write with a stale eTag with ATTUNE_STORAGE_CONFLICT and keeps the stored item', async () => {
    await storage.write({ k: { n: 1 } });
    const stale = await eTagOf('k');
    await storage.write({ k: { n: 2, eTag: stale } });
    const current = (await storage.read(['k'])).k;

    await expectAttuneError(storage.write({ k: { n: 99, eTag: stale } }), 'ATTUNE_STORAGE_CONFLICT');
    expect((await storage.read(['k'])).k).toEqual(current);
  });

  it('overwrites whatever is stored when the eTag is "*" or absent', async () => {
    await storage.write({ k: { n: 1 } });
    await storage.write({ k: { n: 2, eTag: '*' } });
    expect((await storage.read(['k'])).k.n).toBe(2);
    await storage.write({ k: { n: 3 } });
    expect((await storage.read(['k'])).k.n).toBe(3);
  });

  it('lets exactly one of two writers with the same eTag win', async () => {
    await storage.write({ k: { by: 'nobody' } });
    const eTag = await eTagOf('k');
    const results = await Promise.allSettled([
      storage.write({ k: { by: 'instance-a', eTag } }),
      storage.write({ k: { by: 'instance-b', eTag } }),
    ]);
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    const winner = results[0].status === 'fulfilled' ? 'instance-a' : 'instance-b';
    const loser = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    expect(loser?.reason).toMatchObject({ code: 'ATTUNE_STORAGE_CONFLICT' });
    expect((await storage.read(['k'])).k.by).toBe(winner);
  });

  it('inserts a new key once when two writers create it concurrently; the other gets the conflict', async () => {
    // Both writers hold an eTag from an item that has since been deleted: each would insert.
    await storage.write({ k: { by: 'before' } });
    const eTag = await eTagOf('k');
    await storage.delete(['k']);
    const results = await Promise.allSettled([
      storage.write({ k: { by: 'instance-a', eTag } }),
      storage.write({ k: { by: 'instance-b', eTag } }),
    ]);
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    const loser = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    expect(loser?.reason).toMatchObject({ code: 'ATTUNE_STORAGE_CONFLICT' });
    const winner = results[0].status === 'fulfilled' ? 'instance-a' : 'instance-b';
    expect((await storage.read(['k'])).k.by).toBe(winner);
  });

  it('accepts concurrent wildcard writes of a new key (last writer wins, no error)', async () => {
    const writes = ['a', 'b', 'c', 'd'].map((by) => storage.write({ fresh: { by, eTag: '*' } }));
    await expect(Promise.all(writes)).resolves.toBeDefined();
    expect(['a', 'b', 'c', 'd']).toContain((await storage.read(['fresh'])).fresh.by);
  });

  it('writes the keys of one call independently: a stale key does not stop the others', async () => {
    await storage.write({ stale: { n: 1 } });
    const old = await eTagOf('stale');
    await storage.write({ stale: { n: 2 } });

    await expectAttuneError(
      storage.write({ stale: { n: 3, eTag: old }, other: { n: 10 }, third: { n: 20, eTag: '*' } }),
      'ATTUNE_STORAGE_CONFLICT',
    );
    const items = await storage.read(['stale', 'other', 'third']);
    expect(items.stale.n).toBe(2);
    expect(items.other.n).toBe(10);
    expect(items.third.n).toBe(20);
  });

  it('deletes keys, ignores missing ones, and leaves other keys alone', async () => {
    await storage.write({ a: { n: 1 }, b: { n: 2 } });
    await storage.delete(['a', 'never-written']);
    expect(Object.keys(await storage.read(['a', 'b']))).toEqual(['b']);
  });

  it("carries botbuilder's ConversationState across turns", async () => {
    const conversationState = new ConversationState(storage);
    const count = conversationState.createProperty<StoreItem>('count');
    const adapter = new TestAdapter(async (context) => {
      const state = await count.get(context, { n: 0 });
      state.n += 1;
      await context.sendActivity(`turn ${state.n}`);
      await conversationState.saveChanges(context);
    });
    await adapter.send('hi').assertReply('turn 1').send('again').assertReply('turn 2').send('more').assertReply('turn 3');
  });
}

describeOnEveryAdapter('Storage (bot state)', botStateContract);
