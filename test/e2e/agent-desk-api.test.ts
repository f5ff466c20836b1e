/**
 * A customer escalates over /api/messages; agents sign in, see the chat in their pool, one takes
 * it (the other gets 409), reads the transcript, and they talk both ways; the agent resolves and
 * the customer gets the rating prompt, whose answer is stored.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../config/app-config';
import { startAttune, type RunningAttune } from '../../index';
import { createAgentAccount } from '../../server/auth/agent-accounts';
import { ScriptedCustomer, templateOf } from '../support/customer';
import { FakeConnector } from '../support/fake-connector';
import { jsonApi } from '../support/json-api';

const ROOT = path.resolve(__dirname, '..', '..');

describe('agent API: take, talk, resolve', () => {
  const connector = new FakeConnector();
  let dataDir: string;
  let attune: RunningAttune;
  const tokens: Record<string, string> = {};

  const call = jsonApi(() => attune.url);
  const api = (method: string, route: string, who?: string, body?: unknown) => call(method, route, who && tokens[who], body);

  beforeAll(async () => {
    await connector.start();
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'attune-desk-'));
    attune = await startAttune(loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, BUSINESS_HOURS: '00:00-24:00' }, ROOT), pino({ level: 'silent' }));
    for (const [name, pool] of [['ann', 'apprentice'], ['bob', 'apprentice'], ['eve', 'expert']] as const) {
      const { password } = await createAgentAccount(attune.store.agents, { name, pool, role: 'agent' });
      tokens[name] = ((await api('POST', '/api/agent/login', undefined, { name, password })).json as { token: string }).token;
    }
  });

  afterAll(async () => {
    await attune?.close();
    await connector.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('refuses every desk route without a token', async () => {
    expect((await api('GET', '/api/agent/queue')).status).toBe(401);
    expect((await api('POST', '/api/agent/escalations/x/take')).status).toBe(401);
  });

  it('carries a chat from escalation to rating without the customer repeating anything', async () => {
    const customer = new ScriptedCustomer(attune.url, connector);
    await customer.say("my card hasn't arrived");
    await customer.say('I want to talk to a person', 3);
    await customer.say('it was ordered on the 3rd');

    const queue = (await api('GET', '/api/agent/queue', 'ann')).json as { chats: { id: string; pool: string; summary: string }[] };
    const chat = queue.chats.find((c) => c.summary.includes('card arrival'));
    expect(chat).toBeDefined();
    const id = chat!.id;

    const [first, second] = await Promise.all([api('POST', `/api/agent/escalations/${id}/take`, 'ann'), api('POST', `/api/agent/escalations/${id}/take`, 'bob')]);
    expect([first.status, second.status].sort()).toEqual([200, 409]);
    const winner = first.status === 200 ? 'ann' : 'bob';
    const loser = winner === 'ann' ? 'bob' : 'ann';
    const joined = await connector.waitFor(customer.conversationId, connector.activities(customer.conversationId).length);
    expect(joined.map(templateOf)).toContain('handoff.agentJoined');

    // A reloaded desk finds the chat among the winner's chats in progress, not the loser's.
    expect(((await api('GET', '/api/agent/chats', winner)).json as { chats: { id: string }[] }).chats.map((c) => c.id)).toEqual([id]);
    expect(((await api('GET', '/api/agent/chats', loser)).json as { chats: unknown[] }).chats).toEqual([]);
    // Taking it again (a retry after a lost answer, or a reloaded desk opening it) is a 200 and tells the customer nothing new.
    expect((await api('POST', `/api/agent/escalations/${id}/take`, winner)).status).toBe(200);
    expect((await api('POST', `/api/agent/escalations/${id}/take`, loser)).status).toBe(409);
    expect(connector.activities(customer.conversationId).map(templateOf).filter((template) => template === 'handoff.agentJoined')).toHaveLength(1);

    const opened = (await api('GET', `/api/agent/escalations/${id}`, winner)).json as { escalation: { handoff: { intents: { intent: string }[] } }; transcript: { role: string; text: string }[] };
    expect(opened.escalation.handoff.intents.map((i) => i.intent)).toContain('card_arrival');
    expect(opened.transcript.filter((t) => t.role === 'customer').map((t) => t.text)).toEqual(["my card hasn't arrived", 'I want to talk to a person', 'it was ordered on the 3rd']);

    const before = connector.activities(customer.conversationId).length;
    const message = { text: 'I can see it was posted on the 3rd; I will send a new one today.', clientMessageId: 'desk-message-0001' };
    const sent = await api('POST', `/api/agent/escalations/${id}/messages`, winner, message);
    expect(sent.status).toBe(202);
    const [delivered] = (await connector.waitFor(customer.conversationId, before + 1)).slice(before);
    expect(delivered?.text).toBe('I can see it was posted on the 3rd; I will send a new one today.');
    // The desk had no answer and sends the same message again: answered with the same turn, not sent twice.
    expect(await api('POST', `/api/agent/escalations/${id}/messages`, winner, message)).toMatchObject({ status: 202, json: sent.json as object });
    expect(connector.activities(customer.conversationId)).toHaveLength(before + 1);
    expect((await api('POST', `/api/agent/escalations/${id}/messages`, winner, { text: 'hi', clientMessageId: 'no' })).status).toBe(400);
    expect((await api('POST', `/api/agent/escalations/${id}/messages`, loser, { text: 'hi' })).status).toBe(404);

    const quiet = await customer.post({ type: 'message', text: 'thank you!' }, 0);
    expect(quiet).toEqual([]);
    const transcript = (await api('GET', `/api/agent/escalations/${id}`, winner)).json as { transcript: { text: string }[] };
    expect(transcript.transcript.map((t) => t.text)).toContain('thank you!');

    const beforeResolve = connector.activities(customer.conversationId).length;
    expect((await api('POST', `/api/agent/escalations/${id}/resolve`, winner, { disposition: 'replacement_ordered' })).status).toBe(200);
    const [prompt] = (await connector.waitFor(customer.conversationId, beforeResolve + 1)).slice(beforeResolve);
    expect(templateOf(prompt!)).toBe('handoff.resolved');
    expect(prompt!.suggestedActions?.actions.map((a) => a.title)).toEqual(['1', '2', '3', '4', '5']);

    expect(templateOf((await customer.say('5'))[0]!)).toBe('csat.thanks');
    expect(await attune.store.escalations.get(id)).toMatchObject({ status: 'resolved', disposition: 'replacement_ordered', csat: 5 });
    expect(templateOf((await customer.say('hello'))[0]!)).toBe('greeting');
  });

  it('keeps expert chats away from apprentices', async () => {
    const customer = new ScriptedCustomer(attune.url, connector);
    await customer.say('my card was stolen!', 3);
    const escalation = await attune.store.escalations.activeForConversation(`webchat:${customer.conversationId}`);
    expect(escalation?.pool).toBe('expert');
    const apprenticeQueue = (await api('GET', '/api/agent/queue', 'ann')).json as { chats: { id: string }[] };
    expect(apprenticeQueue.chats.map((c) => c.id)).not.toContain(escalation!.id);
    expect((await api('POST', `/api/agent/escalations/${escalation!.id}/take`, 'ann')).status).toBe(404);
    expect((await api('POST', `/api/agent/escalations/${escalation!.id}/take`, 'eve')).status).toBe(200);
  });

  it('keeps notes internal and transfers a chat to the expert pool', async () => {
    const customer = new ScriptedCustomer(attune.url, connector);
    await customer.say('let me talk to an agent', 3);
    const escalation = await attune.store.escalations.activeForConversation(`webchat:${customer.conversationId}`);
    expect((await api('POST', `/api/agent/escalations/${escalation!.id}/take`, 'ann')).status).toBe(200);
    // A card number the customer types to the agent is masked, and the agent's transcript says why they were warned.
    expect((await customer.say('it is 4539 1488 0343 6467', 1)).map(templateOf)).toEqual(['security.cardNumberMasked']);
    const sentBefore = connector.activities(customer.conversationId).length;
    expect((await api('POST', `/api/agent/escalations/${escalation!.id}/notes`, 'ann', { text: 'customer sounds worried about fraud' })).status).toBe(201);
    expect(connector.activities(customer.conversationId)).toHaveLength(sentBefore);
    const opened = (await api('GET', `/api/agent/escalations/${escalation!.id}`, 'ann')).json as { transcript: { role: string; text: string; masked?: unknown }[] };
    expect(opened.transcript).toContainEqual(expect.objectContaining({ role: 'note', text: 'ann: customer sounds worried about fraud' }));
    expect(opened.transcript).toContainEqual(expect.objectContaining({ role: 'customer', text: 'it is **** **** **** 6467', masked: { cardNumbers: 1, securityCodes: 0 } }));
    expect(opened.transcript.filter((line) => line.role === 'customer' && line.text !== 'it is **** **** **** 6467').map((line) => line.masked)).not.toContainEqual(expect.anything());

    expect((await api('POST', `/api/agent/escalations/${escalation!.id}/transfer`, 'ann', { pool: 'wizards' })).status).toBe(400);
    const moved = await api('POST', `/api/agent/escalations/${escalation!.id}/transfer`, 'ann', { pool: 'expert' });
    expect(moved).toMatchObject({ status: 200, json: { status: 'queued', pool: 'expert' } });
    const [told] = (await connector.waitFor(customer.conversationId, sentBefore + 1)).slice(sentBefore);
    expect(templateOf(told!)).toBe('handoff.transferred');
    // Passed on: the apprentice no longer reads the chat, which waits for an expert.
    expect((await api('GET', `/api/agent/escalations/${escalation!.id}`, 'ann')).status).toBe(404);
    const expertQueue = (await api('GET', '/api/agent/queue', 'eve')).json as { chats: { id: string }[] };
    expect(expertQueue.chats.map((c) => c.id)).toContain(escalation!.id);
    expect((await api('POST', `/api/agent/escalations/${escalation!.id}/take`, 'eve')).status).toBe(200);
  });

  it('documents every agent route in the OpenAPI file it serves', async () => {
    const spec = (await api('GET', '/api/agent/openapi.json')).json as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(spec.openapi).toMatch(/^3\./);
    const routes = attune.server.router.getRoutes() as unknown as Record<string, { method: string; path: string }>;
    const agentRoutes = Object.values(routes).filter((r) => r.path.startsWith('/api/agent/') && r.path !== '/api/agent/openapi.json');
    expect(agentRoutes.length).toBeGreaterThanOrEqual(10);
    for (const r of agentRoutes) {
      const documented = r.path.replace(/:(\w+)/g, '{$1}');
      expect(spec.paths[documented]?.[r.method.toLowerCase()]).toBeDefined();
    }
  });

  it('answers bad input with 400 and a message', async () => {
    const bad = await api('POST', '/api/agent/escalations/not%20an%20id/take', 'ann');
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ code: 'ATTUNE_REQUEST_INVALID' });
  });
});
