/**
 * Insights and experiment outcomes come from aggregation pipelines that must give the same
 * numbers on every store: MongoDB (driver), the wire-protocol test server, and nedb (mingo). The
 * same stored history goes into each lane and the same report must come out.
 */
import pino from 'pino';
import { ContentLibrary } from '../../content/content-library';
import { InProcessEventBus } from '../../events/in-process-event-bus';
import { ExperimentService } from '../../experiments/experiment-service';
import { InsightsService } from '../../insights/insights-service';
import { insightsToCsv } from '../../insights/insights-csv';
import type { Analytics, AttuneStore, ExperimentRecord, PipelineStage, TurnRecord } from '../../storage/ports';
import { aConversation, anEscalation, at, aTurn } from '../support/fixtures';
import { describeOnEveryAdapter, type StoreFactory } from '../support/store-lanes';

const DAY = 86_400;
const logger = pino({ level: 'silent' });

function customerTurn(id: string, conversation: string, seconds: number, sentiment: number, frustration: number, intent = 'card_arrival'): TurnRecord {
  return aTurn({
    id,
    conversationId: conversation,
    at: at(seconds),
    understanding: { intent: { intent, confidence: 0.9, alternatives: [] }, entities: [], sentiment: { score: sentiment, cues: { anger: 0, anxiety: 0, urgency: 0, confusion: 0, gratitude: 0 } } },
    frustration: { score: frustration, reasons: [] },
  });
}

async function seed(store: AttuneStore): Promise<void> {
  for (const [id, seconds] of [['c1', 0], ['c2', 10], ['c3', 20], ['c4', 30], ['c5', DAY]] as const) {
    await store.conversations.open(aConversation({ id, conversationId: id, startedAt: at(seconds), updatedAt: at(seconds) }));
  }
  await store.escalations.create(anEscalation({ id: 'e1', conversationId: 'c1', trigger: 'human_request', pool: 'apprentice', status: 'resolved', createdAt: at(40), assignedAt: at(100), endedAt: at(400), csat: 5 }));
  // c2 asked twice: the first chat had ended (a conversation has one active escalation at most).
  await store.escalations.create(anEscalation({ id: 'e2', conversationId: 'c2', trigger: 'frustration', reasons: [{ name: 'anger_cues', weight: 0.4 }, { name: 'repeated_fallback', weight: 0.3 }], pool: 'expert', status: 'abandoned', createdAt: at(50), assignedAt: at(170) }));
  await store.escalations.create(anEscalation({ id: 'e3', conversationId: 'c2', trigger: 'frustration', reasons: [{ name: 'anger_cues', weight: 0.5 }], pool: 'expert', status: 'queued', createdAt: at(60) }));
  await store.escalations.create(anEscalation({ id: 'e4', conversationId: 'c5', trigger: 'high_risk', reasons: [], pool: 'expert', status: 'resolved', createdAt: at(DAY + 10), assignedAt: at(DAY + 40), endedAt: at(DAY + 100), csat: 2 }));
  await store.turns.append([
    customerTurn('t1', 'c1', 1, -0.5, 0.2),
    customerTurn('t2', 'c2', 11, -0.9, 0.8, 'complaint'),
    customerTurn('t3', 'c3', 21, 0.5, 0),
    aTurn({ id: 't3-bot', conversationId: 'c3', role: 'bot', text: 'Hi', at: at(22), template: 'greeting' }),
    customerTurn('t5', 'c5', DAY + 1, 0.1, 0.75),
  ]);
  const offer = (id: string, offerId: string, kind: 'shown' | 'accepted' | 'declined' | 'opted_out', conversationId: string, seconds: number) =>
    store.offerEvents.record({ id, offerId, kind, conversationId, customerId: 'cust-1', channelId: 'webchat', reasons: [], at: at(seconds) });
  await offer('o1', 'savings', 'shown', 'c3', 25);
  await offer('o2', 'savings', 'accepted', 'c3', 26);
  await offer('o3', 'savings', 'shown', 'c4', 35);
  await offer('o4', 'savings', 'opted_out', 'c4', 36);
  await offer('o5', 'card', 'shown', 'c1', 5);
  await offer('o6', 'card', 'declined', 'c1', 6);
  await store.experiments.create({
    id: 'exp-1', name: 'Warmer greeting', kind: 'template', target: 'greeting', controlVariantId: 'control',
    variants: [{ id: 'control', weight: 1 }, { id: 'warm', weight: 1, tone: 'warm' }],
    status: 'running', createdBy: 'casey', createdAt: at(0), updatedAt: at(0), startedAt: at(0),
  });
  for (const [conversationId, variantId] of [['c1', 'control'], ['c3', 'control'], ['c2', 'warm'], ['c4', 'warm']] as const) {
    await store.experiments.recordExposure({ experimentId: 'exp-1', variantId, conversationId, audienceKey: conversationId, at: at(1) });
  }
}

