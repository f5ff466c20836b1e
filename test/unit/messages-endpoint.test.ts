/**
 * POST /api/messages when a turn cannot be answered: a turn whose error handler fails too is a 500
 * that names no internal detail to the caller and is logged at error level with the error; a
 * missing channel token (credentials configured) is a 401 logged at warn. Real restify server and
 * CloudAdapter on 127.0.0.1; the bot is a stub that throws.
 */
import type { AddressInfo } from 'node:net';
import { ActivityHandler, type TurnContext } from 'botbuilder';
import type { Server } from 'restify';
import { createLogger } from '../../core/logger';
import { createBotAdapter, type AttuneCloudAdapter } from '../../server/bot-adapter';
import { createServer } from '../../server/create-server';
import { createStore } from '../../storage/create-store';
import type { AttuneStore } from '../../storage/ports';

const SECRET_DETAIL = 'connection string mongodb://user:secret@db';

class FailingBot extends ActivityHandler {
  override async run(_context: TurnContext): Promise<void> {
    throw new Error(SECRET_DETAIL);
  }
}

const activity = {
  type: 'message',
  id: 'activity-1',
  channelId: 'test',
  serviceUrl: 'http://127.0.0.1:9/',
  conversation: { id: 'conversation-1' },
  from: { id: 'customer-1' },
  recipient: { id: 'bot' },
  text: 'hello',
};

describe('POST /api/messages when no turn can answer', () => {
  let store: AttuneStore;
  let server: Server | undefined;
  let logged: string;

  beforeAll(async () => {
    store = await createStore({ kind: 'memory' });
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });
  afterAll(async () => {
    await store.close();
  });

  async function start(adapter: AttuneCloudAdapter, bot: ActivityHandler = new FailingBot()): Promise<string> {
    logged = '';
    const logger = createLogger('info', { write: (line: string) => void (logged += line) });
    server = createServer({ adapter, bot, store, logger });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  const post = (url: string, headers: Record<string, string> = {}, changes: Record<string, unknown> = {}) =>
    fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ ...activity, ...changes }) });
  const records = () =>
    logged
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { level: number; msg: string; conversation?: string; err?: { message: string }; reason?: string });

  it('answers 500 without the internal detail when the turn and its error handler fail, and logs the error', async () => {
    const adapter = createBotAdapter(undefined);
    adapter.onTurnError = async () => {
      throw new Error(SECRET_DETAIL);
    };
    const url = await start(adapter);
    const response = await post(url);
    expect(response.status).toBe(500);
    const body = await response.text();
    expect(body).not.toContain('secret');
    expect(JSON.parse(body)).toEqual({ code: 'ATTUNE_TURN_FAILED', message: 'The activity could not be processed.' });
    const failed = records().filter((r) => r.msg.startsWith('activity failed'));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ level: 50, conversation: 'test:conversation-1', err: { message: SECRET_DETAIL } });
  });

  it('answers 401 to an activity without a channel token when credentials are configured, and logs it at warn', async () => {
    const url = await start(createBotAdapter({ appId: 'attune-test-app', appPassword: 'not-used', appType: 'MultiTenant' }));
    const response = await post(url);
    expect(response.status).toBe(401);
    const refused = records().filter((r) => r.msg.startsWith('activity refused'));
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ level: 40, conversation: 'test:conversation-1' });
    expect(refused[0]!.reason).toEqual(expect.any(String));
  });

  it('logs nothing of its own when a turn is answered', async () => {
    const adapter = createBotAdapter(undefined);
    adapter.onTurnError = async () => undefined;
    const url = await start(adapter);
    expect((await post(url)).status).toBe(200);
    expect(records().filter((r) => r.msg.startsWith('activity'))).toEqual([]);
  });

  it("runs one conversation's turns one after another, and other conversations' alongside", async () => {
    const log: string[] = [];
    // The first turn holds until the test lets it end: no timing decides the order.
    let letFirstEnd!: () => void;
    const firstMayEnd = new Promise<void>((resolve) => (letFirstEnd = resolve));
    let firstStarted!: () => void;
    const firstHasStarted = new Promise<void>((resolve) => (firstStarted = resolve));
    class HeldBot extends ActivityHandler {
      override async run(context: TurnContext): Promise<void> {
        const name = `${context.activity.conversation.id}/${context.activity.text}`;
        log.push(`${name} start`);
        if (context.activity.text === 'first') {
          firstStarted();
          await firstMayEnd;
        }
        log.push(`${name} end`);
      }
    }
    const url = await start(createBotAdapter(undefined), new HeldBot());
    const first = post(url, {}, { text: 'first' });
    await firstHasStarted;
    const second = post(url, {}, { text: 'second' });
    try {
      // Another conversation is answered while the first turn still holds.
      expect((await post(url, {}, { text: 'other', conversation: { id: 'conversation-2' } })).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 50)); // time for a second turn that did not wait to start
      expect(log).toEqual(['conversation-1/first start', 'conversation-2/other start', 'conversation-2/other end']);
    } finally {
      letFirstEnd();
    }
    expect((await Promise.all([first, second])).map((answer) => answer.status)).toEqual([200, 200]);
    expect(log.slice(3)).toEqual(['conversation-1/first end', 'conversation-1/second start', 'conversation-1/second end']);
  });
});
