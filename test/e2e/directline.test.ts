/**
 * Microsoft's own Direct Line client (botframework-directlinejs, the one inside Web Chat), unchanged,
 * against attune's built-in Direct Line endpoint, in WebSocket and in polling mode: the real server
 * on 127.0.0.1, real NLU models and content, the same CloudAdapter pipeline as /api/messages.
 *
 * The library is written for browsers: it needs the globals XMLHttpRequest and WebSocket. Node 20
 * has neither, so the test provides them — WebSocket from the `ws` package, and a small
 * XMLHttpRequest on top of fetch (below) — and changes nothing in the library itself.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import WebSocket from 'ws';
import type { Activity } from 'botbuilder';
import { loadConfig } from '../../config/app-config';
import { startAttune, type RunningAttune } from '../../index';
import { createAgentAccount } from '../../server/auth/agent-accounts';

const ROOT = path.resolve(__dirname, '..', '..');

/** The parts of XMLHttpRequest that rxjs 5's ajax (used by botframework-directlinejs) touches. */
class FetchXmlHttpRequest {
  readyState = 0;
  status = 0;
  response: unknown = null;
  responseText = '';
  responseType = '';
  timeout = 0;
  withCredentials = false;
  onreadystatechange: ((event: unknown) => void) | null = null;
  onload: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  ontimeout: ((event: unknown) => void) | null = null;
  private method = 'GET';
  private url = '';
  private readonly headers: Record<string, string> = {};
  private readonly aborter = new AbortController();

  open(method: string, url: string): void {
    this.method = method;
    this.url = url;
    this.readyState = 1;
  }

  setRequestHeader(name: string, value: string): void {
    this.headers[name] = value;
  }

  getAllResponseHeaders(): string {
    return '';
  }

  abort(): void {
    this.aborter.abort();
  }

  send(body?: string): void {
    const signals = this.timeout > 0 ? [this.aborter.signal, AbortSignal.timeout(this.timeout)] : [this.aborter.signal];
    fetch(this.url, { method: this.method, headers: this.headers, body, signal: AbortSignal.any(signals) }).then(
      async (res) => {
        this.status = res.status;
        this.responseText = await res.text();
        this.response = this.responseType === 'json' ? (this.responseText === '' ? null : JSON.parse(this.responseText)) : this.responseText;
        this.finish(this.onload);
      },
      (error: unknown) => {
        this.status = 0;
        this.finish((error as Error).name === 'TimeoutError' ? this.ontimeout : this.onerror);
      },
    );
  }

  private finish(handler: ((event: unknown) => void) | null): void {
    this.readyState = 4;
    this.onreadystatechange?.call(this, { type: 'readystatechange' });
    handler?.call(this, { type: 'load' });
  }
}

/** `ws` as the browser's WebSocket, remembering every socket so a test can cut one (a network blip). */
class TrackedWebSocket extends WebSocket {
  static readonly opened: TrackedWebSocket[] = [];
  constructor(url: string) {
    super(url);
    TrackedWebSocket.opened.push(this);
  }
}

Object.assign(globalThis, { XMLHttpRequest: FetchXmlHttpRequest, WebSocket: TrackedWebSocket });
// Loaded after the globals exist: the library checks for WebSocket when a client is created.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DirectLine, ConnectionStatus } = require('botframework-directlinejs') as typeof import('botframework-directlinejs');
type DirectLineClient = InstanceType<typeof DirectLine>;

/** What one client received, in order, and helpers to wait for it. */
class Received {
  readonly activities: Partial<Activity>[] = [];
  private readonly watermarks: number[] = [];
  failure: unknown;

  constructor(readonly client: DirectLineClient) {
    client.activity$.subscribe({
      next: (activity) => {
        this.activities.push(activity as Partial<Activity>);
        const watermark = Number(String(activity.id ?? '').split('|')[1]);
        if (Number.isFinite(watermark)) this.watermarks.push(watermark);
      },
      // end() after each test ends the stream with "conversation ended": expected then.
      error: (error: unknown) => (this.failure = error),
    });
  }

  fromBot(): Partial<Activity>[] {
    return this.activities.filter((a) => a.from?.role !== 'user' && a.type === 'message');
  }

