/**
 * Offer experiments: customers who may get an offer see, per sticky variant, the policy's offer
 * (control), another offer, or none; their acceptance is counted per variant in the results.
 * Driven through PersonalTouch with the real router, service and content on the memory store.
 */
import { ConversationState, TestAdapter, type Activity, type TurnContext } from 'botbuilder';
import { DialogSet } from 'botbuilder-dialogs';
import path from 'node:path';
import pino from 'pino';
import { ContentLibrary } from '../../content/content-library';
import { setTurnInsight } from '../../dialogs/turn-insight';
import { InProcessEventBus } from '../../events/in-process-event-bus';
import { assignVariant } from '../../experiments/assignment';
import { ExperimentRouter } from '../../experiments/experiment-router';
import { ExperimentService } from '../../experiments/experiment-service';
import { channelProfile } from '../../personalization/channel-profile';
import { freshPersonalMemory, type PersonalMemory } from '../../personalization/personal-memory';
import { PersonalTouch, type TurnOutcome } from '../../personalization/personal-touch';
import { FOLLOW_UP_SLOT, NO_OFFER, offerForVariant } from '../../personalization/offers/offer-experiment';
import type { OfferChannelData } from '../../personalization/offers/offer-card';
import { createStore } from '../../storage/create-store';
import type { AttuneStore, ExperimentRecord } from '../../storage/ports';
import { expectAttuneError } from '../support/expect-attune-error';
import { aProfile } from '../support/fixtures';

const logger = pino({ level: 'silent' });
const POLICY_OFFER = { offerId: 'travel_card', reasons: ['asked_about_foreign_payments', 'product_not_held', 'marketing_consent'] } as const;
const SERVED: TurnOutcome = {
  action: 'small_talk',
  smallTalk: 'thanks',
  offer: { kind: 'offer', score: 0.72, ...POLICY_OFFER },
  perception: { score: 0, reasons: [], consecutiveFailures: 0, humanRequested: false },
  tone: 'neutral',
};
const offerOf = (activity: Partial<Activity>) => (activity.channelData as { offer?: OfferChannelData } | undefined)?.offer;

