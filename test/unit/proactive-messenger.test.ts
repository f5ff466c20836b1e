/** Proactive messages: a conversation the channel reports gone becomes a clear error for the sender. */
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type TurnContext } from 'botbuilder';
import pino from 'pino';
import { DIRECT_LINE_SERVICE_URL, DirectLineConnectorFactory, DirectLineRoutingAuthentication } from '../../channels/directline/direct-line-connector';
import { DirectLineConversations } from '../../channels/directline/direct-line-conversations';
import { DirectLineDelivery } from '../../channels/directline/direct-line-delivery';
import { AttuneError } from '../../core/errors';
import type { EventBus } from '../../events/event-bus';
import { InProcessEventBus } from '../../events/in-process-event-bus';
import { statusForError } from '../../server/auth/api-errors';
import { ProactiveMessenger } from '../../server/proactive-messenger';

/** Runs the logic like CloudAdapter, whose onTurnError (as the app sets it) swallows what escapes a turn. */
const adapterWhoseSendFailsWith = (error: unknown) => {
  const turnErrors: unknown[] = [];
  const context = { sendActivity: async () => Promise.reject(error) } as unknown as TurnContext;
  const adapter = {
    continueConversationAsync: async (_appId: string, _reference: unknown, logic: (context: TurnContext) => Promise<void>) => {
      await logic(context).catch((turnError: unknown) => turnErrors.push(turnError));
    },
  } as unknown as CloudAdapter;
  return { adapter, turnErrors };
};

/** The adapter as the app builds it, for built-in web chats delivered over `bus`; records what reaches onTurnError. */
const webChatAdapter = (bus: EventBus) => {
  const conversations = new DirectLineConversations();
  const delivery = new DirectLineDelivery(conversations, bus, pino({ level: 'silent' }));
  const adapter = new CloudAdapter(new DirectLineRoutingAuthentication(new ConfigurationBotFrameworkAuthentication({}), new DirectLineConnectorFactory(delivery)));
  const turnErrors: unknown[] = [];
  adapter.onTurnError = async (_context, error) => {
    turnErrors.push(error);
  };
  const close = async () => {
    await delivery.close();
    conversations.close();
  };
  return { adapter, turnErrors, close };
};

const webChatReference = (conversationId: string) => ({ channelId: 'directline', serviceUrl: DIRECT_LINE_SERVICE_URL, conversation: { id: conversationId }, user: { id: 'dl_u1' }, bot: { id: 'attune' } });

describe('ProactiveMessenger', () => {
  it('reports a conversation the channel no longer knows (404) as ATTUNE_CONVERSATION_NOT_FOUND, not as a failed turn', async () => {
    const { adapter, turnErrors } = adapterWhoseSendFailsWith(Object.assign(new Error('Not Found'), { statusCode: 404 }));
    await expect(new ProactiveMessenger(adapter, '').send({ conversation: { id: 'c1' } }, { type: 'message', text: 'hi' })).rejects.toMatchObject({ code: 'ATTUNE_CONVERSATION_NOT_FOUND' });
    expect(turnErrors).toEqual([]);
  });

  it('passes other failures on as they are', async () => {
    const failure = Object.assign(new Error('Bad Gateway'), { statusCode: 502 });
    await expect(new ProactiveMessenger(adapterWhoseSendFailsWith(failure).adapter, '').send({}, { type: 'message' })).rejects.toBe(failure);
  });

  it('refuses a message to an ended built-in web chat through the real CloudAdapter, whose onTurnError would swallow it', async () => {
    const bus = new InProcessEventBus();
    const { adapter, turnErrors, close } = webChatAdapter(bus);
    try {
      await expect(new ProactiveMessenger(adapter, '').send(webChatReference('ended'), { type: 'message', text: 'anyone there?' })).rejects.toMatchObject({ code: 'ATTUNE_CONVERSATION_NOT_FOUND' });
      expect(turnErrors).toEqual([]);
    } finally {
      await close();
      await bus.close();
    }
  });

  it('tells the sender the instance holding a web chat could not be reached (the agent API answers 503), not that the customer left', async () => {
    // The Redis bus while Redis is away: a required event is refused, the others dropped.
    const unreachable: EventBus = {
      kind: 'redis',
      publish: async (_topic, _message, options) => {
        if (options?.required) throw new AttuneError('ATTUNE_EVENT_BUS_UNAVAILABLE', 'redis is not connected');
      },
      subscribe: async () => async () => undefined,
      close: async () => undefined,
    };
    const { adapter, turnErrors, close } = webChatAdapter(unreachable);
    try {
      const sent = new ProactiveMessenger(adapter, '').send(webChatReference('held-elsewhere'), { type: 'message', text: 'are you still there?' });
      await expect(sent).rejects.toMatchObject({ code: 'ATTUNE_EVENT_BUS_UNAVAILABLE' });
      expect(statusForError(await sent.catch((error: unknown) => error))).toBe(503);
      expect(turnErrors).toEqual([]);
    } finally {
      await close();
    }
  });
});
