import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { RestError } from '@azure/core-rest-pipeline';
import type { Activity } from 'botbuilder';
import { ConnectorClient } from 'botframework-connector';
import { sendActivitiesAsJson } from '../../server/auth/send-activities-as-json';

interface Received {
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: unknown;
}

/** Signs every request as botbuilder's app credentials do, with a fixed token. */
const credentials = {
  signRequest: async (request: { headers: { set(name: string, value: string): void } }) => {
    request.headers.set('Authorization', 'Bearer test-token');
    return request;
  },
};

function richReply(conversationId: string): Partial<Activity> {
  return {
    type: 'message',
    text: 'New cards usually arrive within 5 working days.',
    speak: 'New cards usually arrive within 5 working days.',
    inputHint: 'expectingInput',
    locale: 'en-GB',
    timestamp: new Date('2026-12-05T10:00:00.000Z'),
    channelId: 'webchat',
    serviceUrl: 'http://channel.example',
    from: { id: 'bot', name: 'attune' },
    recipient: { id: 'user-1', name: 'Sam' },
    conversation: { id: conversationId, isGroup: false, name: 'chat' },
    replyToId: 'incoming-1',
    suggestedActions: { to: ['user-1'], actions: [{ type: 'imBack', title: 'Yes', value: 'yes' }] },
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: 'Card' }] } }],
    entities: [{ type: 'mention', text: 'Sam', mentioned: { id: 'user-1', name: 'Sam' } }],
    channelData: { attune: { template: 'cardArrival.askWhenOrdered', tone: 'neutral' } },
  } as unknown as Partial<Activity>;
}

describe('sendActivitiesAsJson', () => {
  let server: http.Server;
  let base: string;
  const received: Received[] = [];
  let answerStatus = 200;
  /** What the channel answers to a 2xx instead of its usual JSON receipt, when set. */
  let otherReceipt: { contentType: string; body: string } | undefined;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        received.push({ url: req.url ?? '', headers: req.headers, body: JSON.parse(body) });
        res.writeHead(answerStatus, { 'content-type': otherReceipt?.contentType ?? 'application/json' });
        res.end(otherReceipt?.body ?? (answerStatus === 200 ? '{"id":"sent-1"}' : '{"error":{"code":"ConversationNotFound","message":"gone"}}'));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    received.length = 0;
    answerStatus = 200;
    otherReceipt = undefined;
  });

  const generated = (serviceUrl: string) => new ConnectorClient(credentials as never, { baseUri: serviceUrl });
  const lean = (serviceUrl: string) => sendActivitiesAsJson(generated(serviceUrl));

  it('replies with the same request the generated client sends: URL, token, headers and body', async () => {
    const conversationId = 'conv/1 with space';
    expect(await generated(base).conversations.replyToActivity(conversationId, 'incoming/1', richReply(conversationId))).toMatchObject({ id: 'sent-1' });
    expect(await lean(base).conversations.replyToActivity(conversationId, 'incoming/1', richReply(conversationId))).toEqual({ id: 'sent-1' });
    const [expected, actual] = received;
    expect(actual!.url).toBe('/v3/conversations/conv%2F1%20with%20space/activities/incoming%2F1');
    expect(actual!.url).toBe(expected!.url);
    for (const header of ['authorization', 'content-type', 'x-ms-conversation-id', 'accept']) expect([header, actual!.headers[header]]).toEqual([header, expected!.headers[header]]);
    expect(actual!.headers.authorization).toBe('Bearer test-token');
    expect(actual!.body).toEqual(expected!.body);
  });

  it('sends to a conversation under a service URL with a path of its own', async () => {
    await generated(`${base}/emea/`).conversations.sendToConversation('c-2', { type: 'message', text: 'hello' });
    await lean(`${base}/emea/`).conversations.sendToConversation('c-2', { type: 'message', text: 'hello' });
    await lean(`${base}/emea`).conversations.sendToConversation('c-2', { type: 'message', text: 'hello' });
    expect(received.map((request) => request.url)).toEqual(['/emea/v3/conversations/c-2/activities', '/emea/v3/conversations/c-2/activities', '/emea/v3/conversations/c-2/activities']);
    expect(received[1]!.body).toEqual(received[0]!.body);
  });

  it('sends the properties the Activity model does not name, which the generated client drops', async () => {
    const activity = { type: 'message', text: 'hi', valueType: 'x', custom: { kept: true } } as Partial<Activity>;
    await lean(base).conversations.sendToConversation('c-3', activity);
    expect(received[0]!.body).toEqual({ type: 'message', text: 'hi', valueType: 'x', custom: { kept: true } });
  });

  it('rejects with a RestError carrying the status when the channel refuses', async () => {
    answerStatus = 404;
    const refused = lean(base).conversations.replyToActivity('c-4', 'a-1', { type: 'message', text: 'hi' });
    await expect(refused).rejects.toBeInstanceOf(RestError);
    await expect(refused).rejects.toMatchObject({ statusCode: 404, message: expect.stringMatching(/answered 404.*ConversationNotFound/) });
  });

  it.each([
    ['a text/plain "OK"', { contentType: 'text/plain', body: 'OK' }],
    ['an HTML page', { contentType: 'text/html', body: '<html>sent</html>' }],
    // (Broken JSON labelled application/json is refused by the client's own pipeline, before this
    // code, as it is for the generated operations.)
    ['JSON without an id', { contentType: 'application/json', body: '[1,2]' }],
  ])('takes a 2xx with %s as sent, with no id, rather than failing the turn', async (_what, receipt) => {
    otherReceipt = receipt;
    await expect(lean(base).conversations.sendToConversation('c-5', { type: 'message', text: 'hi' })).resolves.toEqual({ id: '' });
    expect(received).toHaveLength(1);
  });

  it('reads the id of a JSON receipt whatever the charset parameter', async () => {
    otherReceipt = { contentType: 'application/json; charset=utf-8', body: '{"id":"sent-2"}' };
    await expect(lean(base).conversations.sendToConversation('c-6', { type: 'message', text: 'hi' })).resolves.toEqual({ id: 'sent-2' });
  });

  it('takes the no-op tracing policy out of the client pipeline, and nothing else', () => {
    const client = generated(base);
    const policies = () => (client as unknown as { client: { pipeline: { getOrderedPolicies(): { name: string }[] } } }).client.pipeline.getOrderedPolicies().map((policy) => policy.name);
    const before = policies();
    expect(before).toContain('tracingPolicy');
    sendActivitiesAsJson(client);
    expect(policies()).toEqual(before.filter((name) => name !== 'tracingPolicy'));
  });

  it('leaves a client it does not recognise as it is', () => {
    const stranger = { conversations: { replyToActivity: () => 'generated' } } as unknown as ConnectorClient;
    expect(sendActivitiesAsJson(stranger)).toBe(stranger);
    expect((stranger.conversations.replyToActivity as unknown as () => string)()).toBe('generated');
  });
});
