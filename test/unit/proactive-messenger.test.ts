/** Proactive messages: a conversation the channel reports gone becomes a clear error for the sender. */
import type { CloudAdapter } from 'botbuilder';
import { ProactiveMessenger } from '../../server/proactive-messenger';

const adapterFailingWith = (error: unknown) => ({ continueConversationAsync: async () => Promise.reject(error) }) as unknown as CloudAdapter;

describe('ProactiveMessenger', () => {
  it('reports a conversation the channel no longer knows (404) as ATTUNE_CONVERSATION_NOT_FOUND', async () => {
    const messenger = new ProactiveMessenger(adapterFailingWith(Object.assign(new Error('Not Found'), { statusCode: 404 })), '');
    await expect(messenger.send({ conversation: { id: 'c1' } }, { type: 'message', text: 'hi' })).rejects.toMatchObject({ code: 'ATTUNE_CONVERSATION_NOT_FOUND' });
  });

  it('passes other failures on as they are', async () => {
    const failure = Object.assign(new Error('Bad Gateway'), { statusCode: 502 });
    await expect(new ProactiveMessenger(adapterFailingWith(failure), '').send({}, { type: 'message' })).rejects.toBe(failure);
  });
});
