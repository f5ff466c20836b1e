/**
 * The parts of the built-in Direct Line endpoint, one at a time: the conversation log and its
 * watermarks, tokens and their scopes, the conversation registry's limits, delivery of bot
 * activities (in process, and relayed between two instances over the event bus), and the connector
 * routing that keeps every other channel on the adapter's own connector.
 */
import pino from 'pino';
import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { ClaimsIdentity, ConnectorClient } from 'botframework-connector';
import jwt from 'jsonwebtoken';
import { ConversationLog, type ActivitySet } from '../../channels/directline/conversation-log';
import { DIRECT_LINE_SERVICE_URL, DirectLineConnectorFactory, DirectLineRoutingAuthentication } from '../../channels/directline/direct-line-connector';
import { DirectLineConversations } from '../../channels/directline/direct-line-conversations';
import { DirectLineDelivery } from '../../channels/directline/direct-line-delivery';
import { DirectLineTokens } from '../../channels/directline/direct-line-tokens';
import { RedeemedStreamTokens } from '../../channels/directline/redeemed-stream-tokens';
import { loadConfig } from '../../config/app-config';
import { isAttuneError } from '../../core/errors';
import { InProcessEventBus } from '../../events/in-process-event-bus';
import type { EventBus } from '../../events/event-bus';

const logger = pino({ level: 'silent' });
const SECRET = 'unit-test-direct-line-secret-0123456789';

describe('Direct Line configuration', () => {
  const load = (env: Record<string, string>) => loadConfig(env, '/srv/attune');
  const invalid = (env: Record<string, string>) => {
    try {
      load(env);
    } catch (error) {
      return isAttuneError(error, 'ATTUNE_CONFIG_INVALID') ? (error as Error).message : 'another error';
    }
    return 'accepted';
  };

  it('defaults to the built-in endpoint with a per-process key and 20 new conversations per minute', () => {
    expect(load({}).directLine).toEqual({ tokenSecret: undefined, azure: undefined, tokensPerMinute: 20 });
  });

  it('uses Azure Direct Line, at its public domain unless told otherwise, when a secret is set', () => {
    expect(load({ DIRECT_LINE_SECRET: 's3cret' }).directLine.azure).toEqual({ secret: 's3cret', domain: 'https://directline.botframework.com/v3/directline' });
    expect(load({ DIRECT_LINE_SECRET: 's3cret', DIRECT_LINE_DOMAIN: 'https://europe.directline.botframework.com/v3/directline/' }).directLine.azure?.domain).toBe(
      'https://europe.directline.botframework.com/v3/directline',
    );
  });

  it('stops the start on a short signing key, a bad domain or a bad rate, naming the variable', () => {
    expect(invalid({ DIRECT_LINE_TOKEN_SECRET: 'too-short' })).toMatch(/DIRECT_LINE_TOKEN_SECRET/);
    expect(invalid({ DIRECT_LINE_DOMAIN: 'directline.botframework.com' })).toMatch(/DIRECT_LINE_DOMAIN/);
    expect(invalid({ DIRECT_LINE_TOKENS_PER_MINUTE: '0' })).toMatch(/DIRECT_LINE_TOKENS_PER_MINUTE/);
  });
});

describe('ConversationLog', () => {
  it('numbers stored activities 1, 2, 3 with Azure-style ids and returns what comes after a watermark', () => {
    const log = new ConversationLog('c1', { maxActivities: 100, maxChars: 1_000_000 });
    const stored = ['a', 'b', 'c'].map((text) => log.append({ type: 'message', text }));
    expect(stored.map((activity) => activity.id)).toEqual(['c1|0000001', 'c1|0000002', 'c1|0000003']);
    expect(log.after(undefined)).toEqual({ activities: stored, watermark: '3' });
    expect(log.after('1').activities.map((a) => a.text)).toEqual(['b', 'c']);
    expect(log.after('3').activities).toEqual([]);
    expect(log.after('not-a-number').activities).toHaveLength(3);
  });

  it('keeps the last N activities and still resumes a client that is behind', () => {
    const log = new ConversationLog('c1', { maxActivities: 2, maxChars: 1_000_000 });
    for (const text of ['a', 'b', 'c', 'd']) log.append({ type: 'message', text });
    expect(log.after(undefined)).toMatchObject({ activities: [{ text: 'c' }, { text: 'd' }], watermark: '4' });
    expect(log.after('1').activities.map((a) => a.text)).toEqual(['c', 'd']);
    expect(log.after('3').activities.map((a) => a.text)).toEqual(['d']);
  });

  it('keeps fewer activities when they would hold more than its characters allow, and always the newest', () => {
    const log = new ConversationLog('c1', { maxActivities: 100, maxChars: 1_000 });
    for (let i = 0; i < 10; i++) log.append({ type: 'message', text: String(i).repeat(300) });
    const kept = log.after(undefined);
    expect(kept.watermark).toBe('10');
    expect(kept.activities.map((a) => a.text?.[0])).toEqual(['8', '9']);
    expect(JSON.stringify(kept.activities).length).toBeLessThanOrEqual(1_000);
    // Resuming from a watermark that was dropped gives what is kept.
    expect(log.after('2').activities.map((a) => a.text?.[0])).toEqual(['8', '9']);
    log.append({ type: 'message', text: 'x'.repeat(5_000) });
    expect(log.after(undefined).activities.map((a) => a.text?.[0])).toEqual(['x']);
  });

  it('pushes stored activities with their watermark, and typing without one and without storing it', () => {
    const log = new ConversationLog('c1', { maxActivities: 100, maxChars: 1_000_000 });
    const pushed: ActivitySet[] = [];
    const stop = log.listen((set) => pushed.push(set));
    log.broadcast({ type: 'typing' });
    log.append({ type: 'message', text: 'hi' });
    stop();
    log.append({ type: 'message', text: 'after unsubscribing' });
    expect(pushed.map((set) => [set.activities[0]!.type, set.watermark])).toEqual([
      ['typing', undefined],
      ['message', '1'],
    ]);
    expect(log.after(undefined).activities.map((a) => a.type)).toEqual(['message', 'message']);
  });
});