const count = (successes: number, trials: number) => expect.objectContaining({ successes, trials });

function insightsContract(newStore: StoreFactory): void {
  let store: AttuneStore;
  let insights: InsightsService;
  beforeEach(async () => {
    store = await newStore();
    const experiments = new ExperimentService({
      experiments: store.experiments,
      analytics: store.analytics,
      events: new InProcessEventBus(),
      content: ContentLibrary.fromText({ en: { 'general.lg': '# greeting.neutral\n- Hi' } }, 'en'),
      logger,
    });
    insights = new InsightsService(store.analytics, experiments, 0.7);
    await seed(store);
  });

  it('computes containment, escalation and mood per day', async () => {
    const report = await insights.compute(3, at(DAY + 3600));
    expect(report.days).toEqual([
      { day: '2025-01-14', conversations: 0, escalated: 0, escalationRate: 0, containmentRate: 0, customerMessages: 0, sentimentMean: undefined, frustrationMean: undefined, frustratedMessages: 0 },
      { day: '2025-01-15', conversations: 4, escalated: 2, escalationRate: 0.5, containmentRate: 0.5, customerMessages: 3, sentimentMean: -0.3, frustrationMean: 0.333, frustratedMessages: 1 },
      { day: '2025-01-16', conversations: 1, escalated: 1, escalationRate: 1, containmentRate: 0, customerMessages: 1, sentimentMean: 0.1, frustrationMean: 0.75, frustratedMessages: 1 },
    ]);
    expect(report.totals).toEqual({ conversations: 5, escalated: 3, containment: count(2, 5) });
  });

  it('computes escalation reasons, wait and handle times per pool, CSAT and offers', async () => {
    const report = await insights.compute(3, at(DAY + 3600));
    expect(report.escalationTriggers).toEqual([{ trigger: 'frustration', count: 2 }, { trigger: 'high_risk', count: 1 }, { trigger: 'human_request', count: 1 }]);
    expect(report.escalationReasons).toEqual([{ reason: 'anger_cues', count: 2 }, { reason: 'explicit_human_request', count: 1 }, { reason: 'repeated_fallback', count: 1 }]);
    expect(report.pools).toEqual([
      { pool: 'apprentice', taken: 1, waitSecondsMean: 60, waitSecondsP90: 60, handled: 1, handleSecondsMean: 300 },
      { pool: 'expert', taken: 2, waitSecondsMean: 75, waitSecondsP90: 120, handled: 1, handleSecondsMean: 60 },
    ]);
    expect(report.csat).toEqual({ distribution: [{ score: 2, count: 1 }, { score: 5, count: 1 }], ratings: 2, mean: 3.5, satisfied: count(1, 2) });
    expect(report.offers).toEqual([
      { offerId: 'card', shown: 1, accepted: 0, declined: 1, dismissed: 0, optedOut: 0, acceptance: count(0, 1) },
      { offerId: 'savings', shown: 2, accepted: 1, declined: 0, dismissed: 0, optedOut: 1, acceptance: count(1, 2) },
    ]);
  });

  it('reports experiment outcomes per variant with counts and intervals', async () => {
    const report = await insights.compute(3, at(DAY + 3600));
    expect(report.experiments).toHaveLength(1);
    const [control, warm] = report.experiments[0].variants;
    expect(control).toMatchObject({ variantId: 'control', control: true, conversations: 2, escalation: count(1, 2), containment: count(1, 2), csatSatisfied: count(1, 1), csatMean: 5, offerAcceptance: count(1, 2), negative: count(0, 2) });
    expect(warm).toMatchObject({ variantId: 'warm', control: false, conversations: 2, escalation: count(1, 2), csatSatisfied: count(0, 0), offerAcceptance: count(0, 1), negative: count(2, 2) });
    expect(warm.negative.low).toBeGreaterThan(0.3);
    expect(warm.negative.high).toBe(1);
    // Too few conversations for the guardrail to judge: nothing is stopped.
    expect(warm.stopped).toBeUndefined();
  });

  it('exports the same numbers as CSV', async () => {
    const csv = insightsToCsv(await insights.compute(3, at(DAY + 3600)));
    expect(csv.split('\r\n')[0]).toBe('section,key,metric,value,low,high');
    expect(csv).toContain('\r\nday,2025-01-15,escalationRate,0.5,,\r\n');
    expect(csv).toContain('\r\npool,expert,waitSecondsP90,120,,\r\n');
    expect(csv).toMatch(/\r\nexperiment,Warmer greeting \/ warm,negative,1,0\.3\d+,1\r\n/);
  });
}

describeOnEveryAdapter('Insights pipelines', insightsContract);

/**
 * A variant clearly worse than control: 30 conversations per arm (the guardrail's minimum), and
 * 15 of the variant's escalated for frustration against none of control's.
 */
