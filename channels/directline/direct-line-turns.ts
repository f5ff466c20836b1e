/**
 * Runs activities of the built-in Direct Line endpoint through the same CloudAdapter and bot as
 * /api/messages (middleware, onTurnError, state), with `processActivityDirect`: the request was
 * authenticated here, by its Direct Line token, so the adapter is handed the result of that
 * (the bot's own identity, as for proactive messages) and the in-process connector factory,
 * instead of validating a Bot Framework channel JWT that a browser does not have.
 *
 * While the bot thinks, the customer sees it typing: one typing activity before the turn (sent
 * first, so it never arrives after the reply), then one every few seconds for a long turn
 * (botbuilder's ShowTypingMiddleware; e.g. while the optional LLM answers).
 */
import { ActivityTypes, ShowTypingMiddleware, TurnContext, type Activity, type ActivityHandler, type CloudAdapter } from 'botbuilder';
import { AuthenticationConstants, ClaimsIdentity, type AuthenticateRequestResult } from 'botframework-connector';
import type { Logger } from '../../core/logger';
import type { DirectLineConnectorFactory } from './direct-line-connector';
import type { DirectLineConversation } from './direct-line-conversations';

/** Web Chat shows a typing indicator for 5 seconds; repeat a little sooner. */
const TYPING_REPEAT_MS = 4000;

export class DirectLineTurns {
  private readonly authentication: AuthenticateRequestResult;
  private readonly typingRepeater = new ShowTypingMiddleware(TYPING_REPEAT_MS, TYPING_REPEAT_MS);

  constructor(
    private readonly adapter: CloudAdapter,
    private readonly bot: ActivityHandler,
    connectorFactory: DirectLineConnectorFactory,
    /** MicrosoftAppId, or '' in local mode. */
    botAppId: string,
    private readonly logger: Logger,
  ) {
    this.authentication = {
      audience: AuthenticationConstants.ToChannelFromBotOAuthScope,
      claimsIdentity: new ClaimsIdentity(
        [
          { type: AuthenticationConstants.AudienceClaim, value: botAppId },
          { type: AuthenticationConstants.AppIdClaim, value: botAppId },
        ],
        true,
      ),
      connectorFactory,
    };
  }

  /**
   * Runs one turn after the conversation's previous turns (botbuilder state is read at the start of
   * a turn and written at its end, so two turns of one conversation must not overlap).
   */
  run(conversation: DirectLineConversation, activity: Partial<Activity>): Promise<void> {
    conversation.pendingTurns += 1;
    const turn = conversation.turns.then(() => this.process(activity)).finally(() => {
      conversation.pendingTurns -= 1;
    });
    conversation.turns = turn.catch(() => undefined);
    return turn;
  }

  private async process(activity: Partial<Activity>): Promise<void> {
    await this.adapter.processActivityDirect({ ...this.authentication }, activity as Activity, async (context) => {
      if (context.activity.type !== ActivityTypes.Message) {
        await this.bot.run(context);
        return;
      }
      await this.sendTyping(context);
      await this.typingRepeater.onTurn(context, () => this.bot.run(context));
    });
  }

  /** Sent through the adapter, not context.sendActivity, so the turn does not count as answered. */
  private async sendTyping(context: TurnContext): Promise<void> {
    const typing = TurnContext.applyConversationReference({ type: ActivityTypes.Typing }, TurnContext.getConversationReference(context.activity));
    try {
      await context.adapter.sendActivities(context, [typing]);
    } catch (error) {
      this.logger.warn({ err: error }, 'direct line: could not send the typing indicator');
    }
  }
}
