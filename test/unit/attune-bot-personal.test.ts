/**
 * Personalization inside the bot's turn, with a known customer (DESIGN.md §5): what the bot asked
 * (a person, an offer, resume, a preference) and what the customer's next message really is.
 */
import { TestAdapter, type Activity } from 'botbuilder';
import type { AttuneBot } from '../../bots/attune-bot';
import type { ContentLibrary } from '../../content/content-library';
import { Recognizer } from '../../nlu/recognizer';
import { OUT_OF_SCOPE, type IntentClassifier } from '../../nlu/types';
import type { AttuneStore, CustomerProfile } from '../../storage/ports';
import { cueSentiment, keywordClassifier } from '../support/keyword-recognizer';
import { loadTestContent, startTestBot, type TestBot } from '../support/test-bot';

const templateOf = (activity: Partial<Activity>) => (activity.channelData as { attune?: { template: string } } | undefined)?.attune?.template;
const offerOf = (activity: Partial<Activity>) => (activity.channelData as { offer?: { id: string } } | undefined)?.offer?.id;

/** The keyword recognizer, plus what these conversations need where it knows nothing. */
const EXTRA: ReadonlyArray<readonly [RegExp, string]> = [
  [/charged twice/i, 'transaction_charged_twice'],
  [/^(no|nope)\b/i, 'deny'],
];
const classifier: IntentClassifier = {
  classify(text) {
    const known = keywordClassifier.classify(text);
    const extra = known.intent === OUT_OF_SCOPE ? EXTRA.find(([pattern]) => pattern.test(text))?.[1] : undefined;
    return extra ? { intent: extra, confidence: 0.95, alternatives: [{ intent: extra, confidence: 0.95 }] } : known;
  },
};

const USER = 'user1';