describe('DirectLineTokens', () => {
  const tokens = new DirectLineTokens(SECRET);
  const grant = { conversationId: 'c1', userId: 'dl_u1' };

  const rejects = (token: string | undefined, scope?: 'conversation' | 'stream') => {
    try {
      tokens.verify(token, scope);
    } catch (error) {
      return isAttuneError(error, 'ATTUNE_UNAUTHORIZED');
    }
    return false;
  };

  it('gives back the conversation and user a token was issued for', () => {
    const issued = tokens.issue(grant);
    expect(issued.expires_in).toBe(1800);
    expect(tokens.verify(issued.token)).toEqual(grant);
    expect(tokens.verify(tokens.issueStream(grant), 'stream')).toEqual(grant);
  });

  it('gives a stream token\'s id and expiry (ms), so that the stream can let it through once until then', () => {
    const stream = tokens.verifyStream(tokens.issueStream(grant));
    expect(stream).toMatchObject({ ...grant, tokenId: expect.any(String) });
    expect(stream.expiresAt - Date.now()).toBeGreaterThan(55_000);
    expect(stream.expiresAt - Date.now()).toBeLessThanOrEqual(60_000);
    expect(tokens.verifyStream(tokens.issueStream(grant)).tokenId).not.toBe(stream.tokenId);
  });

  it('keeps scopes apart: a stream token is no REST token, and the other way round', () => {
    expect(rejects(tokens.issueStream(grant), 'conversation')).toBe(true);
    expect(rejects(tokens.issue(grant).token, 'stream')).toBe(true);
  });

  it('refuses tokens of another key, tampered, expired, or missing', () => {
    const { token } = tokens.issue(grant);
    const [header, , signature] = token.split('.');
    const otherPayload = Buffer.from(JSON.stringify({ conv: 'c2', user: 'dl_u1', iss: 'attune-directline', aud: 'conversation', exp: 9_999_999_999 })).toString('base64url');
    expect(rejects(new DirectLineTokens(`${SECRET}-other`).issue(grant).token)).toBe(true);
    expect(rejects(`${header}.${otherPayload}.${signature}`)).toBe(true);
    expect(rejects(jwt.sign({ conv: 'c1', user: 'dl_u1', exp: Math.floor(Date.now() / 1000) - 1 }, SECRET, { issuer: 'attune-directline', audience: 'conversation' }))).toBe(true);
    expect(rejects(undefined)).toBe(true);
  });

  it('signs with a random key per process when no secret is configured, and says so', () => {
    const a = new DirectLineTokens(undefined);
    const b = new DirectLineTokens(undefined);
    expect(a.ephemeralKey).toBe(true);
    expect(tokens.ephemeralKey).toBe(false);
    expect(() => b.verify(a.issue(grant).token)).toThrow();
  });
});

describe('RedeemedStreamTokens', () => {
  it('lets each stream token through once, and forgets it when it expires (it is refused as expired then)', () => {
    let now = 1_000_000;
    const redeemed = new RedeemedStreamTokens(() => now);
    expect(redeemed.redeem('first', now + 60_000)).toBe(true);
    expect(redeemed.redeem('first', now + 60_000)).toBe(false);
    expect(redeemed.redeem('second', now + 90_000)).toBe(true);
    now += 60_000;
    expect(redeemed.size).toBe(1);
    now += 30_000;
    expect(redeemed.size).toBe(0);
  });
});

