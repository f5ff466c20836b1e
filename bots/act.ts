/**
 * The Act stage: carries out the decision — runs or continues a task dialog, answers small talk,
 * admits it did not understand with choices, or starts the handoff to a person.
 */
import type { TurnContext } from 'botbuilder';
import type { DialogContext } from 'botbuilder-dialogs';
import type { ContentLibrary } from '../content/content-library';
import { getTurnInsight } from '../dialogs/turn-insight';
import type { EscalationTrigger } from '../escalation/escalation-policy';
import { sendHandoffInitiation } from '../escalation/handoff';
import type { Perception } from '../escalation/frustration-meter';
import type { Conversations, Turns } from '../storage/ports';
import type { ConversationMemory } from './conversation-memory';
import type { Decision } from './decide';
import type { TurnRecording } from './turn-recorder';

/** How much of the conversation travels with a handoff. */
const HANDOFF_HISTORY = 100;

export interface ActInput {
  readonly context: TurnContext;
  readonly dialogs: DialogContext;
  readonly decision: Decision;
  readonly perception: Perception;
  readonly memory: ConversationMemory;
  readonly conversationKey: string;
  readonly customerId?: string;
  readonly recording: TurnRecording;
}

export class TurnActions {
  constructor(
    private readonly content: ContentLibrary,
    private readonly conversations: Conversations,
    private readonly turns: Turns,
  ) {}

  async act(input: ActInput): Promise<void> {
    const { action } = input.decision;
    switch (action.kind) {
      case 'continue_task':
        await input.dialogs.continueDialog();
        return;
      case 'start_task':
        await input.dialogs.cancelAllDialogs();
        await input.dialogs.beginDialog(action.dialogId);
        return;
      case 'cancel_task':
        await input.dialogs.cancelAllDialogs();
        await this.say(input.context, 'cancelled');
        return;
      case 'small_talk':
        await this.say(input.context, action.template);
        return;
      case 'unsupported':
        await this.say(input.context, 'unsupported', { topic: topicOf(action.intent) });
        return;
      case 'not_understood':
        await this.say(input.context, 'fallback', { suggestions: this.suggestionLabels(input.context, action.suggestions.map((s) => s.intent)) });
        return;
      case 'escalate':
        await this.startHandoff(input, action.trigger);
        return;
    }
  }

  /** While a person is on the way, the bot keeps the customer informed and lets them cancel. */
  async whileQueued(input: Pick<ActInput, 'context' | 'memory' | 'conversationKey'>, wantsToCancel: boolean): Promise<void> {
    if (wantsToCancel) {
      input.memory.responder = 'bot';
      await this.conversations.transition(input.conversationKey, ['queued'], 'bot', new Date());
      await this.say(input.context, 'handoff.cancelled');
      return;
    }
    await this.say(input.context, 'handoff.stillWaiting');
  }

  private async startHandoff(input: ActInput, trigger: EscalationTrigger): Promise<void> {
    await input.dialogs.cancelAllDialogs();
    await this.say(input.context, 'handoff.started');
    const earlier = await this.turns.listByConversation(input.conversationKey, HANDOFF_HISTORY);
    await sendHandoffInitiation(
      input.context,
      { trigger, frustration: input.perception.score, reasons: input.perception.reasons, customerId: input.customerId },
      [...earlier, ...input.recording.records()],
    );
    input.memory.responder = 'queued';
    await this.conversations.transition(input.conversationKey, ['bot'], 'queued', new Date());
  }

  private async say(context: TurnContext, template: string, data: Record<string, unknown> = {}): Promise<void> {
    const insight = getTurnInsight(context);
    await context.sendActivity(
      this.content.render({ template, tone: insight.tone, locale: insight.locale, channel: insight.channel, data: { ...insight.templateData, ...data } }),
    );
  }

  private suggestionLabels(context: TurnContext, intents: readonly string[]): string[] {
    const insight = getTurnInsight(context);
    const person = this.content.text({ template: 'choice.talkToPerson', tone: 'neutral', locale: insight.locale, channel: insight.channel });
    return [...intents.filter((intent) => intent !== 'oos').slice(0, 3).map(topicOf), person];
  }
}

/** `card_payment_fee_charged` → `card payment fee charged`: readable in a sentence and on a button. */
export function topicOf(intent: string): string {
  return intent.replace(/_/g, ' ');
}