function profile(overrides: Partial<CustomerProfile> = {}): CustomerProfile {
  const now = new Date(Date.now() - 60_000);
  return {
    id: 'c1',
    identities: [{ channelId: 'test', userId: USER }],
    firstName: 'Ada',
    tier: 'standard',
    products: ['current_account', 'debit_card'],
    preferences: { contactChannel: 'chat', tone: 'formal' },
    consent: { marketing: true, updatedAt: now },
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

describe('AttuneBot with a known customer (TestAdapter)', () => {
  let content: ContentLibrary;
  let testBot: TestBot;
  let store: AttuneStore;
  let bot: AttuneBot;

  beforeAll(async () => {
    content = await loadTestContent();
  });

  beforeEach(async () => {
    testBot = await startTestBot(content, { recognizer: new Recognizer(classifier, cueSentiment, () => []) });
    ({ store, bot } = testBot);
  });

  afterEach(async () => {
    await testBot.close();
  });

  /** One conversation of the customer on the test channel. */
  function conversation(id: string): (text: string) => Promise<string[]> {
    const adapter = new TestAdapter((context) => bot.run(context), TestAdapter.createConversation(id, USER));
    return async (text) => {
      adapter.activeQueue.length = 0;
      await adapter.receiveActivity(text);
      return adapter.activeQueue.splice(0).map((a) => (a.type === 'message' ? `${templateOf(a)}${offerOf(a) ? `+offer:${offerOf(a)}` : ''}` : `${a.type}:${a.name}`));
    };
  }

  const unfinishedDispute = { dialogId: 'dispute', conversationId: 'test:earlier', channelId: 'test', steps: { kind: 'chargedTwice' }, updatedAt: new Date() };

  it('asks nothing else in the turn it offers a person, so a typed "yes" can only mean the person', async () => {
    await store.customers.save(profile({ unfinishedTask: unfinishedDispute }));
    const say = conversation('now');
    expect(await say('THIS IS USELESS!!')).toEqual(['offerPerson']);
    expect(await say('yes')).toEqual(expect.arrayContaining(['handoff.started']));
    expect((await store.escalations.list({ statuses: ['queued'], customerId: 'c1' }, 5)).map((e) => e.trigger)).toEqual(['human_request']);
  });

  it('takes "ok, and my card payment was declined" after an offer as a request, not a yes', async () => {
    await store.customers.save(profile());
    const say = conversation('now');
    expect(await say('what exchange rate do you use')).toEqual(['fees.exchange_rate', 'offer.travel_card+offer:travel_card']);
    expect(await say('ok, and my card payment was declined')).toEqual(['declinedPayment.askWhere']);
    expect((await store.offerEvents.listByCustomer('c1', 10)).map((event) => event.kind).sort()).toEqual(['dismissed', 'shown']);
  });

  it('takes a short answer that clearly asks for a task as the task, not as the answer', async () => {
    await store.customers.save(profile());
    const say = conversation('now');
    await say('what exchange rate do you use');
    expect(await say('ok, payment declined')).toEqual(['declinedPayment.askWhere']);
    expect((await store.offerEvents.listByCustomer('c1', 10)).map((event) => event.kind)).not.toContain('accepted');
  });

  it('starts the top-up task when the answer to the contact question is really a request', async () => {
    await store.customers.save(profile({ preferences: { tone: 'formal' } }));
    const say = conversation('now');
    expect(await say('thanks')).toEqual(['thanks', 'profiling.ask.contactChannel']);
    expect(await say('the app says my top up failed')).toEqual(['topUpFailed.askMethod']);
    expect((await store.customers.get('c1'))?.preferences).toEqual({ tone: 'formal' });
  });

  it('keeps the unfinished task when "no, …" to the resume question is a new request', async () => {
    await store.customers.save(profile({ unfinishedTask: unfinishedDispute }));
    const say = conversation('now');
    expect(await say('hello')).toEqual(['greeting', 'resume.offer']);
    expect(await say("no, my card hasn't arrived")).toEqual(['cardArrival.askWhenOrdered']);
    expect((await store.customers.get('c1'))?.unfinishedTask).toMatchObject({ dialogId: 'dispute', conversationId: 'test:earlier' });
  });

  it('makes no offer while the customer waits for a person in another conversation, and says why', async () => {
    await store.customers.save(profile());
    expect(await conversation('web')('I want to talk to a person')).toEqual(expect.arrayContaining(['handoff.started']));
    expect(await conversation('app')('what exchange rate do you use')).toEqual(['fees.exchange_rate']);
    expect((await store.offerEvents.listByCustomer('c1', 10)).map((event) => event.kind)).toEqual([]);
    const asked = (await store.turns.listByConversation('test:app', 10)).find((turn) => turn.role === 'customer');
    expect(asked?.decision?.reasons).toContainEqual({ name: 'offer_suppressed:escalation_active', weight: 1, detail: 'travel_card' });
    expect(asked?.decision?.reasons.map((reason) => reason.name)).not.toContain('offer:travel_card');
  });

  it('offers no resume of a task the customer cancelled', async () => {
    await store.customers.save(profile());
    const web = conversation('web');
    expect(await web('I was charged twice')).toEqual(['dispute.askMerchant']);
    expect((await store.customers.get('c1'))?.unfinishedTask?.dialogId).toBe('dispute');
    expect(await web('cancel')).toEqual(['cancelled']);
    expect((await store.customers.get('c1'))?.unfinishedTask).toBeUndefined();
    expect(await conversation('app')('hello')).toEqual(['greeting']);
  });

  it('leaves a task handed to a person with the agent, not for resume with the bot', async () => {
    await store.customers.save(profile());
    const web = conversation('web');
    expect(await web('I was charged twice')).toEqual(['dispute.askMerchant']);
    expect(await web('I want to talk to a person')).toEqual(expect.arrayContaining(['handoff.started']));
    expect((await store.customers.get('c1'))?.unfinishedTask).toBeUndefined();
    const [escalation] = await store.escalations.list({ statuses: ['queued'], customerId: 'c1' }, 1);
    expect(escalation?.handoff).toMatchObject({ dialogInProgress: 'dispute' });
  });

  it('records no offer on a turn whose reply asks the next step of a task, and says why', async () => {
    await store.customers.save(profile());
    expect(await conversation('web')('my top up failed')).toEqual(['topUpFailed.askMethod']);
    const asked = (await store.turns.listByConversation('test:web', 10)).find((turn) => turn.role === 'customer');
    const names = asked?.decision?.reasons.map((reason) => reason.name) ?? [];
    expect(names.filter((name) => name.startsWith('offer'))).toEqual(['offer_suppressed:question_pending']);
  });
});
