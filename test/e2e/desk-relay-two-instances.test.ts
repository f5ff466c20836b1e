/**
 * Scale-out: two real bot processes (`node dist/index.js`) share one MongoDB-compatible store
 * (jongodb) and one Redis. The customer talks to instance A; the agent's desk is connected to
 * instance B. The customer's words reach the agent live, and the agent's reply sent through B
 * reaches the customer. A web chat customer on the built-in Direct Line endpoint of A gets the
 * agent's words sent through B, reported delivered; once A has stopped (its conversations gone
 * with it), B tells the agent the message was not delivered instead of dropping it.
 */
import type { Activity } from 'botbuilder';
import { startAttuneProcess, type AttuneProcess } from '../support/attune-process';
import { createAgentAccount } from '../../server/auth/agent-accounts';
import { createStore } from '../../storage/create-store';
import { ScriptedCustomer, templateOf } from '../support/customer';
import { DeskStream } from '../support/desk-stream';
import { FakeConnector } from '../support/fake-connector';
import { startJongodb, type JongodbServer } from '../support/jongodb';
import { TEST_REDIS_URL, deleteKeys, randomQueuePrefix, requireRedis } from '../support/redis';

const STARTUP_MS = 120_000;

/** A customer in web chat on one instance's built-in Direct Line endpoint, over its REST routes. */
async function webChatCustomer(baseUrl: string) {
  const call = (route: string, method: string, token: string, body?: unknown) =>
    fetch(`${baseUrl}/v3/directline${route}`, { method, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: body === undefined ? undefined : JSON.stringify(body) });
  const generated = await fetch(`${baseUrl}/v3/directline/tokens/generate`, { method: 'POST' });
  const { token, conversationId } = (await generated.json()) as { token: string; conversationId: string };
  expect((await call('/conversations', 'POST', token)).status).toBe(201);
  const inConversation = `/conversations/${encodeURIComponent(conversationId)}/activities`;
  return {
    conversationId,
    /** Resolves once the bot's turn is over (the endpoint answers after it). */
    say: async (text: string) => expect((await call(inConversation, 'POST', token, { type: 'message', text })).status).toBe(200),
    botMessages: async () => {
      const { activities } = (await (await call(inConversation, 'GET', token)).json()) as { activities: Partial<Activity>[] };
      return activities.filter((activity) => activity.type === 'message' && activity.from?.role === 'bot');
    },
  };
}

