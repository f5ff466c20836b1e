/**
 * Two bot instances (`node dist/index.js`) share one MongoDB-compatible server and one Redis, as
 * behind a load balancer: a conversation moves from one instance to the other between turns in
 * the middle of a dialog and carries on where it was; a chat escalated on one instance is taken
 * by an agent signed in on the other, and the customer hears it.
 */
import { randomBytes } from 'node:crypto';
import { createAgentAccount } from '../../server/auth/agent-accounts';
import { createStore } from '../../storage/create-store';
import type { AttuneStore } from '../../storage/ports';
import { startAttuneProcess, type AttuneProcess } from '../support/attune-process';
import { ScriptedCustomer, templateOf } from '../support/customer';
import { FakeConnector } from '../support/fake-connector';
import { startJongodb, type JongodbServer } from '../support/jongodb';
import { deleteKeys, randomQueuePrefix, requireRedis, TEST_REDIS_URL } from '../support/redis';

describe('scale-out: two instances, one MongoDB, one Redis', () => {
  const connector = new FakeConnector();
  const prefix = randomQueuePrefix();
  let mongo: JongodbServer;
  let uri: string;
  let one: AttuneProcess;
  let two: AttuneProcess;
  let store: AttuneStore;

  beforeAll(async () => {
    await requireRedis();
    await connector.start();
    mongo = await startJongodb();
    uri = `mongodb://127.0.0.1:${new URL(mongo.uri).port}/attune-scale-${randomBytes(4).toString('hex')}`;
    const env = { MONGODB_URI: uri, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, BUSINESS_HOURS: '00:00-24:00' };
    [one, two] = await Promise.all([startAttuneProcess(env), startAttuneProcess(env)]);
    store = await createStore({ kind: 'mongodb', uri });
  });

  afterAll(async () => {
    await Promise.all([one?.stop(), two?.stop()]);
    await store?.close();
    await mongo?.stop();
    await connector.stop();
    await deleteKeys(prefix);
  });

  it('continues a dialog when each turn lands on the other instance', async () => {
    const onOne = new ScriptedCustomer(one.url, connector);
    const [question] = await onOne.say("My new card still hasn't arrived, where is it?");
    expect(templateOf(question!)).toBe('cardArrival.askWhenOrdered');

    const onTwo = onOne.reconnect(two.url);
    const [offer] = await onTwo.say('More than a week ago');
    expect(templateOf(offer!)).toBe('cardArrival.offerReplacement');

    const [done] = await onTwo.reconnect(one.url).say('yes');
    expect(templateOf(done!)).toBe('cardArrival.replacementOrdered');

    const said = (await store.turns.listByConversation(`webchat:${onOne.conversationId}`, 50)).filter((t) => t.role === 'customer').map((t) => t.text);
    expect(said).toEqual(["My new card still hasn't arrived, where is it?", 'More than a week ago', 'yes']);
  });

  it('lets an agent on one instance take a chat escalated on the other', async () => {
    const customer = new ScriptedCustomer(one.url, connector);
    await customer.say('I want to talk to a person', 2);
    const escalation = await store.escalations.activeForConversation(`webchat:${customer.conversationId}`);
    expect(escalation?.status).toBe('queued');

    const name = `scale-${randomBytes(3).toString('hex')}`;
    const { password } = await createAgentAccount(store.agents, { name, pool: 'expert', role: 'supervisor' });
    const login = await fetch(`${two.url}/api/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password }) });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };

    const queue = (await (await fetch(`${two.url}/api/agent/queue`, { headers: { authorization: `Bearer ${token}` } })).json()) as { chats: { id: string }[] };
    expect(queue.chats.map((c) => c.id)).toContain(escalation!.id);
    const before = connector.activities(customer.conversationId).length;
    const taken = await fetch(`${two.url}/api/agent/escalations/${escalation!.id}/take`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(taken.status).toBe(200);
    const [joined] = (await connector.waitFor(customer.conversationId, before + 1)).slice(before);
    expect(templateOf(joined!)).toBe('handoff.agentJoined');
  });
});
