import { extractEntities, isValidIban } from '../../nlu/entities';
import type { CustomerClock, Entity, EntityKind } from '../../nlu/types';

// Monday 23 November 2026, midday local time: every relative date below is computed from it.
const NOW = new Date(2026, 10, 23, 12, 0, 0);

function of(kind: EntityKind, text: string): Entity[] {
  return extractEntities(text, NOW).filter((entity) => entity.kind === kind);
}

function values(kind: EntityKind, text: string): Entity['value'][] {
  return of(kind, text).map((entity) => entity.value);
}

function datesAt(text: string, now: Date | CustomerClock): Entity['value'][] {
  return extractEntities(text, now).filter((entity) => entity.kind === 'date').map((entity) => entity.value);
}

describe('money', () => {
  it.each([
    ['I paid £50 at Tesco', 50, 'GBP'],
    ['I was charged 50 GBP twice', 50, 'GBP'],
    ['a payment of $1,200.50 went out', 1200.5, 'USD'],
    ['I sent 20 euros to my brother', 20, 'EUR'],
    ['there is a €3.5k charge I do not recognise', 3500, 'EUR'],
    ['the fee was 50p', 0.5, 'GBP'],
    ['I want to borrow 3 grand', 3000, 'GBP'],
    ['USD 20 came out of my account', 20, 'USD'],
    ['they took 30 quid', 30, 'GBP'],
    ['My mortgage is £250,000', 250000, 'GBP'],
    ['I was refunded £12.99', 12.99, 'GBP'],
  ])('%s → %d %s', (text, amount, currency) => {
    expect(values('money', text)).toEqual([{ amount, currency }]);
  });

  it('finds every amount in a message, in order', () => {
    expect(values('money', 'I expected £20 back but only got £7.50')).toEqual([
      { amount: 20, currency: 'GBP' },
      { amount: 7.5, currency: 'GBP' },
    ]);
  });

  it.each([
    ['€1.000,50 was taken', 1000.5, 'EUR'],
    ['I paid €1.250,00 for flights', 1250, 'EUR'],
    ['a €2,50 fee', 2.5, 'EUR'],
    ['EUR 1.000,00 left my account', 1000, 'EUR'],
    ['1.250,00 euros went out', 1250, 'EUR'],
    ['they want €1.000.000 from me', 1000000, 'EUR'],
  ])('reads a European amount: %s → %d %s', (text, amount, currency) => {
    expect(values('money', text)).toEqual([{ amount, currency }]);
  });

  it.each([
    ['I spent £5 M&S vouchers', 5],
    ['I spent £5 m&s', 5],
    ['I spent £5 m and s', 5],
    ['paid £5M&S', 5],
  ])('a multiplier is never M&S: %s → £%d', (text, amount) => {
    expect(values('money', text)).toEqual([{ amount, currency: 'GBP' }]);
  });

  it.each([
    ['a £1.5m mortgage', 1500000],
    ['£1,000.50 charged', 1000.5],
    ['I want to borrow 1k pounds', 1000],
    ['my salary is £30K', 30000],
    ['a £5M fraud ring', 5000000],
    ['£2bn fine', 2000000000],
    ['£3 million', 3000000],
  ])('still reads a large amount: %s → £%d', (text, amount) => {
    expect(values('money', text)).toEqual([{ amount, currency: 'GBP' }]);
  });

  it.each(['$1.999 charged', 'a fee of £0.999', '£1,0000 went out', '€1.000 gone'])(
    'no amount rather than a shortened one in "%s"',
    (text) => {
      expect(of('money', text)).toEqual([]);
    },
  );

  it.each([
    'I have 2 cards',
    'I called 3 times this week',
    'my PIN is 1234',
    'it took 45 minutes on hold',
    'the branch opens at 9',
    'I have been a customer for 15 years',
    'meet me at 2 p.m.',
    'flat 4, 12 High Street',
  ])('no money in "%s"', (text) => {
    expect(of('money', text)).toEqual([]);
  });
});

