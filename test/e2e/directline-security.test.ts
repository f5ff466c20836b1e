/**
 * The built-in Direct Line endpoint's guarantees, over real HTTP and WebSocket on 127.0.0.1:
 * a token reaches its own conversation only; forged, expired and missing tokens are refused; the
 * server, not the client, says who a message is from; new conversations are rate-limited per
 * client address; it works unchanged when MicrosoftAppId is configured; and with an Azure
 * DIRECT_LINE_SECRET the page's token comes from Azure (a local fake here) instead.
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import pino from 'pino';
import WebSocket from 'ws';
import { loadConfig } from '../../config/app-config';
import { startAttune, type RunningAttune } from '../../index';
import { FakeOpenAi } from '../support/fake-openai';
import { keywordRecognizer } from '../support/keyword-recognizer';

const ROOT = path.resolve(__dirname, '..', '..');
const TOKEN_SECRET = 'test-direct-line-token-secret-0123456789abcdef';

interface Session {
  readonly conversationId: string;
  readonly token: string;
  readonly streamUrl: string;
}

/** Starts attune (keyword NLU: these tests are about the channel, not understanding) in its own data dir. */
async function start(env: Record<string, string>): Promise<{ attune: RunningAttune; dataDir: string }> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'attune-dl-security-'));
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, DIRECT_LINE_TOKEN_SECRET: TOKEN_SECRET, ...env }, ROOT);
  return { attune: await startAttune(config, pino({ level: 'silent' }), { recognizer: keywordRecognizer() }), dataDir };
}

async function stop(running: { attune: RunningAttune; dataDir: string } | undefined): Promise<void> {
  await running?.attune.close();
  if (running) await fs.rm(running.dataDir, { recursive: true, force: true });
}