describe('desk relay across two bot instances (Redis + shared MongoDB)', () => {
  const connector = new FakeConnector();
  const prefix = randomQueuePrefix();
  let mongo: JongodbServer;
  let a: AttuneProcess | undefined;
  let b: AttuneProcess | undefined;
  let password: string;
  let token: string;
  let desk: DeskStream;
  const call = (method: string, route: string, body?: unknown) =>
    fetch(`${b!.url}${route}`, { method, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: body === undefined ? undefined : JSON.stringify(body) });

  beforeAll(async () => {
    await requireRedis();
    await connector.start();
    mongo = await startJongodb();
    const store = await createStore({ kind: 'mongodb', uri: mongo.uri });
    try {
      ({ password } = await createAgentAccount(store.agents, { name: 'bea', pool: 'apprentice', role: 'agent' }));
    } finally {
      await store.close();
    }
    const env = {
      MONGODB_URI: mongo.uri,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      BUSINESS_HOURS: '00:00-24:00',
      BUSINESS_DAYS: 'Mon-Sun',
      DIRECT_LINE_TOKEN_SECRET: 'desk-relay-two-instances-token-secret-0123456789',
    };
    // Each process loads the NLU models; on a busy 2-core machine two starts can take a while.
    const started = await Promise.allSettled([startAttuneProcess(env, STARTUP_MS), startAttuneProcess(env, STARTUP_MS)]);
    [a, b] = started.map((result) => (result.status === 'fulfilled' ? result.value : undefined));
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason; // afterAll stops the one that did start
    const login = await fetch(`${b!.url}/api/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'bea', password }) });
    ({ token } = (await login.json()) as { token: string });
  }, STARTUP_MS + 30_000);

  beforeEach(async () => {
    desk = await DeskStream.open(b!.url, token);
    expect(desk.status).toBe(200);
    await desk.ready();
  });

  afterEach(() => desk?.close());

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await mongo?.stop();
    await connector.stop();
    await deleteKeys(prefix);
  });

  it("relays the customer's words from A to the agent on B live, and the agent's reply back", async () => {
    const customer = new ScriptedCustomer(a!.url, connector);
    await customer.say('I want to talk to a person', 3);
    const queued = await desk.waitFor((e) => e.type === 'escalation_changed' && e.change === 'queued');
    const id = queued.escalation.id;

    expect((await call('POST', `/api/agent/escalations/${id}/take`)).status).toBe(200);
    const afterTake = await connector.waitFor(customer.conversationId, 4);
    expect(afterTake.map(templateOf)).toContain('handoff.agentJoined');

    // The customer writes to A; the desk on B hears it without asking.
    await customer.post({ type: 'message', text: 'a payment was taken twice from my account' }, 0);
    const heard = await desk.waitFor((e) => e.type === 'transcript_added' && e.turn.role === 'customer' && e.escalation.id === id);
    expect(heard).toMatchObject({ turn: { text: 'a payment was taken twice from my account' } });

    // The agent answers through B; the customer (served by A) receives it.
    const before = connector.activities(customer.conversationId).length;
    expect((await call('POST', `/api/agent/escalations/${id}/messages`, { text: 'I can see both payments; one is a pending duplicate.' })).status).toBe(202);
    const [reply] = (await connector.waitFor(customer.conversationId, before + 1)).slice(before);
    expect(reply?.text).toBe('I can see both payments; one is a pending duplicate.');

    // And the transcript B serves holds what the customer said on A.
    const opened = (await (await call('GET', `/api/agent/escalations/${id}`)).json()) as { transcript: { role: string; text: string }[] };
    expect(opened.transcript.filter((t) => t.role === 'customer').map((t) => t.text)).toEqual(['I want to talk to a person', 'a payment was taken twice from my account']);
  });

  it('tells the agent on B whether a web chat customer on A got the message: delivered while A holds the chat, not found once A has stopped', async () => {
    const customer = await webChatCustomer(a!.url);
    await customer.say('I want to talk to a person');
    const queued = await desk.waitFor((e) => e.type === 'escalation_changed' && e.change === 'queued');
    const id = queued.escalation.id;
    expect((await call('POST', `/api/agent/escalations/${id}/take`)).status).toBe(200);

    // Reported delivered once it is in the customer's conversation on A, so it is there already.
    expect((await call('POST', `/api/agent/escalations/${id}/messages`, { text: 'Hello, Bea here; let me look into it.' })).status).toBe(202);
    expect((await customer.botMessages()).map((message) => message.text)).toContain('Hello, Bea here; let me look into it.');

    // A's web chats are in its memory: they end with it. The agent learns the next message did not arrive.
    await a!.stop();
    const refused = await call('POST', `/api/agent/escalations/${id}/messages`, { text: 'Are you still there?' });
    expect(refused.status).toBe(404);
    expect(((await refused.json()) as { code: string }).code).toBe('ATTUNE_CONVERSATION_NOT_FOUND');
    const opened = (await (await call('GET', `/api/agent/escalations/${id}`)).json()) as { transcript: { role: string; text: string }[] };
    expect(opened.transcript.filter((t) => t.role === 'agent' || t.role === 'note').map((t) => `${t.role}: ${t.text}`)).toEqual([
      'agent: Hello, Bea here; let me look into it.',
      'agent: Are you still there?',
      'note: Not delivered to the customer: Are you still there?',
    ]);

    // Closing the chat still works: the goodbye the customer cannot get does not fail it.
    expect((await call('POST', `/api/agent/escalations/${id}/resolve`, { disposition: 'customer_left' })).status).toBe(200);
  });
});
