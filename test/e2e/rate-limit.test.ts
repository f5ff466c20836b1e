/**
 * Per-conversation rate limit on POST /api/messages (and the built-in Direct Line): a conversation over its burst gets 429 with a
 * message and Retry-After, and the throttled message never runs a turn; other conversations are
 * not affected. The buckets' memory stays bounded however many conversations there are.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../config/app-config';
import { startAttune, type RunningAttune } from '../../index';
import { TokenBuckets } from '../../server/rate-limit';
import { ScriptedCustomer } from '../support/customer';
import { FakeConnector } from '../support/fake-connector';
import { keywordRecognizer } from '../support/keyword-recognizer';

const ROOT = path.resolve(__dirname, '..', '..');

describe('per-conversation rate limit on /api/messages', () => {
  const connector = new FakeConnector();
  let dataDir: string;
  let attune: RunningAttune;

  beforeAll(async () => {
    await connector.start();
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'attune-rate-'));
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, CONVERSATION_RATE_LIMIT_PER_MINUTE: '6', CONVERSATION_RATE_LIMIT_BURST: '3' }, ROOT);
    attune = await startAttune(config, pino({ level: 'silent' }), { recognizer: keywordRecognizer() });
  });

  afterAll(async () => {
    await attune?.close();
    await connector.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  const post = (customer: ScriptedCustomer, text: string) =>
    fetch(`${attune.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', id: `m-${text}`, text, channelId: 'webchat', serviceUrl: connector.url, conversation: { id: customer.conversationId }, from: { id: customer.identity.userId }, recipient: { id: 'bot' } }),
    });

  it('answers the message past the burst with 429, Retry-After and a message, and runs no turn for it', async () => {
    const noisy = new ScriptedCustomer(attune.url, connector);
    for (const text of ['hello one', 'hello two', 'hello three']) expect((await post(noisy, text)).status).toBe(200);
    const throttled = await post(noisy, 'hello four');
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(throttled.headers.get('retry-after'))).toBeLessThanOrEqual(10); // one token per 10 s
    expect(await throttled.json()).toMatchObject({ code: 'ATTUNE_RATE_LIMITED', message: expect.stringMatching(/try again/) });
    const said = (await attune.store.turns.listByConversation(`webchat:${noisy.conversationId}`, 50)).filter((t) => t.role === 'customer').map((t) => t.text);
    expect(said).toEqual(['hello one', 'hello two', 'hello three']);

    const quiet = new ScriptedCustomer(attune.url, connector);
    expect((await post(quiet, 'hello')).status).toBe(200);
  });

  it('limits the built-in Direct Line conversation the same way', async () => {
    const generated = await fetch(`${attune.url}/v3/directline/tokens/generate`, { method: 'POST' });
    const started = await fetch(`${attune.url}/v3/directline/conversations`, { method: 'POST', headers: { authorization: `Bearer ${((await generated.json()) as { token: string }).token}` } });
    expect(started.status).toBe(201);
    const { conversationId, token } = (await started.json()) as { conversationId: string; token: string };
    const send = (text: string) =>
      fetch(`${attune.url}/v3/directline/conversations/${conversationId}/activities`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ type: 'message', text }),
      });
    for (const text of ['one', 'two', 'three']) expect((await send(text)).status).toBe(200);
    const throttled = await send('four');
    expect(throttled.status).toBe(429);
    expect(await throttled.json()).toMatchObject({ code: 'ATTUNE_RATE_LIMITED' });
  });
});

describe('TokenBuckets', () => {
  it('refills at the configured rate', () => {
    let now = 0;
    const buckets = new TokenBuckets({ perMinute: 60, burst: 2 }, 10, () => now);
    expect(buckets.take('a').allowed).toBe(true);
    expect(buckets.take('a').allowed).toBe(true);
    expect(buckets.take('a')).toEqual({ allowed: false, retryAfterMs: 1000 });
    now += 1000;
    expect(buckets.take('a').allowed).toBe(true);
  });

  it('remembers at most maxKeys conversations, forgetting the least recently used', () => {
    let now = 0;
    const buckets = new TokenBuckets({ perMinute: 1, burst: 1 }, 1000, () => now);
    for (let i = 0; i < 50_000; i++) {
      now += 1;
      buckets.take(`conversation-${i}`);
    }
    expect(buckets.size).toBe(1000);
    expect(buckets.take('conversation-49999').allowed).toBe(false); // recent: still limited
  });
});
