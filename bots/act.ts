/**
 * The Act stage: carries out the decision — runs or continues a task dialog, answers small talk,
 * admits it did not understand with choices, or hands the conversation to a person.
 */
import { TurnContext } from 'botbuilder';
import type { DialogContext } from 'botbuilder-dialogs';
import type { ContentLibrary } from '../content/content-library';
import { getTurnInsight } from '../dialogs/turn-insight';
import { describeOpening, type BusinessHours } from '../escalation/business-hours';
import type { ContactChoice, EscalationService, WaitingStatus } from '../escalation/escalation-service';
import type { Perception } from '../escalation/frustration-meter';
import { sendHandoffInitiation } from '../escalation/handoff';
import type { CustomerSnapshot } from '../personalization/customer-context';
import { taskProgressOf } from '../personalization/task-progress';
import type { Conversations, EscalationRecord, EscalationTrigger, Turns } from '../storage/ports';
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
  readonly customer?: CustomerSnapshot;
  readonly recording: TurnRecording;
}

/** What became of a message that arrived while the chat was with people. */
export type PeopleOutcome =
  /** For the agent, or kept for them while the customer waits: the desk gets it live. */
  | { readonly kind: 'relayed_to_people'; readonly escalation: EscalationRecord }
  /** The customer called off the wait; the bot has the chat again. */
  | { readonly kind: 'cancelled_wait' }
  /** The 1–5 rating the bot asked for after an agent resolved the chat. */
  | { readonly kind: 'rating_recorded' }
  /** The people side ended the chat meanwhile: the bot answers the message as usual. */
  | { readonly kind: 'back_to_bot' };

export interface TurnActionsDependencies {
  readonly content: ContentLibrary;
  readonly conversations: Conversations;
  readonly turns: Turns;
  readonly escalations: EscalationService;
  readonly businessHours: BusinessHours;
}

