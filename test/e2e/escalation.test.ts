/**
 * Perceive and escalate over HTTP with the real models, real Redis (BullMQ) and embedded storage:
 * who goes to a person, when, to which pool, and with what package (issue "Perceive and escalate").
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../config/app-config';
import { BullMqAgentQueue } from '../../escalation/queue/bullmq-agent-queue';
import { startAttune, type RunningAttune } from '../../index';
import type { EscalationRecord } from '../../storage/ports';
import { ScriptedCustomer, templateOf } from '../support/customer';
import type { RecordedActivity } from '../support/fake-connector';
import { FakeConnector } from '../support/fake-connector';

const ROOT = path.resolve(__dirname, '..', '..');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('escalation to a person', () => {
  const connector = new FakeConnector();
  const prefix = `attune-e2e-${randomBytes(4).toString('hex')}`;
  let dataDir: string;
  let attune: RunningAttune;
  let agentSide: BullMqAgentQueue;

  beforeAll(async () => {
    await connector.start();
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'attune-escalation-'));
    const config = loadConfig(
      { PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, REDIS_URL, QUEUE_PREFIX: prefix, BUSINESS_HOURS: '00:00-24:00', BUSINESS_DAYS: 'Mon-Sun' },
      ROOT,
    );
    attune = await startAttune(config, pino({ level: 'silent' }));
    agentSide = new BullMqAgentQueue({ connection: REDIS_URL, prefix, logger: pino({ level: 'silent' }) });
  });

  afterAll(async () => {
    await agentSide?.close();
    await attune?.close();
    await connector.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  const customer = () => new ScriptedCustomer(attune.url, connector);

  /** The handoff a turn started: the event, the stored escalation, and the customer-facing replies. */
  async function handoffOf(c: ScriptedCustomer, replies: RecordedActivity[]): Promise<{ event: RecordedActivity; escalation: EscalationRecord }> {
    const event = replies.find((a) => a.type === 'event' && a.name === 'handoff.initiate');
    expect(event).toBeDefined();
    const escalation = await attune.store.escalations.activeForConversation(`webchat:${c.conversationId}`);
    expect(escalation).toBeDefined();
    expect((event!.value as { escalationId: string }).escalationId).toBe(escalation!.id);
    const transcript = (event!.attachments?.[0]?.content as { activities: { text: string }[] }).activities;
    expect(transcript.length).toBeGreaterThan(0);
    expect(escalation!.handoff.summary.length).toBeGreaterThan(20);
    expect(escalation!.handoff.nextBestAction.length).toBeGreaterThan(20);
    return { event: event!, escalation: escalation! };
  }

  it('(a) escalates an explicit request for a person on that turn and tells the customer their place', async () => {
    const ann = customer();
    const replies = await ann.say('I want to talk to a human', 3);
    expect(replies.filter((a) => a.type === 'message').map(templateOf)).toEqual(['handoff.started', 'handoff.position']);
    const { escalation } = await handoffOf(ann, replies);
    expect(escalation.trigger).toBe('human_request');
    const waiting = await agentSide.waiting(escalation.pool);
    expect(waiting.map((chat) => chat.escalationId)).toContain(escalation.id);
  });

  it('(b) escalates after three turns the bot did not understand', async () => {
    const ben = customer();
    expect(templateOf((await ben.say('flibber jabber wocky'))[0]!)).toBe('fallback');
    expect(templateOf((await ben.say('zorp quibble snark'))[0]!)).toBe('fallback');
    const replies = await ben.say('blorp vexnik thrumble', 3);
    const { escalation } = await handoffOf(ben, replies);
    expect(escalation.trigger).toBe('failed_turns');
    expect(escalation.handoff.botTried).toContain('fallback: offered choices');
  });

  it('(c) escalates a furious customer before the third failure', async () => {
    const cat = customer();
    const first = await cat.say('THIS IS RIDICULOUS!!! Your stupid app is completely useless');
    const escalatedAtOnce = first.some((a) => a.name === 'handoff.initiate');
    const replies = escalatedAtOnce ? first : await cat.say("I'm furious, NOTHING works and nobody helps!!!", 3);
    const { escalation } = await handoffOf(cat, replies);
    expect(escalation.frustration).toBeGreaterThanOrEqual(0.7);
    expect(escalation.handoff.trajectory.at(-1)?.reasons.map((r) => r.name)).toEqual(expect.arrayContaining(['anger_cues']));
  });

  it('(d) keeps a calm customer with one misunderstanding with the bot', async () => {
    const dan = customer();
    await dan.say('hello');
    expect(templateOf((await dan.say('flibber jabber wocky'))[0]!)).toBe('fallback');
    expect(templateOf((await dan.say("my card still hasn't arrived"))[0]!)).toBe('cardArrival.askWhenOrdered');
    expect(await attune.store.escalations.activeForConversation(`webchat:${dan.conversationId}`)).toBeUndefined();
  });

  it('(e) sends a stolen card to the expert pool ahead of a simple request', async () => {
    const eve = customer();
    const replies = await eve.say('Help, my card was stolen this morning!', 3);
    const { escalation } = await handoffOf(eve, replies);
    expect(escalation).toMatchObject({ trigger: 'high_risk', pool: 'expert' });
    const simple = (await attune.store.escalations.list({ statuses: ['queued'], pools: ['apprentice'] }, 100)).map((e) => e.priority);
    expect(escalation.priority).toBeGreaterThan(Math.max(...simple));
    expect(escalation.handoff.nextBestAction).toMatch(/frozen|freeze/i);
  });

  it('keeps what the customer writes while waiting, and lets them cancel', async () => {
    const fay = customer();
    await fay.say('can I speak to an agent please', 3);
    expect(templateOf((await fay.say('it is about a payment to Amazon'))[0]!)).toBe('handoff.stillWaiting');
    const turns = await attune.store.turns.listByConversation(`webchat:${fay.conversationId}`, 50);
    expect(turns.map((t) => t.text)).toContain('it is about a payment to Amazon');
    expect(templateOf((await fay.say('never mind'))[0]!)).toBe('handoff.cancelled');
    expect(await attune.store.escalations.activeForConversation(`webchat:${fay.conversationId}`)).toBeUndefined();
    const all = await attune.store.escalations.list({ statuses: ['abandoned'] }, 100);
    const cancelled = all.find((e) => e.conversationId === `webchat:${fay.conversationId}`);
    expect(cancelled?.disposition).toBe('cancelled_by_customer');
    expect((await agentSide.waiting(cancelled!.pool)).map((c) => c.escalationId)).not.toContain(cancelled!.id);
  });
});