function call(url: string, method: string, token?: string, body?: unknown): Promise<Response> {
  return fetch(url, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function newSession(base: string): Promise<Session> {
  const generated = (await (await call(`${base}/v3/directline/tokens/generate`, 'POST')).json()) as { token: string };
  const started = await call(`${base}/v3/directline/conversations`, 'POST', generated.token);
  expect(started.status).toBe(201);
  return (await started.json()) as Session;
}

/** The HTTP status a WebSocket upgrade is answered with (101 when it opens). */
function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

/** An open stream: the activity texts it received, and how it was closed once it is. */
interface OpenStream {
  readonly ws: WebSocket;
  readonly texts: string[];
  readonly closed: Promise<{ readonly code: number; readonly reason: string }>;
}

function openStream(url: string): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const texts: string[] = [];
    const closed = new Promise<{ code: number; reason: string }>((resolveClosed) => ws.once('close', (code, reason) => resolveClosed({ code, reason: reason.toString() })));
    ws.on('message', (data) => {
      const set = JSON.parse(String(data)) as { activities: Array<{ text?: string }> };
      texts.push(...set.activities.flatMap((activity) => (activity.text === undefined ? [] : [activity.text])));
    });
    ws.once('open', () => resolve({ ws, texts, closed }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`the stream was refused with ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface LoggedActivity {
  readonly id: string;
  readonly type: string;
  readonly text?: string;
  readonly replyToId?: string;
  readonly from: { readonly id: string; readonly role?: string };
}

async function activities(base: string, session: Session): Promise<LoggedActivity[]> {
  const response = await call(`${base}/v3/directline/conversations/${session.conversationId}/activities`, 'GET', session.token);
  return ((await response.json()) as { activities: LoggedActivity[] }).activities;
}

describe('the built-in Direct Line endpoint', () => {
  let running: { attune: RunningAttune; dataDir: string } | undefined;
  let base: string;

  beforeAll(async () => {
    running = await start({ DIRECT_LINE_TOKENS_PER_MINUTE: '100' });
    base = running.attune.url;
  });
  afterAll(() => stop(running));

  describe('a token for conversation A', () => {
    let a: Session;
    let b: Session;
    beforeAll(async () => {
      [a, b] = [await newSession(base), await newSession(base)];
    });

    it('cannot read, post to, reconnect to or stream conversation B (403), but can do all of it in A', async () => {
      const inB = `${base}/v3/directline/conversations/${b.conversationId}`;
      expect((await call(`${inB}/activities`, 'GET', a.token)).status).toBe(403);
      expect((await call(`${inB}/activities`, 'POST', a.token, { type: 'message', text: 'hello' })).status).toBe(403);
      expect((await call(inB, 'GET', a.token)).status).toBe(403);
      const streamOfBWithTokenOfA = a.streamUrl.replace(`/conversations/${a.conversationId}/`, `/conversations/${b.conversationId}/`);
      expect(await upgradeStatus(streamOfBWithTokenOfA)).toBe(403);
      const forbidden = (await (await call(`${inB}/activities`, 'GET', a.token)).json()) as { code: string };
      expect(forbidden.code).toBe('ATTUNE_FORBIDDEN');

      const inA = `${base}/v3/directline/conversations/${a.conversationId}`;
      expect((await call(`${inA}/activities`, 'POST', a.token, { type: 'message', text: 'hello' })).status).toBe(200);
      expect((await call(`${inA}/activities`, 'GET', a.token)).status).toBe(200);
      expect(await upgradeStatus(a.streamUrl)).toBe(101);
      // B never saw A's message.
      expect((await activities(base, b)).some((activity) => activity.text === 'hello')).toBe(false);
    });

    it('does not open a stream with the REST token in place of the short stream token', async () => {
      const url = new URL(a.streamUrl);
      url.searchParams.set('t', a.token);
      expect(await upgradeStatus(url.toString())).toBe(401);
    });
  });

  describe('the streams of one conversation', () => {
    /** A new streamUrl, as Web Chat gets one to reconnect. */
    const freshStreamUrl = async (session: Session): Promise<string> => {
      const response = await call(`${base}/v3/directline/conversations/${session.conversationId}`, 'GET', session.token);
      expect(response.status).toBe(200);
      return ((await response.json()) as Session).streamUrl;
    };

    it('opens one connection per streamUrl: the same URL again is refused (401), a fresh one from GET the conversation opens and resumes', async () => {
      const session = await newSession(base);
      const first = await openStream(session.streamUrl);
      await until(() => first.texts.length > 0, 'the welcome on the first stream');

      expect(await upgradeStatus(session.streamUrl)).toBe(401);
      first.ws.terminate(); // the network drops; the URL stays spent
      await first.closed;
      expect(await upgradeStatus(session.streamUrl)).toBe(401);

      const reconnected = await openStream(await freshStreamUrl(session));
      await until(() => first.texts.every((text) => reconnected.texts.includes(text)), 'what the first stream got, again on the new one');
      await call(`${base}/v3/directline/conversations/${session.conversationId}/activities`, 'POST', session.token, { type: 'message', text: 'back again' });
      await until(() => reconnected.texts.includes('back again'), 'a new message on the new stream');
      reconnected.ws.close();
    });

    it('keeps at most two streams per conversation: a third closes the oldest with 1008 and a reason, and the other two carry on', async () => {
      const session = await newSession(base);
      const oldest = await openStream(session.streamUrl);
      const second = await openStream(await freshStreamUrl(session));
      let oldestClosedBeforeThird = false;
      void oldest.closed.then(() => (oldestClosedBeforeThird = true));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(oldestClosedBeforeThird).toBe(false);

      const third = await openStream(await freshStreamUrl(session));
      const stillOpen = new Promise((resolve) => setTimeout(() => resolve('still open after 5 s'), 5000).unref());
      expect(await Promise.race([oldest.closed, stillOpen])).toEqual({ code: 1008, reason: expect.stringMatching(/newer stream/) });

      const posted = await call(`${base}/v3/directline/conversations/${session.conversationId}/activities`, 'POST', session.token, { type: 'message', text: 'still there?' });
      expect(posted.status).toBe(200);
      await until(() => second.texts.includes('still there?') && third.texts.includes('still there?'), 'the message on both open streams');
      expect(oldest.texts).not.toContain('still there?');
      second.ws.close();
      third.ws.close();
    });
  });

  it.each([
    ['no token', undefined],
    ['a token signed with another key', jwt.sign({ conv: 'x', user: 'dl_x' }, 'another-key-another-key-another-key!', { algorithm: 'HS256', issuer: 'attune-directline', audience: 'conversation', expiresIn: 600 })],
    ['an expired token', jwt.sign({ conv: 'x', user: 'dl_x', exp: Math.floor(Date.now() / 1000) - 10 }, TOKEN_SECRET, { algorithm: 'HS256', issuer: 'attune-directline', audience: 'conversation' })],
    ['an unsigned token', jwt.sign({ conv: 'x', user: 'dl_x' }, '', { algorithm: 'none', issuer: 'attune-directline', audience: 'conversation' })],
  ])('refuses %s with 401', async (_label, token) => {
    const response = await call(`${base}/v3/directline/conversations/x/activities`, 'GET', token);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { code: string }).code).toBe('ATTUNE_UNAUTHORIZED');
    expect((await call(`${base}/v3/directline/conversations`, 'POST', token)).status).toBe(401);
  });

  it('says a conversation that was never started is not found (404), for its own token', async () => {
    const { token, conversationId } = (await (await call(`${base}/v3/directline/tokens/generate`, 'POST')).json()) as { token: string; conversationId: string };
    const response = await call(`${base}/v3/directline/conversations/${conversationId}/activities`, 'GET', token);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { code: string }).code).toBe('ATTUNE_CONVERSATION_NOT_FOUND');
  });

  it('takes who a message is from from the token, not from the client', async () => {
    const session = await newSession(base);
    const posted = await call(`${base}/v3/directline/conversations/${session.conversationId}/activities`, 'POST', session.token, {
      type: 'message',
      text: 'hello',
      from: { id: 'someone-else', role: 'bot' },
    });
    expect(posted.status).toBe(200);
    const echo = (await activities(base, session)).find((activity) => activity.text === 'hello');
    const userId = (jwt.decode(session.token) as { user: string }).user;
    expect(echo?.from).toEqual({ id: userId, name: '', role: 'user' });
  });

  it('refuses WebSocket upgrades on paths that are not a stream', async () => {
    expect(await upgradeStatus(`${base.replace('http', 'ws')}/somewhere-else`)).toBe(404);
  });

  it('answers an upgrade with a malformed escape in the stream path with a 400, and stays up', async () => {
    // Outside restify, an exception in the upgrade handler would end the process.
    expect(await upgradeStatus(`${base.replace('http', 'ws')}/v3/directline/conversations/%E0%A4%A/stream`)).toBe(400);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('answers a malformed activity with a 400 and a message', async () => {
    const session = await newSession(base);
    const response = await call(`${base}/v3/directline/conversations/${session.conversationId}/activities`, 'POST', session.token, { type: 'message', text: { not: 'a string' } });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { code: string; message: string };
    expect(body.code).toBe('ATTUNE_REQUEST_INVALID');
    expect(body.message).toMatch(/text/);
  });

  it('refuses an activity whose value and channelData are too big to keep in the conversation log', async () => {
    const session = await newSession(base);
    const response = await call(`${base}/v3/directline/conversations/${session.conversationId}/activities`, 'POST', session.token, { type: 'event', name: 'x', channelData: { padding: 'x'.repeat(9000) } });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'ATTUNE_REQUEST_INVALID', message: expect.stringMatching(/at most 8192/) });
  });
});

describe('a client posting faster than the bot answers', () => {
  // Each turn waits ~300 ms on the (fake, slow) language model, as a real one may: so the
  // messages pile up behind the first whatever the machine's speed, and the limit must act.
  const llm = new FakeOpenAi();
  let running: { attune: RunningAttune; dataDir: string } | undefined;
  let base: string;

  beforeAll(async () => {
    await llm.start();
    llm.behaviour = { kind: 'slow', delayMs: 300, intent: 'oos', confidence: 0.5 };
    running = await start({ OPENAI_API_KEY: 'test-key', OPENAI_BASE_URL: llm.url, OPENAI_TIMEOUT_MS: '5000' });
    base = running.attune.url;
  });
  afterAll(async () => {
    await stop(running);
    await llm.stop();
  });

  it('is slowed down (429) beyond five waiting turns, and every accepted message is answered', async () => {
    const session = await newSession(base);
    const url = `${base}/v3/directline/conversations/${session.conversationId}/activities`;
    // Messages the keyword recognizer is unsure about, so each turn asks the language model.
    const statuses = await Promise.all(Array.from({ length: 20 }, (_, i) => call(url, 'POST', session.token, { type: 'message', text: `something unclear ${i}` }).then((r) => r.status)));
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(0);
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(5);
    expect(statuses.every((status) => status === 200 || status === 429)).toBe(true);
    const accepted = statuses.filter((status) => status === 200).length;
    const log = await activities(base, session);
    const received = log.filter((activity) => activity.from.role === 'user');
    expect(received).toHaveLength(accepted); // refused ones never reached the bot
    // Each accepted message got its answer (repeated misunderstandings also bring a person in: more replies).
    const answered = new Set(log.filter((activity) => activity.from.role === 'bot' && activity.type === 'message').map((activity) => activity.replyToId));
    expect(received.filter((activity) => !answered.has(activity.id))).toEqual([]);
  });
});

describe('new conversations per client address', () => {
  let running: { attune: RunningAttune; dataDir: string } | undefined;
  beforeAll(async () => {
    running = await start({ DIRECT_LINE_TOKENS_PER_MINUTE: '3' });
  });
  afterAll(() => stop(running));

  it('are limited: the 4th token in a minute gets 429 with Retry-After, on both token routes', async () => {
    const base = running!.attune.url;
    const statuses = [];
    for (const route of ['/v3/directline/tokens/generate', '/api/webchat/token', '/v3/directline/tokens/generate']) {
      statuses.push((await call(`${base}${route}`, 'POST')).status);
    }
    expect(statuses).toEqual([200, 200, 200]);
    for (const route of ['/v3/directline/tokens/generate', '/api/webchat/token']) {
      const refused = await call(`${base}${route}`, 'POST');
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await refused.json()) as { code: string }).code).toBe('ATTUNE_RATE_LIMITED');
    }
  });
});

describe('with MicrosoftAppId configured', () => {
  let running: { attune: RunningAttune; dataDir: string } | undefined;
  beforeAll(async () => {
    running = await start({ MicrosoftAppId: '00000000-0000-0000-0000-000000000001', MicrosoftAppPassword: 'not-a-real-password' });
  });
  afterAll(() => stop(running));

  it('still chats over the built-in Direct Line (nothing leaves the process), while /api/messages demands a channel JWT', async () => {
    const base = running!.attune.url;
    const session = await newSession(base);
    const posted = await call(`${base}/v3/directline/conversations/${session.conversationId}/activities`, 'POST', session.token, { type: 'message', text: 'hello' });
    expect(posted.status).toBe(200);
    const received = await activities(base, session);
    const fromBot = received.filter((activity) => activity.from.role === 'bot' && activity.type === 'message');
    expect(fromBot.length).toBeGreaterThanOrEqual(2); // the welcome and the answer to "hello"
    expect(fromBot.every((activity) => activity.from.id === '00000000-0000-0000-0000-000000000001')).toBe(true);

    const unauthenticated = await call(`${base}/api/messages`, 'POST', undefined, {
      type: 'message', id: '1', text: 'hello', channelId: 'webchat', serviceUrl: 'http://127.0.0.1:9', conversation: { id: 'c' }, from: { id: 'u' }, recipient: { id: 'b' },
    });
    expect(unauthenticated.status).toBe(401);
  });
});

describe('with an Azure DIRECT_LINE_SECRET', () => {
  const secret = 'azure-direct-line-secret-for-tests';
  const seen: Array<{ url?: string; authorization?: string; body: string }> = [];
  let azure: http.Server;
  let running: { attune: RunningAttune; dataDir: string } | undefined;
  let azureUrl: string;

  beforeAll(async () => {
    // A stand-in for Azure's POST /v3/directline/tokens/generate.
    azure = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push({ url: req.url, authorization: req.headers.authorization, body });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ conversationId: 'azure-conversation', token: 'azure-token', expires_in: 3600 }));
      });
    });
    await new Promise<void>((resolve) => azure.listen(0, '127.0.0.1', resolve));
    azureUrl = `http://127.0.0.1:${(azure.address() as AddressInfo).port}`;
    running = await start({ DIRECT_LINE_SECRET: secret, DIRECT_LINE_DOMAIN: `${azureUrl}/v3/directline`, DIRECT_LINE_TOKENS_PER_MINUTE: '2' });
  });
  afterAll(async () => {
    await stop(running);
    await new Promise<void>((resolve) => azure.close(() => resolve()));
  });

  it('gives the page a token from Azure for a fresh dl_ user, never the secret, and turns the built-in endpoint off', async () => {
    const base = running!.attune.url;
    const response = await call(`${base}/api/webchat/token`, 'POST');
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ conversationId: 'azure-conversation', token: 'azure-token', expires_in: 3600, domain: `${azureUrl}/v3/directline` });
    expect(text).not.toContain(secret);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toBe('/v3/directline/tokens/generate');
    expect(seen[0]!.authorization).toBe(`Bearer ${secret}`);
    expect((JSON.parse(seen[0]!.body) as { user: { id: string } }).user.id).toMatch(/^dl_/);

    expect((await call(`${base}/v3/directline/tokens/generate`, 'POST')).status).toBe(404);
    const page = await fetch(`${base}/`);
    expect(page.headers.get('content-security-policy')).toContain(`connect-src 'self' ws: wss: ${azureUrl}`);
  });

  it('limits Azure tokens per client address like the built-in ones (each is a billed conversation)', async () => {
    const base = running!.attune.url;
    const before = seen.length;
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(`${base}/api/webchat/token`, 'POST')).status);
    expect(statuses.filter((status) => status === 429)).not.toHaveLength(0);
    expect(seen.length - before).toBe(statuses.filter((status) => status === 200).length); // refused ones never reached Azure
  });
});