  /** Waits until the bot has sent at least `count` messages. */
  async botMessages(count: number, timeoutMs = 20_000): Promise<Partial<Activity>[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.fromBot().length < count) {
      if (this.failure !== undefined) throw this.failure;
      if (Date.now() > deadline) throw new Error(`expected ${count} bot messages, got ${JSON.stringify(this.fromBot().map((a) => a.text))}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return this.fromBot();
  }

  /** Waits for a bot message that matches. */
  async botMessageWhere(matches: (activity: Partial<Activity>) => boolean, timeoutMs = 20_000): Promise<Partial<Activity>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.fromBot().find(matches);
      if (found) return found;
      if (this.failure !== undefined) throw this.failure;
      if (Date.now() > deadline) throw new Error(`no matching bot message among ${JSON.stringify(this.fromBot().map((a) => a.text))}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The watermarks (from activity ids) of stored activities, in the order they arrived. */
  get order(): number[] {
    return this.watermarks;
  }
}

async function newClient(attune: RunningAttune, options: { webSocket: boolean }): Promise<Received> {
  const response = await fetch(`${attune.url}/v3/directline/tokens/generate`, { method: 'POST' });
  expect(response.status).toBe(200);
  const { token, conversationId, expires_in } = (await response.json()) as { token: string; conversationId: string; expires_in: number };
  expect(conversationId).toEqual(expect.any(String));
  expect(expires_in).toBeGreaterThan(60);
  const client = new DirectLine({
    token,
    domain: `${attune.url}/v3/directline`,
    webSocket: options.webSocket,
    pollingInterval: 200,
    // The first reconnection attempt after a dropped WebSocket comes after 3 s, not up to 15.
    random: () => 0,
  } as ConstructorParameters<typeof DirectLine>[0]);
  return new Received(client);
}

function say(received: Received, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    received.client.postActivity({ type: 'message', from: { id: 'ignored-by-the-server', role: 'user' }, text } as never).subscribe({ next: resolve, error: reject });
  });
}

function templateOf(activity: Partial<Activity> | undefined): string | undefined {
  return (activity?.channelData as { attune?: { template?: string } } | undefined)?.attune?.template;
}

