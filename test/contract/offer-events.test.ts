import type { OfferEvent, OfferEvents } from '../../storage/ports';
import { at } from '../support/fixtures';
import { describeOnEveryAdapter, type StoreFactory } from '../support/store-lanes';

function anEvent(overrides: Partial<OfferEvent> = {}): OfferEvent {
  return {
    id: 'ev-1',
    offerId: 'travel_card',
    kind: 'shown',
    customerId: 'cust-1',
    conversationId: 'webchat:conv-1',
    channelId: 'webchat',
    reasons: ['asked_about_foreign_payments', 'product_not_held', 'marketing_consent'],
    at: at(0),
    ...overrides,
  };
}

function offerEventsContract(newStore: StoreFactory): void {
  let events: OfferEvents;
  beforeEach(async () => {
    events = (await newStore()).offerEvents;
  });

  it('records events and lists a customer\'s newest first, exactly as written', async () => {
    const shown = anEvent({ id: 'a', at: at(10) });
    const declined = anEvent({ id: 'b', kind: 'declined', reasons: [], at: at(20) });
    await events.record(shown);
    await events.record(declined);
    await events.record(anEvent({ id: 'other', customerId: 'cust-2', at: at(30) }));

    const listed = await events.listByCustomer('cust-1', 10);
    expect(listed).toEqual([declined, shown]);
    expect(listed[0].at).toBeInstanceOf(Date);
    expect((await events.listByCustomer('cust-1', 1)).map((e) => e.id)).toEqual(['b']);
    expect(await events.listByCustomer('cust-1', 0)).toEqual([]);
  });

  it('counts the offers shown to a customer since a moment, for the contact-frequency cap', async () => {
    await events.record(anEvent({ id: 'old', at: at(-100) }));
    await events.record(anEvent({ id: 'edge', at: at(0) }));
    await events.record(anEvent({ id: 'new', offerId: 'premium_account', at: at(50) }));
    await events.record(anEvent({ id: 'not-shown', kind: 'accepted', at: at(60) }));
    await events.record(anEvent({ id: 'someone-else', customerId: 'cust-2', at: at(60) }));
    expect(await events.countShown('cust-1', at(0))).toBe(2);
    expect(await events.countShown('cust-1', at(51))).toBe(0);
  });

  it('anonymises a customer on erasure: counts stay, nothing links them to the person', async () => {
    await events.record(anEvent({ id: 'a', at: new Date(Date.UTC(2025, 0, 15, 17, 45)) }));
    await events.record(anEvent({ id: 'b', kind: 'opted_out' }));
    await events.record(anEvent({ id: 'c', customerId: 'cust-2' }));

    expect(await events.anonymiseCustomer('cust-1')).toBe(2);
    expect(await events.listByCustomer('cust-1', 10)).toEqual([]);
    expect(await events.count('travel_card', 'shown')).toBe(2); // cust-1's (anonymised) and cust-2's
    expect(await events.count('travel_card', 'opted_out')).toBe(1);
    expect(await events.countShown('cust-2', at(-1))).toBe(1);
    expect(await events.anonymiseCustomer('cust-1')).toBe(0);
  });
}

describeOnEveryAdapter('OfferEvents', offerEventsContract);
