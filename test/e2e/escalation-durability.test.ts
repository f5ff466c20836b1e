/**
 * Nothing is lost: kill -9 the bot while a chat waits for a person, or restart Redis under it.
 * Real processes, real Redis (BullMQ), embedded storage.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../config/app-config';
import { BullMqAgentQueue } from '../../escalation/queue/bullmq-agent-queue';
import { startAttune, type RunningAttune } from '../../index';
import { createStore } from '../../storage/create-store';
import { startAttuneProcess, type AttuneProcess } from '../support/attune-process';
import { ScriptedCustomer, templateOf } from '../support/customer';
import { FakeConnector } from '../support/fake-connector';
import { startPrivateRedis } from '../support/redis-server';

const ROOT = path.resolve(__dirname, '..', '..');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const OPEN_ALL_DAY = { BUSINESS_HOURS: '00:00-24:00', BUSINESS_DAYS: 'Mon-Sun' };
const silent = pino({ level: 'silent' });

describe('escalations survive crashes and Redis restarts', () => {
  const connector = new FakeConnector();
  let dataDir: string;

  beforeAll(async () => {
    await connector.start();
  });
  beforeEach(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'attune-durable-'));
  });
  afterEach(async () => {
    await fs.rm(dataDir, { recursive: true, force: true });
  });
  afterAll(async () => {
    await connector.stop();
  });

  it('after kill -9 while queued, the chat still reaches an agent and every message is kept (Redis)', async () => {
    const prefix = `attune-kill-${randomBytes(4).toString('hex')}`;
    const env = { DATA_DIR: dataDir, REDIS_URL, QUEUE_PREFIX: prefix, ...OPEN_ALL_DAY };
    let bot: AttuneProcess = await startAttuneProcess(env);
    const agentSide = new BullMqAgentQueue({ connection: REDIS_URL, prefix, logger: silent });
    try {
      const customer = new ScriptedCustomer(bot.url, connector);
      const replies = await customer.say('I need to speak to a person please', 3);
      expect(replies.some((a) => a.name === 'handoff.initiate')).toBe(true);
      await customer.say('it is about a payment taken twice');

      await bot.stop('SIGKILL');
      bot = await startAttuneProcess(env);
      const [still] = await customer.reconnect(bot.url).say('hello? still waiting');
      expect(['handoff.stillWaiting', 'handoff.position']).toContain(templateOf(still!));

      const taken = await agentSide.takeNext(['apprentice', 'expert']);
      expect(taken).toBeDefined();
      await bot.stop('SIGTERM');

      const store = await createStore({ kind: 'embedded', dataDir });
      try {
        const escalation = await store.escalations.get(taken!.escalationId);
        expect(escalation).toMatchObject({ conversationId: `webchat:${customer.conversationId}`, status: 'queued' });
        const said = (await store.turns.listByConversation(escalation!.conversationId, 50)).filter((t) => t.role === 'customer').map((t) => t.text);
        expect(said).toEqual(['I need to speak to a person please', 'it is about a payment taken twice', 'hello? still waiting']);
      } finally {
        await store.close();
      }
    } finally {
      await agentSide.close();
      await bot.stop('SIGKILL');
    }
  });

  it('after kill -9 while queued, the embedded in-process queue is rebuilt from storage', async () => {
    const env = { DATA_DIR: dataDir, ...OPEN_ALL_DAY };
    let bot = await startAttuneProcess(env);
    try {
      const customer = new ScriptedCustomer(bot.url, connector);
      await customer.say('let me talk to an agent', 3);
      await bot.stop('SIGKILL');
      bot = await startAttuneProcess(env);
      const [reply] = await customer.reconnect(bot.url).say('any news?');
      expect(['handoff.stillWaiting', 'handoff.position']).toContain(templateOf(reply!));
      const [cancelled] = await customer.reconnect(bot.url).say('never mind');
      expect(templateOf(cancelled!)).toBe('handoff.cancelled');
    } finally {
      await bot.stop('SIGKILL');
    }
  });

  it('keeps answering while Redis is down, tells a customer asking for a person the queue is delayed, and queues everything once it is back', async () => {
    const redis = await startPrivateRedis();
    let attune: RunningAttune | undefined;
    const prefix = `attune-redis-${randomBytes(4).toString('hex')}`;
    const agentSide = new BullMqAgentQueue({ connection: redis.url, prefix, logger: silent });
    try {
      attune = await startAttune(loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, REDIS_URL: redis.url, QUEUE_PREFIX: prefix, ...OPEN_ALL_DAY }, ROOT), silent);
      const first = new ScriptedCustomer(attune.url, connector);
      await first.say('I want to talk to a human', 3);

      await redis.kill();
      const [greeting] = await new ScriptedCustomer(attune.url, connector).say('hello');
      expect(templateOf(greeting!)).toBe('greeting');
      // Asking for a person while Redis is down: answered at once, honestly, and not forgotten.
      const meanwhile = new ScriptedCustomer(attune.url, connector);
      const delayed = await meanwhile.say('I need to speak to a person', 2);
      expect(delayed.filter((a) => a.type === 'message').map(templateOf)).toEqual(['handoff.started', 'handoff.queueDelayed']);

      await redis.start();
      const second = new ScriptedCustomer(attune.url, connector);
      const replies = await second.say('can I speak to someone', 3);
      expect(replies.filter((a) => a.type === 'message').map(templateOf)).toEqual(['handoff.started', 'handoff.position']);

      const waiting = [...(await agentSide.waiting('apprentice')), ...(await agentSide.waiting('expert'))];
      const conversations = await Promise.all(waiting.map(async (chat) => (await attune!.store.escalations.get(chat.escalationId))?.conversationId));
      expect(conversations).toEqual(expect.arrayContaining([`webchat:${first.conversationId}`, `webchat:${second.conversationId}`, `webchat:${meanwhile.conversationId}`]));
    } finally {
      await agentSide.close();
      await attune?.close();
      await redis.stop();
    }
  });
});