describe('Microsoft\'s Direct Line client against the built-in endpoint', () => {
  let dataDir: string;
  let attune: RunningAttune;
  const clients: Received[] = [];

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'attune-directline-'));
    attune = await startAttune(loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, BUSINESS_HOURS: '00:00-24:00' }, ROOT), pino({ level: 'silent' }));
  });

  afterEach(() => {
    for (const received of clients.splice(0)) received.client.end();
  });

  afterAll(async () => {
    await attune?.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  const open = async (webSocket: boolean) => {
    const received = await newClient(attune, { webSocket });
    clients.push(received);
    return received;
  };

  it.each([
    ['WebSocket', true],
    ['polling', false],
  ])('in %s mode: is welcomed, walks the card-arrival dialog with buttons, and every activity comes once, in watermark order', async (_mode, webSocket) => {
    const customer = await open(webSocket);
    const [welcome] = await customer.botMessages(1);
    expect(templateOf(welcome)).toBe('welcome');
    expect(welcome!.suggestedActions?.actions.length).toBeGreaterThan(0);

    const postedId = await say(customer, 'where is my card? I ordered it ages ago and it has not arrived');
    const afterQuestion = await customer.botMessages(2);
    const question = afterQuestion[1]!;
    expect(templateOf(question)).toBe('cardArrival.askWhenOrdered');
    expect(question.replyToId).toBe(postedId);
    expect(question.suggestedActions?.actions.map((a) => a.title)).toEqual(['Less than a week ago', 'More than a week ago']);

    await say(customer, 'More than a week ago');
    expect(templateOf((await customer.botMessages(3))[2])).toBe('cardArrival.offerReplacement');

    // The customer's own messages come back (Web Chat shows them as sent), from the id in the token.
    const echoes = customer.activities.filter((a) => a.from?.role === 'user');
    expect(echoes.map((a) => a.text)).toEqual(['where is my card? I ordered it ages ago and it has not arrived', 'More than a week ago']);
    expect(echoes[0]!.from!.id).toMatch(/^dl_/);
    expect(customer.order).toEqual([...customer.order].sort((a, b) => a - b));
    expect(new Set(customer.order).size).toBe(customer.order.length);
    expect(customer.activities.every((a) => a.channelId === 'directline')).toBe(true);
  });

  it("echoes a message with a full card number masked, and the bot hears it masked", async () => {
    const customer = await open(false);
    await customer.botMessages(1);
    await say(customer, 'my card 4539 1488 0343 6467 was declined');
    const notice = await customer.botMessageWhere((a) => templateOf(a) === 'security.cardNumberMasked');
    expect(notice.text).toContain('hidden the card number');
    const echo = customer.activities.find((a) => a.from?.role === 'user' && a.text?.startsWith('my card'));
    expect(echo?.text).toBe('my card **** **** **** 6467 was declined');
    expect(JSON.stringify(customer.activities)).not.toContain('4539');
  });

  it('shows the bot typing before it answers (WebSocket)', async () => {
    const customer = await open(true);
    await customer.botMessages(1);
    await say(customer, 'hello');
    await customer.botMessages(2);
    const afterHello = customer.activities.slice(customer.activities.findIndex((a) => a.text === 'hello'));
    expect(afterHello.map((a) => a.type).slice(0, 3)).toEqual(['message', 'typing', 'message']);
  });

  it('resumes from its watermark after the WebSocket drops, missing nothing and repeating nothing', async () => {
    const customer = await open(true);
    await customer.botMessages(1);
    await waitFor(() => customer.client.connectionStatus$.getValue() === ConnectionStatus.Online && TrackedWebSocket.opened.at(-1)?.readyState === WebSocket.OPEN);
    const socketsBefore = TrackedWebSocket.opened.length;

    TrackedWebSocket.opened.at(-1)!.terminate(); // the network drops
    await say(customer, "my card still hasn't arrived"); // the reply is stored while the stream is down
    const messages = await customer.botMessages(2);

    expect(TrackedWebSocket.opened.length).toBeGreaterThan(socketsBefore); // it came back over a new stream
    expect(templateOf(messages[1])).toBe('cardArrival.askWhenOrdered');
    expect(customer.order).toEqual([...customer.order].sort((a, b) => a - b));
    expect(new Set(customer.order).size).toBe(customer.order.length);
  });

  it('hears from a person: the queue position in its turn, then the agent\'s words, sent proactively, on its stream', async () => {
    const customer = await open(true);
    await customer.botMessages(1);
    await say(customer, 'I want to talk to a person');
    await customer.botMessageWhere((activity) => templateOf(activity) === 'handoff.position');

    const { password } = await createAgentAccount(attune.store.agents, { name: 'dora', pool: 'expert', role: 'supervisor' });
    const agentApi = async (method: string, route: string, token?: string, body?: unknown) => {
      const response = await fetch(`${attune.url}${route}`, {
        method,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, json: (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined };
    };
    const token = (await agentApi('POST', '/api/agent/login', undefined, { name: 'dora', password })).json!.token as string;
    const chats = (await agentApi('GET', '/api/agent/queue', token)).json!.chats as Array<{ id: string }>;
    expect(chats).toHaveLength(1);
    expect((await agentApi('POST', `/api/agent/escalations/${chats[0]!.id}/take`, token)).status).toBe(200);
    expect((await agentApi('POST', `/api/agent/escalations/${chats[0]!.id}/messages`, token, { text: 'Hello, Dora here. Let me look at your card.' })).status).toBe(202);

    const fromAgent = await customer.botMessageWhere((activity) => activity.text === 'Hello, Dora here. Let me look at your card.');
    expect(fromAgent.channelId).toBe('directline');
    expect(customer.order).toEqual([...customer.order].sort((a, b) => a - b));
  });

  it('refreshes its token', async () => {
    const response = await fetch(`${attune.url}/v3/directline/tokens/generate`, { method: 'POST' });
    const { token, conversationId } = (await response.json()) as { token: string; conversationId: string };
    const refreshed = await fetch(`${attune.url}/v3/directline/tokens/refresh`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(refreshed.status).toBe(200);
    const body = (await refreshed.json()) as { token: string; conversationId: string; expires_in: number };
    expect(body.conversationId).toBe(conversationId);
    expect(body.token).not.toBe(token);
    const started = await fetch(`${attune.url}/v3/directline/conversations`, { method: 'POST', headers: { authorization: `Bearer ${body.token}` } });
    expect(started.status).toBe(201);
    expect(((await started.json()) as { conversationId: string }).conversationId).toBe(conversationId);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