describe('dates', () => {
  it.each([
    ['I paid yesterday', '2026-11-22'],
    ['the payment went out last Friday', '2026-11-20'],
    ['I made a transfer on 3 March', '2026-03-03'],
    ['it happened 2 weeks ago', '2026-11-09'],
    ['the transaction on 03/04/2025', '2025-04-03'],
    ['I need it before 5pm today', '2026-11-23'],
    ['The transaction was at Amazon on the 3rd of March', '2026-03-03'],
    ['my card has not worked since Tuesday', '2026-11-17'],
    ['I will be in the branch on Friday', '2026-11-27'],
    ["I'll pay it tomorrow", '2026-11-24'],
  ])('%s → %s', (text, iso) => {
    expect(values('date', text)).toEqual([iso]);
  });

  it('gives a month when only the month is known', () => {
    expect(values('date', 'I opened the account in March')).toEqual(['2026-03']);
  });

  it('uses now when none is given', () => {
    const today = new Date();
    const iso = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
    expect(extractEntities('I paid today').find((e) => e.kind === 'date')?.value).toBe(iso);
  });

  it.each(['I need my money back right now', 'I may have lost it', 'call me at 5pm', 'I have 2 cards'])(
    'no date in "%s"',
    (text) => {
      expect(of('date', text)).toEqual([]);
    },
  );
});

describe('dates: the tense of the clause the date is in, not of the whole message', () => {
  // Friday 14 March 2025, midday.
  const friday14March = new Date(2025, 2, 14, 12, 0);

  it.each([
    ['I was charged twice on 3 March, when will I get my money back?', '2025-03-03'],
    ['I paid on Monday, when will it arrive?', '2025-03-10'],
    ['My direct debit was due on 1 March, will it be retried?', '2025-03-01'],
    ["the payment on 2 Feb was a scam, I'm going to report it", '2025-02-02'],
    ["I'm going to report the payment on 2 Feb", '2025-02-02'],
    ['I was going to pay on Monday but the app crashed', '2025-03-10'],
    ['Will you refund me? They took it on Monday', '2025-03-10'],
  ])('a past date: %s → %s', (text, iso) => {
    expect(datesAt(text, friday14March)).toEqual([iso]);
  });

  it.each([
    ['I will be in the branch on Monday', '2025-03-17'],
    ['I’ll pay it on Monday', '2025-03-17'],
    ['it will be declined on Monday', '2025-03-17'],
    ['I was told it will arrive on Monday', '2025-03-17'],
    ['please schedule it for 3 March', '2026-03-03'],
    ['my direct debit is due on 1 March', '2026-03-01'],
    ['the app crashed, can I pay the rest next Friday?', '2025-03-21'],
  ])('a date ahead: %s → %s', (text, iso) => {
    expect(datesAt(text, friday14March)).toEqual([iso]);
  });
});

describe('dates said early in the morning', () => {
  // 07:00 on Friday 14 March 2025. chrono puts a date said without a time at noon, still ahead of
  // now; the day is today all the same, and the answer must not depend on the hour.
  const sevenAm = new Date(2025, 2, 14, 7, 0);
  const onePm = new Date(2025, 2, 14, 13, 0);

  it.each([
    ['I paid £30 on 14 March', '2025-03-14'],
    ['I paid £30 on 14/03', '2025-03-14'],
    ['a payment on 14 March was declined', '2025-03-14'],
    ['my card was declined on Friday', '2025-03-14'],
    ['my new card will come in March', '2025-03'],
  ])('%s → %s at 7 am and at 1 pm', (text, iso) => {
    for (const now of [sevenAm, onePm]) {
      expect(datesAt(text, now)).toEqual([iso]);
    }
  });
});

