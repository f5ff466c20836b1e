/** Proactive messages: a conversation the channel reports gone becomes a clear error for the sender. */
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type TurnContext } from 'botbuilder';
import pino from 'pino';
import { DIRECT_LINE_SERVICE_URL, DirectLineConnectorFactory, DirectLineRoutingAuthentication } from '../../channels/directline/direct-line-connector';
import { DirectLineConversations } from '../../channels/directline/direct-line-conversations';
import { DirectLineDelivery } from '../../channels/directline/direct-line-delivery';
import { InProcessEventBus } from '../../events/in-process-event-bus';
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
    const conversations = new DirectLineConversations();
    const connectors = new DirectLineConnectorFactory(new DirectLineDelivery(conversations, bus, pino({ level: 'silent' })));
    const adapter = new CloudAdapter(new DirectLineRoutingAuthentication(new ConfigurationBotFrameworkAuthentication({}), connectors));
    const turnErrors: unknown[] = [];
    adapter.onTurnError = async (_context, error) => {
      turnErrors.push(error);
    };
    const reference = { channelId: 'directline', serviceUrl: DIRECT_LINE_SERVICE_URL, conversation: { id: 'ended' }, user: { id: 'dl_u1' }, bot: { id: 'attune' } };
    try {
      await expect(new ProactiveMessenger(adapter, '').send(reference, { type: 'message', text: 'anyone there?' })).rejects.toMatchObject({ code: 'ATTUNE_CONVERSATION_NOT_FOUND' });
      expect(turnErrors).toEqual([]);
    } finally {
      conversations.close();
      await bus.close();
    }
  });
});
