/**
 * The Emulator-style conversation through the real server: POST activities to /api/messages,
 * the bot answers through a fake connector, everything on 127.0.0.1, real models and content.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../config/app-config';
import { startAttune, type RunningAttune } from '../../index';
import { ScriptedCustomer, templateOf } from '../support/customer';
import { FakeConnector } from '../support/fake-connector';

const ROOT = path.resolve(__dirname, '..', '..');

describe('a customer chatting over HTTP', () => {
  const connector = new FakeConnector();
  let dataDir: string;
  let attune: RunningAttune;

  beforeAll(async () => {
    await connector.start();
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'attune-e2e-'));
    attune = await startAttune(loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir }, ROOT), pino({ level: 'silent' }));
  });

  afterAll(async () => {
    await attune?.close();
    await connector.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  const customer = () => new ScriptedCustomer(attune.url, connector);

  it('is greeted on joining and can ask for help, then say thanks and goodbye', async () => {
    const ann = customer();
    const [welcome] = await ann.join();
    expect(templateOf(welcome!)).toBe('welcome');
    expect(welcome!.suggestedActions?.actions.length).toBeGreaterThan(0);
    expect(templateOf((await ann.say('hello there'))[0]!)).toBe('greeting');
    expect(templateOf((await ann.say('help'))[0]!)).toBe('help');
    expect(templateOf((await ann.say('thanks a lot for your help'))[0]!)).toBe('thanks');
    expect(templateOf((await ann.say('bye, see you'))[0]!)).toBe('goodbye');
  });

  it('never keeps a full card number: the turn records hold it masked, say that it was, and the customer is told', async () => {
    const cara = customer();
    const replies = await cara.say('my card 4539 1488 0343 6467 cvv 123 was declined', 2);
    expect(templateOf(replies[0]!)).toBe('security.cardNumberMasked');
    const turns = await attune.store.turns.listByConversation(`webchat:${cara.conversationId}`, 10);
    const said = turns.find((turn) => turn.role === 'customer');
    expect(said?.text).toBe('my card **** **** **** 6467 cvv *** was declined');
    expect(said?.masked).toEqual({ cardNumbers: 1, securityCodes: 1 });
    expect(JSON.stringify(turns)).not.toMatch(/4539|1488 0343|cvv 123/);
  });

  it('walks the card-not-arrived dialog, replies tied to the messages that caused them', async () => {
    const ben = customer();
    const [question] = await ben.say("I ordered a card two weeks ago and it still hasn't arrived");
    expect(templateOf(question!)).toBe('cardArrival.askWhenOrdered');
    expect(question!.replyTo).toMatch(/^activity-/);
    expect(question!.suggestedActions?.actions.map((a) => a.title)).toEqual(['Less than a week ago', 'More than a week ago']);
    expect(templateOf((await ben.say('More than a week ago'))[0]!)).toBe('cardArrival.offerReplacement');
    expect(templateOf((await ben.say('yes please'))[0]!)).toBe('cardArrival.replacementOrdered');
  });

  it('freezes a lost card it was told the last digits of', async () => {
    const cat = customer();
    const [ask] = await cat.say('I lost my card ending 4321 yesterday');
    expect(templateOf(ask!)).toBe('lostCard.askToFreeze');
    expect(ask!.text).toContain('4321');
    const replies = await cat.say('yes', 2);
    expect(replies.map(templateOf)).toEqual(['lostCard.frozen', 'lostCard.offerReplacement']);
  });

  it('explains a declined card payment', async () => {
    const dan = customer();
    expect(templateOf((await dan.say('Why was my card payment declined?'))[0]!)).toBe('declinedPayment.askWhere');
    expect(templateOf((await dan.say('Abroad'))[0]!)).toBe('declinedPayment.reasons.abroad');
  });

  it('answers exchange rate and fee questions', async () => {
    const eve = customer();
    expect(templateOf((await eve.say('What exchange rate do you use for payments in euros?'))[0]!)).toMatch(/^fees\./);
  });

  it('helps with a failed top-up', async () => {
    const fay = customer();
    expect(templateOf((await fay.say('My top-up failed, why?'))[0]!)).toBe('topUpFailed.askMethod');
    expect(templateOf((await fay.say('With a card'))[0]!)).toBe('topUpFailed.advice.byCard');
  });

  it('admits it did not understand and offers choices', async () => {
    const [reply] = await customer().say('what is the best pizza topping in Naples?');
    expect(templateOf(reply!)).toBe('fallback');
    expect(reply!.suggestedActions?.actions.at(-1)?.title).toBe('Talk to a person');
  });

  it('records every message of the conversation as a turn document', async () => {
    const gus = customer();
    await gus.say('hello');
    await gus.say('my top up failed');
    const turns = await attune.store.turns.listByConversation(`webchat:${gus.conversationId}`, 20);
    expect(turns.map((t) => t.role)).toEqual(['customer', 'bot', 'customer', 'bot']);
    expect(turns[2]?.understanding?.intent.intent).toBe('top_up_failed');
    expect(turns[3]?.template).toBe('topUpFailed.askMethod');
  });

  describe('bad input', () => {
    const post = (body: string, contentType = 'application/json') =>
      fetch(`${attune.url}/api/messages`, { method: 'POST', headers: { 'content-type': contentType }, body });

    it.each([
      ['malformed JSON', '{"type": "message", '],
      ['a JSON string', '"hello"'],
      ['an activity without type', JSON.stringify({ channelId: 'webchat', conversation: { id: 'c' }, from: { id: 'u' }, serviceUrl: 'http://127.0.0.1:1' })],
      ['an activity without conversation', JSON.stringify({ type: 'message', channelId: 'webchat', from: { id: 'u' }, serviceUrl: 'http://127.0.0.1:1' })],
      ['text that is not a string', JSON.stringify({ type: 'message', text: { a: 1 }, channelId: 'webchat', conversation: { id: 'c' }, from: { id: 'u' }, serviceUrl: 'http://127.0.0.1:1' })],
    ])('answers %s with a 400 and a message', async (_label, body) => {
      const response = await post(body);
      expect(response.status).toBe(400);
      const answer = (await response.json()) as { message?: string };
      expect(answer.message).toEqual(expect.any(String));
      expect(answer.message!.length).toBeGreaterThan(5);
    });

    it('refuses a body over the size limit with a 4xx', async () => {
      const response = await post(JSON.stringify({ type: 'message', text: 'x'.repeat(300 * 1024) }));
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
    });

    it('is still healthy and ready afterwards', async () => {
      expect((await fetch(`${attune.url}/healthz`)).status).toBe(200);
      const ready = await fetch(`${attune.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready', storage: 'embedded' });
    });
  });
});