describe("dates in the customer's calendar, not the server's", () => {
  // Instants in UTC; what the customer means depends on their clock, whatever the server's zone.
  const at = (iso: string) => new Date(iso);

  it.each([
    // 07:00 UTC on Saturday 15 March is 23:00 on Friday 14 March in UTC−8.
    ['I paid yesterday', '2025-03-15T07:00:00Z', -480, '2025-03-13'],
    ['I need it before 5pm today', '2025-03-15T07:00:00Z', -480, '2025-03-14'],
    ["I'll pay it tomorrow", '2025-03-15T07:00:00Z', -480, '2025-03-15'],
    // 23:30 UTC on Friday 14 March is 05:00 on Saturday 15 March in UTC+05:30.
    ['I paid yesterday', '2025-03-14T23:30:00Z', 330, '2025-03-14'],
    ['the payment went out last Friday', '2025-03-14T23:30:00Z', 330, '2025-03-14'],
  ])('"%s" at %s, UTC offset %d min → %s', (text, instant, utcOffsetMinutes, iso) => {
    expect(datesAt(text, { at: at(instant), utcOffsetMinutes })).toEqual([iso]);
  });

  it.each([
    // America/Los_Angeles: PST (UTC−8) in January, PDT (UTC−7) in July; clocks went forward on 9 March 2025.
    ['I paid yesterday', '2025-01-15T07:30:00Z', '2025-01-13'], // 23:30 PST on 14 January
    ['I paid yesterday', '2025-07-04T07:30:00Z', '2025-07-03'], // 00:30 PDT on 4 July (23:30 on the 3rd in PST)
    ['3 days ago', '2025-03-11T07:30:00Z', '2025-03-08'], // 00:30 PDT on 11 March, back across the change
  ])('"%s" at %s in America/Los_Angeles → %s', (text, instant, iso) => {
    expect(datesAt(text, { at: at(instant), timeZone: 'America/Los_Angeles' })).toEqual([iso]);
  });

  it("takes the channel's offset over its zone name (both say where the customer's clock is)", () => {
    expect(datesAt('I paid yesterday', { at: at('2025-03-15T07:00:00Z'), utcOffsetMinutes: -480, timeZone: 'Asia/Tokyo' })).toEqual(['2025-03-13']);
  });

  it("keeps the server's calendar when the customer's offset and zone are unknown or not real", () => {
    const instant = new Date(2025, 2, 14, 23, 30);
    const serverDay = datesAt('I paid yesterday', instant);
    expect(serverDay).toEqual(['2025-03-13']);
    for (const clock of [{ at: instant }, { at: instant, timeZone: 'Mars/Olympus_Mons' }, { at: instant, timeZone: '' }, { at: instant, utcOffsetMinutes: 15 * 60 }, { at: instant, utcOffsetMinutes: 1.5 }]) {
      expect(datesAt('I paid yesterday', clock)).toEqual(serverDay);
    }
  });

  it('builds one formatter per zone, not one per message', () => {
    const constructed = jest.spyOn(Intl, 'DateTimeFormat');
    try {
      for (let i = 0; i < 50; i++) datesAt('I paid yesterday', { at: at('2025-03-15T07:00:00Z'), timeZone: 'Pacific/Auckland' });
      expect(constructed.mock.calls.length).toBeLessThanOrEqual(1);
    } finally {
      constructed.mockRestore();
    }
  });
});

describe('card last 4', () => {
  it.each([
    ['my card ending 1234 was declined', '1234'],
    ['the one ending in 4321', '4321'],
    ['card number ends with 5555', '5555'],
    ['the card **** 9876 was used abroad', '9876'],
    ['xxxx-xxxx-xxxx-2468 is my debit card', '2468'],
    ['the last 4 digits are 8765', '8765'],
    ['last four digits: 1357', '1357'],
  ])('%s → %s', (text, last4) => {
    expect(values('card_last4', text)).toEqual([last4]);
  });

  it('never reads a card number as money or a date', () => {
    const entities = extractEntities('card ending 2024 was charged £15 on 3 March', NOW);
    expect(entities).toEqual([
      { kind: 'card_last4', text: 'card ending 2024', value: '2024' },
      { kind: 'money', text: '£15', value: { amount: 15, currency: 'GBP' } },
      { kind: 'date', text: 'on 3 March', value: '2026-03-03' },
    ]);
  });

  it.each([
    ["I've lost my card, it ends in 1234", '1234'],
    ['I lost my card. It ends in 1234', '1234'],
    ['the card I lost ends in 1234', '1234'],
    ['my Visa ending 1234', '1234'],
    ['my card ...1234 was charged', '1234'],
    ['card ending 1234 £50 taken', '1234'],
  ])('with a card in view: %s → %s', (text, last4) => {
    expect(values('card_last4', text)).toEqual([last4]);
  });

  it.each([
    'my loan ends in 2027, can I repay early?',
    'My card is fine. My fixed rate ends in 2027.',
    'Wait what?...1500 pounds gone',
    'I checked my card...1500 pounds gone!',
  ])('no card in "%s"', (text) => {
    expect(of('card_last4', text)).toEqual([]);
  });

  it.each([
    ['Wait what?...1500 pounds gone', 1500],
    ['please move from my savings account 150000 pounds to current', 150000],
    ['I checked my card...1500 pounds gone!', 1500],
    ['send from acc 250000 quid', 250000],
  ])('a number followed by a currency is money, not a card or an account: %s', (text, amount) => {
    expect(extractEntities(text, NOW)).toEqual([expect.objectContaining({ kind: 'money', value: { amount, currency: 'GBP' } })]);
  });

  it('is not fooled by a PIN or a year', () => {
    expect(of('card_last4', 'my PIN is 1234')).toEqual([]);
    expect(of('card_last4', 'I opened it in 2019')).toEqual([]);
  });
});