async function seedHarmfulVariant(store: AttuneStore): Promise<ExperimentRecord> {
  const experiment: ExperimentRecord = {
    id: 'exp-harm', name: 'Blunt goodbye', kind: 'template', target: 'goodbye', controlVariantId: 'control',
    variants: [{ id: 'control', weight: 1 }, { id: 'blunt', weight: 1, text: '- Bye.' }],
    status: 'running', createdBy: 'casey', createdAt: at(0), updatedAt: at(0), startedAt: at(0),
  };
  await store.experiments.create(experiment);
  for (let i = 0; i < 30; i++) {
    for (const variantId of ['control', 'blunt']) {
      const conversationId = `${variantId}-${i}`;
      await store.experiments.recordExposure({ experimentId: experiment.id, variantId, conversationId, audienceKey: conversationId, at: at(i) });
      if (variantId === 'blunt' && i % 2 === 0) await store.escalations.create(anEscalation({ id: `esc-${conversationId}`, conversationId, trigger: 'frustration', status: 'resolved', createdAt: at(100 + i), csat: 1 + (i % 5) }));
    }
  }
  return experiment;
}

/** Records the `$in` sizes of every pipeline run, to check no query grows with the exposures. */
function recordingAnalytics(analytics: Analytics, inSizes: number[]): Analytics {
  const sizesIn = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(sizesIn);
    if (value === null || typeof value !== 'object' || value instanceof Date) return;
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$in' && Array.isArray(inner)) inSizes.push(inner.length);
      else sizesIn(inner);
    }
  };
  return {
    aggregate<T>(collection: Parameters<Analytics['aggregate']>[0], pipeline: readonly PipelineStage[]): Promise<T[]> {
      sizesIn(pipeline);
      return analytics.aggregate<T>(collection, pipeline);
    },
  };
}

function guardrailContract(newStore: StoreFactory): void {
  let store: AttuneStore;
  const serviceOn = (analytics: Analytics, exposurePageSize?: number) =>
    new ExperimentService({
      experiments: store.experiments,
      analytics,
      events: new InProcessEventBus(),
      content: ContentLibrary.fromText({ en: { 'general.lg': '# goodbye.neutral\n- Bye' } }, 'en'),
      logger,
      exposurePageSize,
    });
  beforeEach(async () => {
    store = await newStore();
  });

  it('reports what the guardrail would stop without stopping it; only applying the guardrail stops the variant', async () => {
    const experiment = await seedHarmfulVariant(store);
    const service = serviceOn(store.analytics);
    const results = await service.results(experiment.id);
    expect(results.guardrail.wouldStop).toEqual([expect.objectContaining({ variantId: 'blunt', reason: expect.stringMatching(/^guardrail: negative signals 50\.0% \(n=30\)/) })]);
    expect(results.variants.map((v) => [v.variantId, v.stopped])).toEqual([['control', undefined], ['blunt', undefined]]);
    // Reading twice changes nothing either: the stored experiment still runs both variants.
    await service.results(experiment.id);
    expect((await store.experiments.get(experiment.id))?.variants.map((v) => v.stoppedAt)).toEqual([undefined, undefined]);

    expect(await service.applyGuardrails()).toEqual([{ experimentId: experiment.id, verdicts: results.guardrail.wouldStop }]);
    const stopped = (await store.experiments.get(experiment.id))?.variants.find((v) => v.id === 'blunt');
    expect(stopped?.stoppedReason).toBe(results.guardrail.wouldStop[0].reason);
    expect(stopped?.stoppedAt).toBeInstanceOf(Date);
    // Stopped once: nothing left to stop, and the results say so.
    expect(await service.applyGuardrails()).toEqual([]);
    const after = await service.results(experiment.id);
    expect(after.guardrail.wouldStop).toEqual([]);
    expect(after.variants[1].stopped?.reason).toBe(stopped?.stoppedReason);
  });

  it('counts outcomes page by page: the same numbers, and no query bigger than a page', async () => {
    const experiment = await seedHarmfulVariant(store);
    const whole = await serviceOn(store.analytics).results(experiment.id);
    const inSizes: number[] = [];
    const paged = await serviceOn(recordingAnalytics(store.analytics, inSizes), 7).results(experiment.id);
    expect(paged.variants).toEqual(whole.variants);
    expect(paged.variants.map((v) => [v.variantId, v.conversations, v.negative.successes, v.escalation.successes, v.csatSatisfied.trials])).toEqual([
      ['control', 30, 0, 0, 0],
      ['blunt', 30, 15, 15, 15],
    ]);
    expect(inSizes.length).toBeGreaterThan(0);
    expect(Math.max(...inSizes)).toBeLessThanOrEqual(7);
  });
}

describeOnEveryAdapter('Experiment guardrail', guardrailContract);

