/**
 * The Bot Framework adapter. Without credentials it accepts unauthenticated requests (local and
 * Emulator use); with `MicrosoftAppId`/`MicrosoftAppPassword` it validates channel JWTs.
 * One turn's failure never takes the process down: onTurnError logs it, tells the customer,
 * and clears the conversation's broken state.
 */
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type ConversationState, type TurnContext } from 'botbuilder';
import type { BotCredentials } from '../config/app-config';
import type { ContentLibrary } from '../content/content-library';
import type { Logger } from '../core/logger';
import { channelProfile } from '../personalization/channel-profile';

export function createBotAdapter(credentials: BotCredentials | undefined): CloudAdapter {
  const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: credentials?.appId ?? '',
    MicrosoftAppPassword: credentials?.appPassword ?? '',
    MicrosoftAppType: credentials?.appType ?? 'MultiTenant',
    MicrosoftAppTenantId: credentials?.tenantId ?? '',
  });
  return new CloudAdapter(auth);
}

export function handleTurnErrors(adapter: CloudAdapter, deps: { logger: Logger; content: ContentLibrary; conversationState: ConversationState }): void {
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    deps.logger.error(
      { err: error, conversation: `${context.activity.channelId}:${context.activity.conversation?.id}`, activityId: context.activity.id },
      'turn failed',
    );
    try {
      await context.sendActivity(deps.content.render({ template: 'turnError', tone: 'neutral', channel: channelProfile(context.activity.channelId) }));
    } catch (sendError) {
      deps.logger.warn({ err: sendError }, 'could not tell the customer about a failed turn');
    }
    try {
      await deps.conversationState.delete(context);
    } catch (deleteError) {
      deps.logger.warn({ err: deleteError }, 'could not clear the state of a failed turn');
    }
  };
}