describe('account references', () => {
  it.each([
    ['my account 12345678 is frozen', '12345678'],
    ['account number: 87654321', '87654321'],
    ['acc no. 11223344', '11223344'],
    ['sort code 12-34-56', '12-34-56'],
    ['sort code 123456', '12-34-56'],
    ["It's the account ending 5678", '5678'],
    ['my IBAN is GB82 WEST 1234 5698 7654 32', 'GB82WEST12345698765432'],
    ['send it to DE89370400440532013000', 'DE89370400440532013000'],
  ])('%s → %s', (text, value) => {
    expect(values('account_reference', text)).toEqual([value]);
  });

  it('an account ending is not a card', () => {
    expect(of('card_last4', "It's the account ending 5678")).toEqual([]);
  });

  it('rejects an IBAN with a wrong checksum', () => {
    expect(isValidIban('GB82 WEST 1234 5698 7654 32')).toBe(true);
    expect(isValidIban('GB83 WEST 1234 5698 7654 32')).toBe(false);
    expect(of('account_reference', 'my IBAN is GB83 WEST 1234 5698 7654 32')).toEqual([]);
  });

  it('account digits are not money', () => {
    expect(extractEntities('transfer £100 to account 12345678', NOW).map((e) => e.kind)).toEqual(['money', 'account_reference']);
  });
});

describe('merchants', () => {
  it.each([
    ['I paid £50 at Tesco', 'Tesco'],
    ['a refund from Amazon', 'Amazon'],
    ['a payment to Uber I did not make', 'Uber'],
    ['netflix charged me twice', 'Netflix'],
    ['bought something at Next for 30 quid', 'Next'],
    ['purchase at TESCO EXPRESS', 'Tesco'],
    ['there is a charge from Northside Garage', 'Northside Garage'],
    ['Refund from Bloom & Wild of £25', 'Bloom & Wild'],
    ['I was charged by Acme Ltd twice', 'Acme Ltd'],
    ["I paid at Joe's Cafe on Monday", "Joe's Cafe"],
  ])('%s → %s', (text, name) => {
    expect(values('merchant', text)).toEqual([name]);
  });

  it.each([
    'payment to Sarah for the rent',
    'I paid with Apple Pay',
    'I will do it next week',
    'paid at the weekend',
    'I got money from my Mum',
    'can I pay from my Savings account',
    'I spent three hours on hold',
  ])('no merchant in "%s"', (text) => {
    expect(of('merchant', text)).toEqual([]);
  });
});

describe('whole messages', () => {
  it('reads a typical dispute', () => {
    expect(extractEntities('I was charged £49.99 twice by Amazon yesterday on my card ending 4321', NOW)).toEqual([
      { kind: 'money', text: '£49.99', value: { amount: 49.99, currency: 'GBP' } },
      { kind: 'merchant', text: 'Amazon', value: 'Amazon' },
      { kind: 'date', text: 'yesterday', value: '2026-11-22' },
      { kind: 'card_last4', text: 'card ending 4321', value: '4321' },
    ]);
  });

  it('finds nothing in small talk', () => {
    expect(extractEntities('hi, I have a question about my account', NOW)).toEqual([]);
    expect(extractEntities('', NOW)).toEqual([]);
  });
});
