/**
 * Bot middleware, first in the pipeline: a customer's full card number (PAN) or card security code
 * is masked in the incoming message before anything reads it (understanding, the optional LLM, turn
 * records, dialog state, logs), and the customer is told once per message that it was hidden and
 * should not be shared in chat. The customer's turn record says how many were masked (never the
 * digits), so an agent reading the transcript knows why the customer was warned, and analytics can
 * count it. nlu/entities/card-numbers.ts says what counts as one.
 */
import type { Middleware, TurnContext } from 'botbuilder';
import type { ContentLibrary } from '../content/content-library';
import type { Logger } from '../core/logger';
import { maskCardNumbers } from '../nlu/entities/card-numbers';
import { channelProfile } from '../personalization/channel-profile';
import { noteMaskedInMessage } from '../bots/turn-recorder';

export class MaskCardNumbers implements Middleware {
  constructor(
    private readonly content: ContentLibrary,
    private readonly logger: Logger,
  ) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const text = context.activity.text;
    if (typeof text === 'string' && text !== '') {
      const result = maskCardNumbers(text);
      if (result.masked > 0) {
        context.activity.text = result.text;
        noteMaskedInMessage(context, { cardNumbers: result.cardNumbers, securityCodes: result.securityCodes });
        this.logger.info({ conversation: `${context.activity.channelId}:${context.activity.conversation?.id}`, masked: result.masked }, 'card number or security code masked in a customer message');
        await context.sendActivity(this.content.render({ template: 'security.cardNumberMasked', tone: 'neutral', channel: channelProfile(context.activity.channelId), locale: context.activity.locale }));
      }
    }
    await next();
  }
}
