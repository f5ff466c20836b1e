/**
 * Messages to a customer outside their own turn (an agent's words, "a person has joined", the
 * rating prompt) go through `continueConversationAsync` with the stored conversation reference,
 * as Bot Framework requires for proactive messages.
 */
import type { Activity, CloudAdapter, ConversationReference } from 'botbuilder';
import type { CustomerMessenger } from '../escalation/agent-desk';

export class ProactiveMessenger implements CustomerMessenger {
  constructor(
    private readonly adapter: CloudAdapter,
    /** MicrosoftAppId, or '' in local/Emulator mode. */
    private readonly botAppId: string,
  ) {}

  async send(conversationReference: Readonly<Record<string, unknown>>, activity: Partial<Activity>): Promise<void> {
    await this.adapter.continueConversationAsync(this.botAppId, conversationReference as Partial<ConversationReference>, async (context) => {
      await context.sendActivity(activity);
    });
  }
}
