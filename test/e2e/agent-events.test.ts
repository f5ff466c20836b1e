/**
 * The desk's live updates over real HTTP: Server-Sent Events at /api/agent/events need a signed-in
 * agent, carry queue changes to everyone working the pool and transcript lines only to whoever may
 * open the chat, keep idle streams alive with heartbeats, and end when the session ends.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../config/app-config';
import type { DeskEvent } from '../../events/topics';
import { startAttune, type RunningAttune } from '../../index';
import { createAgentAccount } from '../../server/auth/agent-accounts';
import { ScriptedCustomer } from '../support/customer';
import { DeskStream } from '../support/desk-stream';
import { FakeConnector } from '../support/fake-connector';
import { jsonApi } from '../support/json-api';

const ROOT = path.resolve(__dirname, '..', '..');

describe('agent desk events (SSE)', () => {
  const connector = new FakeConnector();
  let dataDir: string;
  let attune: RunningAttune;
  const tokens: Record<string, string> = {};
  const streams: DeskStream[] = [];

  const call = jsonApi(() => attune.url);
  const api = (method: string, route: string, who?: string, body?: unknown) => call(method, route, who && tokens[who], body);
  const login = async (name: string) => ((await api('POST', '/api/agent/login', undefined, { name, password: passwords[name] })).json as { token: string }).token;
  const passwords: Record<string, string> = {};
  const openStream = async (who: string) => {
    const stream = await DeskStream.open(attune.url, tokens[who]);
    streams.push(stream);
    expect(stream.status).toBe(200);
    await stream.ready();
    return stream;
  };
  const about = (id: string) => (event: DeskEvent) => event.escalation.id === id;

  beforeAll(async () => {
    await connector.start();
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'attune-events-'));
    attune = await startAttune(loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, BUSINESS_HOURS: '00:00-24:00' }, ROOT), pino({ level: 'silent' }), { deskHeartbeatMs: 250 });
    for (const [name, pool] of [['ann', 'apprentice'], ['eve', 'expert']] as const) {
      passwords[name] = (await createAgentAccount(attune.store.agents, { name, pool, role: 'agent' })).password;
      tokens[name] = await login(name);
    }
  });

  afterEach(() => {
    for (const stream of streams.splice(0)) stream.close();
  });

  afterAll(async () => {
    await attune?.close();
    await connector.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('refuses a stream without a valid session (401 with a code, no stream)', async () => {
    const anonymous = await DeskStream.open(attune.url);
    expect(anonymous.status).toBe(401);
    const forged = await DeskStream.open(attune.url, 'A'.repeat(43));
    expect(forged.status).toBe(401);
    const response = await fetch(`${attune.url}/api/agent/events`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 'ATTUNE_UNAUTHORIZED' });
  });

  it('sends queue changes to the pools that see them, and transcript lines only to who may open the chat', async () => {
    const [ann, eve] = [await openStream('ann'), await openStream('eve')];

    // An expert-only chat: apprentices never hear of it, experts see it queue and hear the customer.
    const robbed = new ScriptedCustomer(attune.url, connector);
    await robbed.say('my card was stolen!', 3);
    const expertChat = await attune.store.escalations.activeForConversation(`webchat:${robbed.conversationId}`);
    expect(expertChat?.pool).toBe('expert');
    await eve.waitFor((e) => about(expertChat!.id)(e) && e.type === 'escalation_changed' && e.change === 'queued');
    await robbed.say('hello? anyone there?');
    const heard = await eve.waitFor((e) => about(expertChat!.id)(e) && e.type === 'transcript_added' && e.turn.role === 'customer');
    expect(heard).toMatchObject({ turn: { text: 'hello? anyone there?' } });

    // An apprentice chat: both pools see it queue; ann takes it; from then on only ann hears it.
    const asker = new ScriptedCustomer(attune.url, connector);
    await asker.say('I want to talk to a person', 3);
    const chat = await attune.store.escalations.activeForConversation(`webchat:${asker.conversationId}`);
    expect(chat?.pool).toBe('apprentice');
    await ann.waitFor((e) => about(chat!.id)(e) && e.type === 'escalation_changed' && e.change === 'queued');
    await eve.waitFor((e) => about(chat!.id)(e) && e.type === 'escalation_changed' && e.change === 'queued');
    expect((await api('POST', `/api/agent/escalations/${chat!.id}/take`, 'ann')).status).toBe(200);
    await eve.waitFor((e) => about(chat!.id)(e) && e.type === 'escalation_changed' && e.change === 'taken');

    await asker.post({ type: 'message', text: 'it is about a <b>double</b> payment' }, 0);
    const line = await ann.waitFor((e) => about(chat!.id)(e) && e.type === 'transcript_added' && e.turn.role === 'customer');
    expect(line).toMatchObject({ turn: { text: 'it is about a <b>double</b> payment' } });
    expect((await api('POST', `/api/agent/escalations/${chat!.id}/messages`, 'ann', { text: 'Let me look at both payments.' })).status).toBe(202);
    await ann.waitFor((e) => about(chat!.id)(e) && e.type === 'transcript_added' && e.turn.role === 'agent' && e.turn.text === 'Let me look at both payments.');
    expect((await api('POST', `/api/agent/escalations/${chat!.id}/resolve`, 'ann', { disposition: 'refund_raised' })).status).toBe(200);
    await eve.waitFor((e) => about(chat!.id)(e) && e.type === 'escalation_changed' && e.change === 'resolved');

    expect(ann.events.filter(about(expertChat!.id))).toEqual([]);
    expect(eve.events.filter((e) => about(chat!.id)(e) && e.type === 'transcript_added')).toEqual([]);
  });

  it('keeps an idle stream alive with heartbeats and ends it when the session ends', async () => {
    tokens.leaving = await login('ann');
    const stream = await openStream('leaving');
    expect(await stream.until(() => stream.heartbeats >= 2, 5000)).toBe(true);
    expect((await api('POST', '/api/agent/logout', 'leaving')).status).toBe(204);
    expect(await stream.until(() => stream.closedByServer, 5000)).toBe(true);
  });

  it('answers a desk stream with the stream headers and nothing cached', async () => {
    const response = await fetch(`${attune.url}/api/agent/events`, { headers: { authorization: `Bearer ${tokens.eve}` } });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('cache-control')).toContain('no-cache');
    await response.body?.cancel();
  });
});
