/**
 * Messages to a customer outside their own turn (an agent's words, "a person has joined", the
 * rating prompt) go through `continueConversationAsync` with the stored conversation reference,
 * as Bot Framework requires for proactive messages. A message the channel cannot deliver is an
 * error for the sender (the agent must know), never a failed turn.
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
    // A failed send is caught inside the turn: the adapter would hand it to onTurnError, which
    // logs it, apologises to (and clears the state of) a customer who is not in a turn, and lets
    // the sender believe the message went out.
    let failure: { readonly error: unknown } | undefined;
    await this.adapter.continueConversationAsync(this.botAppId, conversationReference as Partial<ConversationReference>, async (context) => {
      try {
        await context.sendActivity(activity);
      } catch (error) {
        failure = { error };
      }
    });
    if (failure) throw notDeliveredError(failure.error);
  }
}

/** The customer left for good (e.g. an ended web chat): the sender must know it was not delivered. */
function notDeliveredError(error: unknown): unknown {
  if ((error as { statusCode?: unknown } | null)?.statusCode !== 404) return error;
  return new AttuneError('ATTUNE_CONVERSATION_NOT_FOUND', "The customer's conversation has ended on their channel; the message was not delivered.", { cause: error });
}
