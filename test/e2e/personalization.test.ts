/**
 * Personalization through the real server, scripted customers over HTTP (DESIGN.md §5): two
 * customers asking the same question get a different tone and a different offer; an angry
 * customer gets none; "why am I seeing this?" and "stop offers" work and the opt-out holds on
 * another channel, even in a conversation already open there; a dispute started on web chat
 * resumes on Telegram once the identity is linked, offered as soon as the customer joins.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../config/app-config';
import { startAttune, type RunningAttune } from '../../index';
import { linkIdentity } from '../../personalization/profile-editor';
import type { CustomerProfile } from '../../storage/ports';
import { ScriptedCustomer, templateOf } from '../support/customer';
import { FakeConnector, type RecordedActivity } from '../support/fake-connector';

const ROOT = path.resolve(__dirname, '..', '..');
const FX_QUESTION = 'What exchange rate do you use for payments in euros?';

const toneOf = (activity: RecordedActivity | undefined) => (activity?.channelData as { attune?: { tone?: string } } | undefined)?.attune?.tone;
const offerOf = (activity: RecordedActivity | undefined) => (activity?.channelData as { offer?: { id: string; reasons: string[] } } | undefined)?.offer;
const offersIn = (replies: readonly RecordedActivity[]) => replies.map(offerOf).filter((offer) => offer !== undefined);

function profile(id: string, overrides: Partial<CustomerProfile>): CustomerProfile {
  const now = new Date();
  return {
    id,
    identities: [{ channelId: 'webchat', userId: `web-${id}` }],
    firstName: id,
    tier: 'standard',
    products: ['current_account', 'debit_card'],
    preferences: { contactChannel: 'chat' },
    consent: { marketing: true, updatedAt: now },
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

describe('personalization over HTTP', () => {
  const connector = new FakeConnector();
  let dataDir: string;
  let attune: RunningAttune;

  beforeAll(async () => {
    await connector.start();
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'attune-personal-'));
    attune = await startAttune(loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir }, ROOT), pino({ level: 'silent' }));
    await Promise.all(
      [
        profile('ada', { preferences: { tone: 'formal', contactChannel: 'email' } }),
        profile('ben', { tier: 'plus', products: ['current_account', 'debit_card', 'travel_card'], preferences: { tone: 'friendly', contactChannel: 'chat' } }),
        profile('cal', { preferences: { tone: 'friendly', contactChannel: 'chat' } }),
        profile('dee', { preferences: { tone: 'concise', contactChannel: 'sms' } }),
        profile('eve', { preferences: {} }),
        profile('fin', { preferences: { tone: 'concise', contactChannel: 'chat' } }),
      ].map((p) => attune.store.customers.save(p)),
    );
  });

  afterAll(async () => {
    await attune?.close();
    await connector.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  const on = (customerId: string, channelId = 'webchat', userId = `web-${customerId}`) => new ScriptedCustomer(attune.url, connector, { channelId, userId });

  it('gives two customers with different profiles a different tone and offer for the same question', async () => {
    const adaChat = on('ada');
    const ada = await adaChat.say(FX_QUESTION, 2);
    const ben = await on('ben').say(FX_QUESTION, 2);

    expect(templateOf(ada[0]!)).toBe('fees.exchange_rate');
    expect(templateOf(ben[0]!)).toBe('fees.exchange_rate');
    expect(toneOf(ada[0])).toBe('neutral'); // prefers formal
    expect(toneOf(ben[0])).toBe('warm'); // prefers friendly
    expect(offersIn(ada).map((o) => o.id)).toEqual(['travel_card']);
    expect(offersIn(ben).map((o) => o.id)).toEqual(['premium_account']); // already holds the travel card
    expect(offerOf(ada[1])?.reasons).toEqual(['asked_about_foreign_payments', 'product_not_held', 'marketing_consent']);

    const card = ada[1]!.attachments?.[0];
    expect(card?.contentType).toBe('application/vnd.microsoft.card.hero');
    const buttons = (card?.content as { buttons?: { title: string }[] }).buttons?.map((b) => b.title);
    expect(buttons).toEqual(['Tell me more', 'Not now', 'Why am I seeing this?']);

    // Moving on without answering dismisses the offer.
    expect(templateOf((await adaChat.say('My top-up failed, why?'))[0]!)).toBe('topUpFailed.askMethod');
    const adaEvents = await attune.store.offerEvents.listByCustomer('ada', 10);
    expect(adaEvents.map((e) => [e.offerId, e.kind])).toEqual([['travel_card', 'dismissed'], ['travel_card', 'shown']]);
    expect(adaEvents[1]).toMatchObject({ channelId: 'webchat', conversationId: `webchat:${adaChat.conversationId}`, reasons: offerOf(ada[1])?.reasons });
  });

  it('never shows an angry customer an offer, and records why', async () => {
    const cal = on('cal');
    const replies = [
      ...(await cal.say('WHAT exchange rate do you use for payments in euros??? this is ridiculous!!!')),
      ...(await cal.say('and what do you charge for exchange, this is a rip off!!')),
    ];
    expect(toneOf(replies[0])).toBe('empathetic');
    expect(offersIn(replies)).toEqual([]);
    expect(await attune.store.offerEvents.listByCustomer('cal', 10)).toEqual([]);
    const turns = await attune.store.turns.listByConversation(`webchat:${cal.conversationId}`, 10);
    const reasons = turns.filter((t) => t.role === 'customer').flatMap((t) => t.decision?.reasons.map((r) => r.name) ?? []);
    expect(reasons.some((name) => name.startsWith('offer_suppressed:'))).toBe(true);
    expect(reasons.some((name) => name.startsWith('offer:'))).toBe(false);
  });

  it('explains an offer with its real reasons, and "stop offers" holds at once on every channel', async () => {
    const web = on('ada');
    expect(offersIn(await web.say(FX_QUESTION, 2))).toHaveLength(1);

    const [why] = await web.say('Why am I seeing this?');
    expect(templateOf(why!)).toBe('offers.why');
    expect(why!.text).toContain('you asked about paying in other currencies');
    expect(why!.text).toContain("you told us you're happy to hear about offers");

    const [stopped] = await web.say('stop offers');
    expect(templateOf(stopped!)).toBe('offers.stopped');
    expect((await attune.store.customers.get('ada'))?.consent.marketing).toBe(false);
    expect((await attune.store.offerEvents.listByCustomer('ada', 10)).map((e) => e.kind)).toContain('opted_out');

    await linkIdentity(attune.store.customers, 'ada', { channelId: 'telegram', userId: 'tg-ada' });
    const telegram = await on('ada', 'telegram', 'tg-ada').say(FX_QUESTION);
    expect(templateOf(telegram[0]!)).toBe('fees.exchange_rate');
    expect(offersIn(telegram)).toEqual([]);
  });

  it('honours "stop offers" at once in a conversation already open on another channel', async () => {
    await attune.store.customers.save(profile('hal', { identities: [{ channelId: 'webchat', userId: 'web-hal' }, { channelId: 'telegram', userId: 'tg-hal' }] }));
    // Telegram first: its conversation looks the customer up (consent given) and keeps that in its state.
    const telegram = on('hal', 'telegram', 'tg-hal');
    expect((await telegram.say('hello')).map(templateOf)).toEqual(['greeting']);

    expect((await on('hal').say('stop offers')).map(templateOf)).toEqual(['offers.stopped']);

    const replies = await telegram.say(FX_QUESTION);
    expect(templateOf(replies[0]!)).toBe('fees.exchange_rate');
    expect(offersIn(replies)).toEqual([]);
    expect((await attune.store.offerEvents.listByCustomer('hal', 10)).map((e) => [e.kind, e.channelId])).toEqual([['opted_out', 'webchat']]);
    // The open conversation still believed in the consent it read on joining and chose the offer;
    // the consent check right before showing held it back, and the turn record says so.
    const turns = await attune.store.turns.listByConversation(`telegram:${telegram.conversationId}`, 10);
    const reasons = turns.filter((t) => t.role === 'customer').at(-1)?.decision?.reasons ?? [];
    expect(reasons.map((r) => r.name)).toContain('offer_suppressed:no_marketing_consent');
    expect(JSON.stringify(reasons.find((r) => r.name === 'offer_suppressed:no_marketing_consent'))).toContain('travel_card');
  });

  it('records "not now" as declined and does not show the same offer twice in a session', async () => {
    const ben = on('ben');
    expect(offersIn(await ben.say(FX_QUESTION, 2))).toHaveLength(1);
    expect(templateOf((await ben.say('Not now'))[0]!)).toBe('offers.declined');
    expect(offersIn(await ben.say(FX_QUESTION))).toEqual([]);
    const turns = await attune.store.turns.listByConversation(`webchat:${ben.conversationId}`, 20);
    const lastAsked = turns.filter((t) => t.role === 'customer').at(-1);
    expect(lastAsked?.decision?.reasons.map((r) => r.name)).toContain('offer_suppressed:already_shown_this_session');
    const kinds = (await attune.store.offerEvents.listByCustomer('ben', 20)).map((e) => e.kind);
    expect(kinds).toContain('declined');
  });

  it('asks one preference question at a calm moment and remembers the answer', async () => {
    const eve = on('eve');
    const replies = await eve.say('thanks, that is all', 2);
    expect(replies.map(templateOf)).toEqual(['thanks', 'profiling.ask.contactChannel']);
    expect(templateOf((await eve.say('Email'))[0]!)).toBe('profiling.thanks');
    expect((await attune.store.customers.get('eve'))?.preferences.contactChannel).toBe('email');
    expect((await eve.say('thanks again')).map(templateOf)).toEqual(['thanks']); // one question per session
  });

  it('resumes a dispute started on web chat on Telegram after linking, keeping the steps done', async () => {
    const web = on('dee');
    expect(templateOf((await web.say("There's a card payment I don't recognise"))[0]!)).toBe('dispute.askMerchant');
    expect(templateOf((await web.say('Tesco'))[0]!)).toBe('dispute.askAmount');
    expect((await attune.store.customers.get('dee'))?.unfinishedTask?.steps).toEqual({ kind: 'notRecognised', merchant: 'Tesco' });

    await linkIdentity(attune.store.customers, 'dee', { channelId: 'telegram', userId: 'tg-dee' });
    const telegram = on('dee', 'telegram', 'tg-dee');
    expect((await telegram.say('hello', 2)).map(templateOf)).toEqual(['greeting', 'resume.offer']);
    expect(templateOf((await telegram.say('Yes, continue'))[0]!)).toBe('dispute.askAmount');
    expect(templateOf((await telegram.say('£40'))[0]!)).toBe('dispute.askWhen');
    const [confirm] = await telegram.say('Today');
    expect(templateOf(confirm!)).toBe('dispute.confirm');
    expect(confirm!.text).toContain('Tesco');
    expect(confirm!.text).toContain('£40');
    expect(templateOf((await telegram.say('yes'))[0]!)).toBe('dispute.raised');
    expect((await attune.store.customers.get('dee'))?.unfinishedTask).toBeUndefined();
  });

  it('offers the unfinished task as soon as a customer the channel identifies joins, before they write', async () => {
    await attune.store.customers.save(profile('gus', { preferences: { contactChannel: 'chat' } }));
    const web = on('gus');
    expect(templateOf((await web.say("There's a card payment I don't recognise"))[0]!)).toBe('dispute.askMerchant');
    expect(templateOf((await web.say('Tesco'))[0]!)).toBe('dispute.askAmount');

    await linkIdentity(attune.store.customers, 'gus', { channelId: 'telegram', userId: 'tg-gus' });
    const telegram = on('gus', 'telegram', 'tg-gus');
    const joined = await telegram.post({ type: 'conversationUpdate', membersAdded: [{ id: 'tg-gus', name: 'Customer' }] }, 2);
    expect(joined.map(templateOf)).toEqual(['welcome', 'resume.offer']);
    // Answered at once: the task goes on where it stopped, and is not offered a second time.
    expect((await telegram.say('Yes, continue')).map(templateOf)).toEqual(['dispute.askAmount']);

    // A visitor the channel does not identify is only welcomed.
    const stranger = on('nobody', 'telegram', 'tg-stranger');
    expect((await stranger.post({ type: 'conversationUpdate', membersAdded: [{ id: 'tg-stranger', name: 'Customer' }] })).map(templateOf)).toEqual(['welcome']);
  });

  it('offers the unfinished task in the next conversation on the same channel, and "start fresh" drops it', async () => {
    const first = on('fin');
    await first.say('I was charged twice at Tesco for £40');
    // Erasure (personalization/customer-data.ts) deletes conversation state under this key.
    expect(Object.keys(await attune.store.botState.read([`webchat/conversations/${first.conversationId}/`]))).toHaveLength(1);
    expect((await attune.store.customers.get('fin'))?.unfinishedTask?.steps).toEqual({ kind: 'chargedTwice', merchant: 'Tesco', amount: 40 });

    const again = on('fin'); // same web chat user, a new conversation
    expect((await again.say('hello', 2)).map(templateOf)).toEqual(['greeting', 'resume.offer']);
    expect(templateOf((await again.say('No, start fresh'))[0]!)).toBe('resume.startFresh');
    expect((await attune.store.customers.get('fin'))?.unfinishedTask).toBeUndefined();
    expect((await on('fin').say('hello')).map(templateOf)).toEqual(['greeting']);
  });
});
