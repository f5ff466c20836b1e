/**
 * Scale-out: two real bot processes (`node dist/index.js`) share one MongoDB-compatible store
 * (jongodb) and one Redis. The customer talks to instance A; the agent's desk is connected to
 * instance B. The customer's words reach the agent live, and the agent's reply sent through B
 * reaches the customer.
 */
import { startAttuneProcess, type AttuneProcess } from '../support/attune-process';
import { createAgentAccount } from '../../server/auth/agent-accounts';
import { createStore } from '../../storage/create-store';
import { ScriptedCustomer, templateOf } from '../support/customer';
import { DeskStream } from '../support/desk-stream';
import { FakeConnector } from '../support/fake-connector';
import { startJongodb, type JongodbServer } from '../support/jongodb';
import { TEST_REDIS_URL, deleteKeys, randomQueuePrefix, requireRedis } from '../support/redis';

const STARTUP_MS = 120_000;

describe('desk relay across two bot instances (Redis + shared MongoDB)', () => {
  const connector = new FakeConnector();
  const prefix = randomQueuePrefix();
  let mongo: JongodbServer;
  let a: AttuneProcess | undefined;
  let b: AttuneProcess | undefined;
  let password: string;

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
    const env = { MONGODB_URI: mongo.uri, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, BUSINESS_HOURS: '00:00-24:00', BUSINESS_DAYS: 'Mon-Sun' };
    // Each process loads the NLU models; on a busy 2-core machine two starts can take a while.
    const started = await Promise.allSettled([startAttuneProcess(env, STARTUP_MS), startAttuneProcess(env, STARTUP_MS)]);
    [a, b] = started.map((result) => (result.status === 'fulfilled' ? result.value : undefined));
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason; // afterAll stops the one that did start
  }, STARTUP_MS + 30_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await mongo?.stop();
    await connector.stop();
    await deleteKeys(prefix);
  });

  it("relays the customer's words from A to the agent on B live, and the agent's reply back", async () => {
    const login = await fetch(`${b!.url}/api/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'bea', password }) });
    const { token } = (await login.json()) as { token: string };
    const desk = await DeskStream.open(b!.url, token);
    expect(desk.status).toBe(200);
    await desk.ready();
    const call = (method: string, route: string, body?: unknown) =>
      fetch(`${b!.url}${route}`, { method, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: body === undefined ? undefined : JSON.stringify(body) });

    try {
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
    } finally {
      desk.close();
    }
  });
});