describe('offer experiments in the follow-up slot', () => {
  let store: AttuneStore;
  let content: ContentLibrary;
  let service: ExperimentService;
  let router: ExperimentRouter;
  let personal: PersonalTouch;

  beforeAll(async () => {
    content = await ContentLibrary.load(path.join(__dirname, '..', '..', 'content'), 'en');
  });

  beforeEach(async () => {
    store = await createStore({ kind: 'memory' });
    const events = new InProcessEventBus();
    service = new ExperimentService({ experiments: store.experiments, analytics: store.analytics, events, content, logger });
    router = new ExperimentRouter(store.experiments, logger);
    personal = new PersonalTouch({ profiles: store.customers, offerEvents: store.offerEvents, escalations: store.escalations, content, offerExperiments: router });
  });

  afterEach(() => store.close());

  /** One conversation turn after a served request: what the bot sent, and the memory after it. */
  async function turn(customerId: string, conversationId: string, act: (touch: PersonalTouch, context: TurnContext, dialogs: Awaited<ReturnType<DialogSet['createContext']>>) => Promise<void>): Promise<Partial<Activity>[]> {
    const sent: Partial<Activity>[] = [];
    const dialogSet = new DialogSet(new ConversationState(store.botState).createProperty('dialogs'));
    const adapter = new TestAdapter(async (context) => {
      context.onSendActivities(async (_ctx, activities, next) => {
        sent.push(...activities);
        return next();
      });
      setTurnInsight(context, {
        tone: 'neutral',
        locale: 'en',
        channel: channelProfile('webchat'),
        understanding: { intent: { intent: 'thanks', confidence: 1, alternatives: [] }, entities: [], sentiment: { score: 0, cues: { anger: 0, anxiety: 0, urgency: 0, confusion: 0, gratitude: 0 } } },
        templateData: {},
        audience: { key: customerId, conversationId },
      });
      await act(personal, context, await dialogSet.createContext(context));
    });
    await adapter.send('thanks');
    return sent;
  }

  async function customer(id: string, products: string[] = ['current_account']) {
    await store.customers.save(aProfile({ id, identities: [{ channelId: 'webchat', userId: id }], products }));
    return { id, tier: 'plus' as const, products, useFirstName: false, marketingConsent: true };
  }

  /** The follow-up after a served turn; resolves the offer shown, if any. */
  async function followUp(customerId: string, conversationId: string, memory: PersonalMemory, products?: string[]): Promise<string | undefined> {
    const snapshot = await customer(customerId, products);
    const sent = await turn(customerId, conversationId, async (touch, context, dialogs) => {
      await touch.follow({ context, dialogs, memory, lookup: { resolved: true, customer: snapshot }, conversationKey: conversationId }, SERVED);
    });
    return sent.map(offerOf).find((offer) => offer !== undefined)?.id;
  }

  async function answerOffer(customerId: string, conversationId: string, memory: PersonalMemory, accepted: boolean): Promise<void> {
    const snapshot = await customer(customerId);
    await turn(customerId, conversationId, (touch, context, dialogs) =>
      touch.respond({ context, dialogs, memory, lookup: { resolved: true, customer: snapshot }, conversationKey: conversationId }, { kind: 'offer_answer', accepted }),
    );
  }

  async function startExperiment(): Promise<ExperimentRecord> {
    const experiment = await service.create(
      {
        name: 'Travel card vs savings vs nothing',
        kind: 'offer',
        target: FOLLOW_UP_SLOT,
        controlVariantId: 'control',
        variants: [
          { id: 'control', weight: 1 },
          { id: 'savings', weight: 1, offerId: 'savings_account' },
          { id: 'holdout', weight: 1, offerId: NO_OFFER },
        ],
      },
      'casey',
    );
    await service.start(experiment.id);
    await router.reload();
    return experiment;
  }

  it('shows each variant its offer (or none), sticks across conversations, and counts acceptance per variant', async () => {
    const experiment = await startExperiment();
    const expectedOffer: Record<string, string | undefined> = { control: 'travel_card', savings: 'savings_account', holdout: undefined };
    const tally = new Map<string, { shown: number; accepted: number }>(experiment.variants.map((v) => [v.id, { shown: 0, accepted: 0 }]));

    for (let i = 0; i < 24; i++) {
      const id = `customer-${i}`;
      const variant = assignVariant(experiment, id).id;
      const memory = freshPersonalMemory();
      const shown = await followUp(id, `conv-${i}`, memory);
      expect({ id, shown }).toEqual({ id, shown: expectedOffer[variant] });
      if (shown === undefined) {
        expect(memory.awaiting?.kind).not.toBe('offer');
        continue;
      }
      expect(memory.awaiting).toEqual({ kind: 'offer', offerId: shown });
      const accepted = i % 3 !== 0;
      await answerOffer(id, `conv-${i}`, memory, accepted);
      const counts = tally.get(variant)!;
      counts.shown += 1;
      counts.accepted += accepted ? 1 : 0;
      // Sticky: another conversation of the same customer gets the same variant's offer.
      expect(await followUp(id, `conv-${i}-later`, freshPersonalMemory())).toBe(expectedOffer[variant]);
    }

    // Exposures are stored in the background: both conversations of all 24 customers.
    for (let tries = 0; (await store.experiments.exposures(experiment.id)).length < 48 && tries < 100; tries++) await new Promise((resolve) => setTimeout(resolve, 10));
    const results = await service.results(experiment.id);
    for (const outcome of results.variants) {
      const counts = tally.get(outcome.variantId)!;
      // Both conversations of a customer are exposed; the later one was shown but not answered.
      const shownInBoth = outcome.variantId === 'holdout' ? 0 : counts.shown * 2;
      expect({ variant: outcome.variantId, successes: outcome.offerAcceptance.successes, trials: outcome.offerAcceptance.trials }).toEqual({
        variant: outcome.variantId,
        successes: counts.accepted,
        trials: shownInBoth,
      });
      expect(outcome.conversations).toBeGreaterThan(0);
    }
    expect(tally.get('control')!.shown).toBeGreaterThan(0);
    expect(tally.get('savings')!.shown).toBeGreaterThan(0);
  });

  it('shows the policy offer to everyone when no experiment runs on the slot', async () => {
    for (let i = 0; i < 6; i++) expect(await followUp(`customer-${i}`, `conv-${i}`, freshPersonalMemory())).toBe('travel_card');
    expect(await store.experiments.list()).toEqual([]);
  });

  it('never offers a product the customer holds: the savings variant falls back to the policy offer', async () => {
    const experiment = await startExperiment();
    const id = Array.from({ length: 200 }, (_, i) => `holder-${i}`).find((key) => assignVariant(experiment, key).id === 'savings')!;
    expect(await followUp(id, 'conv-holder', freshPersonalMemory(), ['current_account', 'savings_account'])).toBe('travel_card');
  });

  it('explains a swapped offer only with reasons true of it', () => {
    expect(offerForVariant(POLICY_OFFER, { experimentId: 'e', variantId: 'savings', offerId: 'savings_account' }, { products: [], shownThisSession: [] })).toEqual({
      offerId: 'savings_account',
      reasons: ['product_not_held', 'marketing_consent'],
    });
    expect(offerForVariant(POLICY_OFFER, { experimentId: 'e', variantId: 'control' }, { products: [], shownThisSession: [] })).toBe(POLICY_OFFER);
  });

  it('refuses an offer experiment on an unknown slot or with an unknown offer', async () => {
    const base = { name: 'x', kind: 'offer' as const, controlVariantId: 'control' };
    await expectAttuneError(service.create({ ...base, target: 'sidebar', variants: [{ id: 'control', weight: 1 }, { id: 'b', weight: 1, offerId: 'travel_card' }] }, 'casey'), 'ATTUNE_REQUEST_INVALID');
    await expectAttuneError(service.create({ ...base, target: FOLLOW_UP_SLOT, variants: [{ id: 'control', weight: 1 }, { id: 'b', weight: 1, offerId: 'free_lunch' }] }, 'casey'), 'ATTUNE_REQUEST_INVALID');
  });
});
