import type { Activity } from 'botbuilder';
import { parseBusinessHours } from '../../escalation/business-hours';
import { CustomerContextReader, type CustomerLookup } from '../../personalization/customer-context';
import { createStore } from '../../storage/create-store';
import type { AttuneStore } from '../../storage/ports';
import { aConversation, aProfile } from '../support/fixtures';

/** Mon–Fri 09:00–17:00 in London; 2025-01-15 is a Wednesday. */
const weekdays = parseBusinessHours('09:00-17:00', 'Mon-Fri', 'Europe/London');
const wednesdayAt = (hour: number) => new Date(Date.UTC(2025, 0, 15, hour, 0, 0));

describe('CustomerContextReader', () => {
  let store: AttuneStore;
  let clock: Date;
  let reader: CustomerContextReader;

  beforeEach(async () => {
    store = await createStore({ kind: 'memory' });
    clock = wednesdayAt(10);
    reader = new CustomerContextReader({ profiles: store.customers, conversations: store.conversations, businessHours: weekdays, defaultLocale: 'en-GB', now: () => clock });
    await store.customers.save(aProfile({ id: 'cust-1', identities: [{ channelId: 'webchat', userId: 'web-user-1' }] }));
  });
  afterEach(async () => {
    await store.close();
  });

  const message = (overrides: Partial<Activity> = {}): Partial<Activity> => ({
    type: 'message',
    channelId: 'webchat',
    conversation: { id: 'conv-now', isGroup: false, name: '', conversationType: 'personal' },
    from: { id: 'web-user-1', name: 'Customer' },
    ...overrides,
  });
  const fresh = (): CustomerLookup => ({ resolved: false });

  it('knows a customer who talked to us before, on any channel, as returning', async () => {
    await store.conversations.open(aConversation({ id: 'telegram:conv-old', channelId: 'telegram', conversationId: 'conv-old', customerId: 'cust-1' }));
    const context = await reader.read(message(), fresh());
    expect(context.customer).toMatchObject({ id: 'cust-1', returning: true });
  });

  it('knows a customer whose first conversation this is as new, even once this one is stored', async () => {
    await store.conversations.open(aConversation({ id: 'webchat:conv-someone', conversationId: 'conv-someone', customerId: 'cust-2' }));
    expect((await reader.read(message(), fresh())).customer?.returning).toBe(false);

    await store.conversations.open(aConversation({ id: 'webchat:conv-now', conversationId: 'conv-now', customerId: 'cust-1' }));
    expect((await reader.read(message(), fresh())).customer?.returning).toBe(false);
  });

  it('reads storage once per conversation: later turns reuse the lookup kept in conversation state', async () => {
    await store.conversations.open(aConversation({ id: 'webchat:conv-old', conversationId: 'conv-old', customerId: 'cust-1' }));
    const findByIdentity = jest.spyOn(store.customers, 'findByIdentity');
    const listByCustomer = jest.spyOn(store.conversations, 'listByCustomer');
    const lookup = fresh();

    const first = await reader.read(message(), lookup);
    // A conversation that starts now (another channel) does not change what this one knows.
    await store.conversations.open(aConversation({ id: 'telegram:conv-other', channelId: 'telegram', conversationId: 'conv-other', customerId: 'cust-1' }));
    const later = [await reader.read(message({ text: 'and another thing' }), lookup), await reader.read(message({ text: 'thanks' }), lookup)];

    expect(findByIdentity).toHaveBeenCalledTimes(1);
    expect(listByCustomer).toHaveBeenCalledTimes(1);
    for (const context of later) expect(context.customer).toStrictEqual(first.customer);
    expect(first.customer?.returning).toBe(true);
  });

  it('asks nothing more about an anonymous visitor', async () => {
    const listByCustomer = jest.spyOn(store.conversations, 'listByCustomer');
    const context = await reader.read(message({ from: { id: 'stranger', name: 'Visitor' } }), fresh());
    expect(context.customer).toBeUndefined();
    expect(listByCustomer).not.toHaveBeenCalled();
  });

  it("tells, every turn, whether people are at work (the team's hours), next to the customer's own hour", async () => {
    const lookup = fresh();
    // 23:00 for a customer in Sydney is 12:00 in London: the team is there.
    const sydneyNight = { localTimestamp: '2025-01-15T23:00:00+11:00' as unknown as Date, localTimezone: 'Australia/Sydney' };
    clock = wednesdayAt(12);
    expect(await reader.read(message(sydneyNight), lookup)).toMatchObject({ localHour: 23, timezone: 'Australia/Sydney', teamOpen: true });

    clock = wednesdayAt(18); // the same conversation, after closing
    expect((await reader.read(message(), lookup)).teamOpen).toBe(false);
    clock = new Date(Date.UTC(2025, 0, 18, 12)); // Saturday noon
    expect((await reader.read(message(), lookup)).teamOpen).toBe(false);
  });

  it("reads the customer's hour from the activity as /api/messages leaves it: a Date, and the string the channel sent", async () => {
    const sent = '2025-01-15T23:00:00+11:00';
    clock = wednesdayAt(12);
    const asAdapterLeavesIt = { localTimestamp: new Date(sent), rawLocalTimestamp: sent } as Partial<Activity>;
    expect((await reader.read(message(asAdapterLeavesIt), fresh())).localHour).toBe(23);
    // A Date alone has lost the customer's offset: no hour rather than ours.
    expect((await reader.read(message({ localTimestamp: new Date(sent) }), fresh())).localHour).toBeUndefined();
  });

  it("reads the customer's UTC offset from the timestamp the channel sent, for dates in their calendar", async () => {
    const offsetOf = async (sent: unknown) => (await reader.read(message({ localTimestamp: sent as Date }), fresh())).utcOffsetMinutes;
    expect(await offsetOf('2025-01-15T23:00:00+11:00')).toBe(660);
    expect(await offsetOf('2025-03-14T23:00:00.123-08:00')).toBe(-480);
    expect(await offsetOf('2025-03-14T23:00:00+0530')).toBe(330);
    expect(await offsetOf('2025-03-14T23:00:00Z')).toBe(0);
    // No offset, or one no clock on Earth has: unknown, so the server's calendar applies.
    for (const sent of ['2025-03-14T23:00:00', '2026-12-04T23:59:59+15:00', '2025-03-14T23:00:00+01:75', 'not-a-date', '', new Date('2025-03-14T23:00:00Z')]) {
      expect(await offsetOf(sent)).toBeUndefined();
    }
  });
});
