/**
 * GET /metrics over HTTP on a running attune: the bearer token is required when METRICS_TOKEN is
 * set, and a customer's journey (turns, a refused activity, an escalation, an agent taking and
 * resolving the chat, a rating) shows up in the counters and histograms a dashboard reads.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../config/app-config';
import { startAttune, type RunningAttune } from '../../index';
import { ScriptedCustomer } from '../support/customer';
import { FakeConnector } from '../support/fake-connector';
import { keywordRecognizer } from '../support/keyword-recognizer';
import { sampleValue } from '../support/prometheus-text';
import { signInStaff } from '../support/staff-session';

const ROOT = path.resolve(__dirname, '..', '..');
const METRICS_TOKEN = 'scrape-token-0123456789abcdef';

describe('Prometheus metrics at /metrics', () => {
  const connector = new FakeConnector();
  let dataDir: string;
  let attune: RunningAttune;

  const scrape = async (token: string | null = METRICS_TOKEN) => {
    const response = await fetch(`${attune.url}/metrics`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
    return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
  };

  beforeAll(async () => {
    await connector.start();
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'attune-metrics-'));
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, BUSINESS_HOURS: '00:00-24:00', METRICS_TOKEN }, ROOT);
    attune = await startAttune(config, pino({ level: 'silent' }), { recognizer: keywordRecognizer() });
  });

  afterAll(async () => {
    await attune?.close();
    await connector.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('refuses a scrape without the token, or with a wrong one, with 401', async () => {
    expect((await scrape(null)).status).toBe(401);
    expect((await scrape('wrong-token-0123456789abcdef')).status).toBe(401);
    const ok = await scrape();
    expect(ok.status).toBe(200);
    expect(ok.type).toMatch(/^text\/plain/);
    expect(sampleValue(ok.text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('counts turns, refusals, escalations, queue depth, wait, handle time and CSAT', async () => {
    const customer = new ScriptedCustomer(attune.url, connector);
    await customer.say('hello');
    const bad = await fetch(`${attune.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'message', channelId: 'webchat' }) });
    expect(bad.status).toBe(400);
    await customer.say('I want to talk to a person', 2);

    const queued = await scrape();
    expect(sampleValue(queued.text, 'attune_turns_total', { channel: 'webchat', outcome: 'ok' })).toBe(2);
    expect(sampleValue(queued.text, 'attune_turns_total', { channel: 'webchat', outcome: 'rejected' })).toBe(1);
    expect(sampleValue(queued.text, 'attune_turn_duration_seconds_count', { channel: 'webchat' })).toBe(2);
    expect(sampleValue(queued.text, 'attune_errors_total', { code: 'ATTUNE_ACTIVITY_INVALID' })).toBe(1);
    expect(sampleValue(queued.text, 'attune_nlu_intent_confidence_count')).toBe(2);
    const escalation = await attune.store.escalations.activeForConversation(`webchat:${customer.conversationId}`);
    expect(escalation).toBeDefined();
    expect(sampleValue(queued.text, 'attune_escalations_total', { trigger: escalation!.trigger, pool: escalation!.pool })).toBe(1);
    expect(sampleValue(queued.text, 'attune_queue_depth', { pool: escalation!.pool })).toBe(1);

    const { token } = await signInStaff(attune.url, attune.store.agents, 'mia', 'agent');
    const desk = (route: string, body?: unknown) =>
      fetch(`${attune.url}/api/agent/escalations/${escalation!.id}/${route}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: body === undefined ? undefined : JSON.stringify(body) });
    expect((await desk('take')).status).toBe(200);
    expect((await desk('resolve', { disposition: 'answered' })).status).toBe(200);
    await customer.say('4');

    const after = await scrape();
    expect(sampleValue(after.text, 'attune_queue_depth', { pool: escalation!.pool })).toBe(0);
    expect(sampleValue(after.text, 'attune_queue_wait_seconds_count', { pool: escalation!.pool })).toBe(1);
    expect(sampleValue(after.text, 'attune_handle_time_seconds_count', { pool: escalation!.pool })).toBe(1);
    expect(sampleValue(after.text, 'attune_csat_rating_sum')).toBe(4);
    expect(sampleValue(after.text, 'attune_csat_rating_count')).toBe(1);
    expect(sampleValue(after.text, 'attune_http_request_duration_seconds_count', { method: 'POST', route: '/api/agent/escalations/:id/take', status: '2xx' })).toBe(1);
  });

  it('keeps labels bounded: an unknown channel is counted as "other"', async () => {
    const stranger = new ScriptedCustomer(attune.url, connector, { channelId: 'made-up-channel-1234' });
    await stranger.say('hello');
    const { text } = await scrape();
    expect(sampleValue(text, 'attune_turns_total', { channel: 'other', outcome: 'ok' })).toBe(1);
    expect(text).not.toContain('made-up-channel-1234');
  });
});