describe('DirectLineConversations', () => {
  it('forgets a conversation idle for longer than the limit and tells the listeners', () => {
    let now = 0;
    const conversations = new DirectLineConversations({ idleMs: 1000, maxConversations: 10, maxActivities: 10, maxChars: 100_000 }, () => now);
    const ended: string[] = [];
    conversations.onEnded((id) => ended.push(id));
    conversations.create('idle', 'dl_1');
    conversations.create('busy', 'dl_2');
    now = 900;
    conversations.touch('busy');
    now = 1500;
    conversations.sweep();
    expect(ended).toEqual(['idle']);
    expect(conversations.peek('idle')).toBeUndefined();
    expect(conversations.peek('busy')).toBeDefined();
    conversations.close();
  });

  it('holds at most maxConversations, dropping the least recently used', () => {
    const conversations = new DirectLineConversations({ idleMs: 60_000, maxConversations: 2, maxActivities: 10, maxChars: 100_000 });
    conversations.create('a', 'dl_a');
    conversations.create('b', 'dl_b');
    conversations.touch('a');
    conversations.create('c', 'dl_c');
    expect([conversations.peek('a'), conversations.peek('b'), conversations.peek('c')].map(Boolean)).toEqual([true, false, true]);
    conversations.close();
  });
});

/** Stands in for Redis pub/sub between two instances: in-process delivery, but it spans instances. */
function sharedBus(): EventBus {
  const inner = new InProcessEventBus();
  return { kind: 'redis', publish: (topic, message) => inner.publish(topic, message), subscribe: (topic, handler) => inner.subscribe(topic, handler), close: () => inner.close() };
}

describe('bot activities for Direct Line conversations', () => {
  it('go through a real ConnectorClient into the conversation, in process', async () => {
    const conversations = new DirectLineConversations();
    const conversation = conversations.create('c1', 'dl_u1');
    const bus = new InProcessEventBus();
    const client = await new DirectLineConnectorFactory(new DirectLineDelivery(conversations, bus, logger)).create(DIRECT_LINE_SERVICE_URL);
    const response = await client.conversations.replyToActivity('c1', 'c1|0000001', { type: 'message', text: 'hello', suggestedActions: { to: [], actions: [{ type: 'imBack', title: 'Yes', value: 'Yes' }] } } as never);
    expect(response.id).toBe('c1|0000001');
    expect(conversation.log.after(undefined).activities).toMatchObject([{ type: 'message', text: 'hello', suggestedActions: { actions: [{ title: 'Yes' }] } }]);
    await expect(client.conversations.updateActivity('c1', 'c1|0000001', { type: 'message', text: 'edited' } as never)).rejects.toMatchObject({ statusCode: 405 });
    conversations.close();
    await bus.close();
  });

  it('are refused with 404 when this single instance does not hold the conversation (it ended or expired)', async () => {
    const bus = new InProcessEventBus();
    const client = await new DirectLineConnectorFactory(new DirectLineDelivery(new DirectLineConversations(), bus, logger)).create(DIRECT_LINE_SERVICE_URL);
    await expect(client.conversations.sendToConversation('gone', { type: 'message', text: 'anyone there?' } as never)).rejects.toMatchObject({ statusCode: 404 });
    await bus.close();
  });

  it('reach the instance that holds the conversation when written on another one (event bus)', async () => {
    const bus = sharedBus();
    const onA = new DirectLineConversations();
    const onB = new DirectLineConversations();
    const deliveryA = new DirectLineDelivery(onA, bus, logger);
    const deliveryB = new DirectLineDelivery(onB, bus, logger);
    await Promise.all([deliveryA.start(), deliveryB.start()]);
    const conversation = onA.create('held-by-a', 'dl_u1');
    const pushed: ActivitySet[] = [];
    conversation.log.listen((set) => pushed.push(set));

    // Resolves once A has it: with A's id, as delivered (not a provisional one).
    const id = await deliveryB.deliver('held-by-a', { type: 'message', text: 'an agent on instance B writes' });

    expect(pushed.map((set) => set.activities[0]!.text)).toEqual(['an agent on instance B writes']);
    expect(id).toBe(pushed[0]!.activities[0]!.id);
    expect(onB.peek('held-by-a')).toBeUndefined();
    await Promise.all([deliveryA.close(), deliveryB.close()]);
    onA.close();
    onB.close();
    await bus.close();
  });
});

describe('DirectLineRoutingAuthentication', () => {
  it('makes in-process clients for the Direct Line serviceUrl only; every other channel keeps the adapter\'s connector', async () => {
    const inner = new ConfigurationBotFrameworkAuthentication({});
    const conversations = new DirectLineConversations();
    const bus = new InProcessEventBus();
    const routing = new DirectLineRoutingAuthentication(inner, new DirectLineConnectorFactory(new DirectLineDelivery(conversations, bus, logger)));
    const factory = routing.createConnectorFactory(new ClaimsIdentity([], true));
    const teams = await factory.create('https://smba.trafficmanager.net/emea/');
    const directLine = await factory.create(DIRECT_LINE_SERVICE_URL);
    // baseUri is protected in the typings: where each client would send its requests.
    const baseUriOf = (client: ConnectorClient) => (client as unknown as { baseUri: string }).baseUri;
    expect(teams).toBeInstanceOf(ConnectorClient);
    expect(baseUriOf(teams)).toBe('https://smba.trafficmanager.net/emea/');
    expect(baseUriOf(directLine)).toBe(DIRECT_LINE_SERVICE_URL);
    conversations.close();
    await bus.close();
  });
});
