/**
 * The metrics module alone: queue depth read at scrape time and left out (not stale, not hanging)
 * when the queue does not answer; business metrics taken from what the store records.
 */
import { AttuneMetrics } from '../../observability/metrics';
import { observeStore } from '../../observability/observe-store';
import { createStore } from '../../storage/create-store';
import { aFullCustomerTurn, anEscalation, at } from '../support/fixtures';
import { sampleValue } from '../support/prometheus-text';

const scrape = async (metrics: AttuneMetrics) => (await metrics.exposition()).body;

describe('AttuneMetrics', () => {
  it('reads the queue depth at scrape time, and leaves it out when the queue does not answer in time', async () => {
    const metrics = new AttuneMetrics({ processMetrics: false, queueDepthTimeoutMs: 50 });
    let depth: number | 'hang' = 3;
    metrics.useQueueDepth({ depth: (pool) => (depth === 'hang' ? new Promise<number>(() => undefined) : Promise.resolve(pool === 'expert' ? depth : 0)) });
    expect(sampleValue(await scrape(metrics), 'attune_queue_depth', { pool: 'expert' })).toBe(3);
    depth = 'hang';
    const began = Date.now();
    const body = await scrape(metrics);
    expect(Date.now() - began).toBeLessThan(1000);
    expect(sampleValue(body, 'attune_queue_depth', { pool: 'expert' })).toBeUndefined();
  });

  it('maps unknown channels and malformed error codes onto bounded labels', async () => {
    const metrics = new AttuneMetrics({ processMetrics: false });
    metrics.turnEnded('some-new-channel', 'ok', 0.01);
    metrics.error('not a code; drop table');
    const body = await scrape(metrics);
    expect(sampleValue(body, 'attune_turns_total', { channel: 'other', outcome: 'ok' })).toBe(1);
    expect(sampleValue(body, 'attune_errors_total', { code: 'other' })).toBe(1);
  });
});

describe('observeStore', () => {
  it('counts escalations, queue wait at take, handle time at resolve, CSAT once, and intent confidence', async () => {
    const metrics = new AttuneMetrics({ processMetrics: false });
    const raw = await createStore({ kind: 'memory' });
    const store = observeStore(raw, metrics);
    await store.escalations.create(anEscalation({ createdAt: at(0), updatedAt: at(0) }));
    await store.escalations.transition('esc-1', ['queued'], 'assigned', { agentId: 'a1', assignedAt: at(90) }, at(90));
    await store.escalations.transition('esc-1', ['queued'], 'assigned', { agentId: 'a2', assignedAt: at(95) }, at(95)); // lost race: not counted
    await store.escalations.transition('esc-1', ['assigned'], 'resolved', { endedAt: at(390) }, at(390));
    expect(await store.escalations.recordCsat('esc-1', 5, at(400))).toBe(true);
    expect(await store.escalations.recordCsat('esc-1', 1, at(401))).toBe(false);
    await store.turns.append([aFullCustomerTurn(), aFullCustomerTurn({ id: 'turn-2', role: 'bot', text: 'reply' })]);

    const body = await scrape(metrics);
    expect(sampleValue(body, 'attune_escalations_total', { trigger: 'human_request', pool: 'apprentice' })).toBe(1);
    expect(sampleValue(body, 'attune_queue_wait_seconds_sum', { pool: 'apprentice' })).toBe(90);
    expect(sampleValue(body, 'attune_queue_wait_seconds_count', { pool: 'apprentice' })).toBe(1);
    expect(sampleValue(body, 'attune_handle_time_seconds_sum', { pool: 'apprentice' })).toBe(300);
    expect(sampleValue(body, 'attune_csat_rating_count')).toBe(1);
    expect(sampleValue(body, 'attune_csat_rating_sum')).toBe(5);
    expect(sampleValue(body, 'attune_nlu_intent_confidence_count')).toBe(1);
    // The view is the same store underneath.
    expect(await raw.escalations.get('esc-1')).toMatchObject({ status: 'resolved', csat: 5 });
    await store.close();
  });

  it('counts an escalation once when a second turn (on another instance) finds it already open', async () => {
    const metrics = new AttuneMetrics({ processMetrics: false });
    const store = observeStore(await createStore({ kind: 'memory' }), metrics);
    const [first, second] = await Promise.all([store.escalations.create(anEscalation({ id: 'esc-a' })), store.escalations.create(anEscalation({ id: 'esc-b' }))]);
    expect(second.id).toBe(first.id);
    expect(sampleValue(await scrape(metrics), 'attune_escalations_total', { trigger: 'human_request', pool: 'apprentice' })).toBe(1);
    await store.close();
  });
});
