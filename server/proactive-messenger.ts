/**
 * Messages to a customer outside their own turn (an agent's words, "a person has joined", the
 * rating prompt) go through `continueConversationAsync` with the stored conversation reference,
 * as Bot Framework requires for proactive messages.
 */
import type { Activity, CloudAdapter, ConversationReference } from 'botbuilder';
import { AttuneError } from '../core/errors';
import type { CustomerMessenger } from '../escalation/agent-desk';

export class ProactiveMessenger implements CustomerMessenger {
  constructor(
    private readonly adapter: CloudAdapter,
    /** MicrosoftAppId, or '' in local/Emulator mode. */
    private readonly botAppId: string,
  ) {}

  /** @throws AttuneError ATTUNE_CONVERSATION_NOT_FOUND when the channel says the conversation is gone (404) */
  async send(conversationReference: Readonly<Record<string, unknown>>, activity: Partial<Activity>): Promise<void> {
    try {
      await this.adapter.continueConversationAsync(this.botAppId, conversationReference as Partial<ConversationReference>, async (context) => {
        await context.sendActivity(activity);
      });
    } catch (error) {
      // The customer left for good (e.g. an expired web chat): the sender must know it was not delivered.
      if ((error as { statusCode?: unknown }).statusCode === 404) {
        throw new AttuneError('ATTUNE_CONVERSATION_NOT_FOUND', "The customer's conversation has ended on their channel; the message was not delivered.", { cause: error });
      }
      throw error;
    }
  }
}