export class TurnActions {
  constructor(private readonly deps: TurnActionsDependencies) {}

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
      case 'cancel_task': {
        // Called off on purpose: nothing to offer for resume on another channel later.
        const cancelled = input.dialogs.activeDialog?.id;
        if (cancelled) taskProgressOf(input.context)?.finished(cancelled);
        await input.dialogs.cancelAllDialogs();
        await this.say(input.context, 'cancelled');
        return;
      }
      case 'small_talk':
        await this.say(input.context, action.template);
        return;
      case 'unsupported':
        await this.say(input.context, 'unsupported', { topic: topicOf(action.intent) });
        return;
      case 'not_understood':
        await this.say(input.context, 'fallback', { suggestions: this.suggestionLabels(input.context, action.suggestions.map((s) => s.intent)) });
        return;
      case 'clarify':
        await this.say(input.context, 'clarify', { suggestions: this.suggestionLabels(input.context, action.suggestions.map((s) => s.intent)) });
        return;
      case 'offer_person':
        input.memory.personOffered = true;
        input.memory.personOfferPending = true;
        await this.say(input.context, 'offerPerson');
        return;
      case 'keep_trying':
        await this.say(input.context, 'keepTrying');
        return;
      case 'escalate':
        await this.startHandoff(input, action.trigger);
        return;
    }
  }

  /**
   * While the chat is with people (waiting for an agent, or with one): everything the customer
   * writes is recorded for the agent; while waiting they hear their new position when it moved,
   * and may cancel. When no escalation is active any more (it ended meanwhile) the bot has the
   * conversation again: the message may be the rating it asked for, else the bot answers it.
   */
  async whileWithPeople(input: Pick<ActInput, 'context' | 'memory' | 'conversationKey'>, wantsToCancel: boolean): Promise<PeopleOutcome> {
    const now = new Date();
    const status = await this.deps.escalations.waitingStatus(input.conversationKey, now);
    if (!status) {
      // The people side ended it (resolved or abandoned): the bot has the conversation again.
      input.memory.responder = 'bot';
      input.memory.lastToldPosition = undefined;
      return (await this.takeRating(input)) ? { kind: 'rating_recorded' } : { kind: 'back_to_bot' };
    }
    const relayed: PeopleOutcome = { kind: 'relayed_to_people', escalation: status.escalation };
    if (status.escalation.status === 'assigned') {
      // With an agent: the message is for them (it is recorded with the turn); the bot stays quiet.
      await this.deps.escalations.customerActive(status.escalation, now);
      return relayed;
    }
    if (wantsToCancel) {
      if (await this.deps.escalations.cancelByCustomer(input.conversationKey, now)) {
        input.memory.responder = 'bot';
        input.memory.lastToldPosition = undefined;
        await this.deps.conversations.transition(input.conversationKey, ['queued'], 'bot', now);
        await this.say(input.context, 'handoff.cancelled');
        return { kind: 'cancelled_wait' };
      }
      await this.say(input.context, 'handoff.cannotCancel');
      return relayed;
    }
    await this.deps.escalations.customerActive(status.escalation, now);
    const contact = status.escalation.afterHours ? contactChoice(input.context.activity.text ?? '') : undefined;
    if (contact) {
      await this.deps.escalations.recordContactChoice(status.escalation, contact, now);
      await this.say(input.context, 'handoff.contactNoted', { contact });
      return relayed;
    }
    if (status.position && status.position.position !== input.memory.lastToldPosition) {
      await this.tellPosition(input.context, input.memory, status);
    } else {
      await this.say(input.context, 'handoff.stillWaiting');
    }
    return relayed;
  }

  /** The first message after an agent resolved the chat may be the 1–5 rating the bot asked for. */
  private async takeRating(input: Pick<ActInput, 'context' | 'conversationKey'>): Promise<boolean> {
    const rating = /^\s*([1-5])\s*(stars?|\/\s*5)?\s*[.!]*\s*$/i.exec(input.context.activity.text ?? '')?.[1];
    if (!rating) return false;
    if (!(await this.deps.escalations.recordRating(input.conversationKey, Number(rating)))) return false;
    await this.say(input.context, 'csat.thanks');
    return true;
  }

  private async startHandoff(input: ActInput, trigger: EscalationTrigger): Promise<void> {
    const dialogInProgress = input.dialogs.activeDialog?.id;
    // The agent takes the task over, with the transcript and the dialog in progress in the handoff
    // package: the customer is not also offered to resume it with the bot on another channel.
    if (dialogInProgress) taskProgressOf(input.context)?.finished(dialogInProgress);
    await input.dialogs.cancelAllDialogs();
    await this.say(input.context, 'handoff.started');
    const earlier = await this.deps.turns.listByConversation(input.conversationKey, HANDOFF_HISTORY);
    const history = [...earlier, ...input.recording.records()];
    const status = await this.deps.escalations.escalate({
      conversationId: input.conversationKey,
      channelId: input.context.activity.channelId,
      customer: input.customer,
      trigger,
      reasons: input.perception.reasons,
      frustration: input.perception.score,
      failedTurns: input.perception.consecutiveFailures,
      dialogInProgress,
      conversationReference: { ...TurnContext.getConversationReference(input.context.activity) },
      history,
    });
    await sendHandoffInitiation(
      input.context,
      { escalationId: status.escalation.id, trigger, pool: status.escalation.pool, frustration: input.perception.score, reasons: input.perception.reasons, customerId: input.customer?.id },
      history,
    );
    input.memory.responder = 'people';
    await this.deps.conversations.transition(input.conversationKey, ['bot'], 'queued', new Date());
    await this.tellPosition(input.context, input.memory, status);
  }

  private async tellPosition(context: TurnContext, memory: ConversationMemory, status: WaitingStatus): Promise<void> {
    if (status.queueDelayed) {
      // Honest: the request is kept, but nobody can say when a person will see it.
      await this.say(context, 'handoff.queueDelayed');
      return;
    }
    if (status.opensAt) {
      await this.say(context, 'handoff.afterHours', { opensAt: describeOpening(this.deps.businessHours, status.opensAt) });
      return;
    }
    if (!status.position || !status.estimate) return;
    memory.lastToldPosition = status.position.position;
    await this.say(context, 'handoff.position', { position: status.position.position, minutes: status.estimate.minutes });
  }

  private async say(context: TurnContext, template: string, data: Record<string, unknown> = {}): Promise<void> {
    const insight = getTurnInsight(context);
    await context.sendActivity(
      this.deps.content.render({ template, tone: insight.tone, locale: insight.locale, channel: insight.channel, data: { ...insight.templateData, ...data }, audience: insight.audience }),
    );
  }

  private suggestionLabels(context: TurnContext, intents: readonly string[]): string[] {
    const insight = getTurnInsight(context);
    const person = this.deps.content.text({ template: 'choice.talkToPerson', tone: 'neutral', locale: insight.locale, channel: insight.channel });
    return [...intents.filter((intent) => intent !== 'oos').slice(0, 3).map(topicOf), person];
  }
}

/** After hours the customer chooses how the team gets back to them. */
function contactChoice(text: string): ContactChoice | undefined {
  if (/\b(call me( back)?|call ?back|phone me|ring me)\b/i.test(text)) return 'callback';
  if (/\b(reply here|message me|write (to )?me|(by|in) (the )?chat)\b/i.test(text)) return 'message';
  return undefined;
}

/** `card_payment_fee_charged` → `card payment fee charged`: readable in a sentence and on a button. */
export function topicOf(intent: string): string {
  return intent.replace(/_/g, ' ');
}
