/**
 * The Record stage: one document per message (the customer's, with what the bot made of it, and
 * each reply the bot sent), appended in a single write at the end of the turn, after the replies
 * have gone out, so recording never delays what the customer sees.
 */
import { randomUUID } from 'node:crypto';
import { ActivityTypes, type Activity, type TurnContext } from 'botbuilder';
import type { RenderedFrom } from '../content/content-library';
import type { MaskedInMessage, TurnRecord, Turns } from '../storage/ports';

type CustomerTurnDetails = Pick<TurnRecord, 'understanding' | 'frustration' | 'decision'>;

const MASKED_KEY = Symbol('attune.maskedInMessage');

/**
 * Notes on the turn what the card-masking middleware hid in the customer's message (it runs before
 * the bot begins recording), so the customer's turn record says so: counts only, never the digits.
 */
export function noteMaskedInMessage(context: TurnContext, masked: MaskedInMessage): void {
  context.turnState.set(MASKED_KEY, masked);
}

export class TurnRecording {
  private customerTurn?: TurnRecord;
  private readonly replies: TurnRecord[] = [];

  constructor(
    private readonly conversationId: string,
    private readonly customerId: string | undefined,
    /** What was masked in the customer's message before the bot saw it. */
    private readonly masked?: MaskedInMessage,
  ) {}

  /** The customer's message; call once per message turn. */
  customerSaid(text: string, details: CustomerTurnDetails, at: Date = new Date()): void {
    const masked = this.masked && { masked: { cardNumbers: this.masked.cardNumbers, securityCodes: this.masked.securityCodes } };
    this.customerTurn = { id: randomUUID(), conversationId: this.conversationId, customerId: this.customerId, role: 'customer', text, at, ...details, ...masked };
  }

  /**
   * The offer Decide chose was withheld at the last check before showing it: the customer's turn
   * names the rule (`offer_suppressed:<rule>`, the offer in `detail`) instead of the offer.
   */
  offerWithheld(suppressedBy: string): void {
    const turn = this.customerTurn;
    if (!turn?.decision) return;
    const reasons = turn.decision.reasons.map((reason) =>
      reason.name.startsWith('offer:') ? { name: `offer_suppressed:${suppressedBy}`, weight: 1, detail: reason.name.slice('offer:'.length) } : reason,
    );
    this.customerTurn = { ...turn, decision: { ...turn.decision, reasons } };
  }

  botSent(activity: Partial<Activity>, at: Date = new Date()): void {
    const channelData = activity.channelData as { attune?: RenderedFrom; offer?: TurnRecord['offer'] } | undefined;
    const renderedFrom = channelData?.attune;
    this.replies.push({
      id: randomUUID(),
      conversationId: this.conversationId,
      customerId: this.customerId,
      role: 'bot',
      text: activity.text ?? '',
      at,
      template: renderedFrom?.template,
      ...(channelData?.offer && { offer: { id: channelData.offer.id, reasons: [...channelData.offer.reasons] } }),
    });
  }

  /** Everything recorded so far, in order. */
  records(): TurnRecord[] {
    return this.customerTurn ? [this.customerTurn, ...this.replies] : [...this.replies];
  }
}

export class TurnRecorder {
  constructor(private readonly turns: Turns) {
    if (!turns) throw new Error('[TurnRecorder]: Missing parameter. turns is required');
  }

  /** Starts recording this turn: every message the bot sends from now on is captured. */
  begin(context: TurnContext, conversationId: string, customerId: string | undefined): TurnRecording {
    const recording = new TurnRecording(conversationId, customerId, context.turnState.get(MASKED_KEY) as MaskedInMessage | undefined);
    context.onSendActivities(async (_context, activities, next) => {
      for (const activity of activities) {
        if (activity.type === ActivityTypes.Message) recording.botSent(activity);
      }
      return next();
    });
    return recording;
  }

  async flush(recording: TurnRecording): Promise<void> {
    const records = recording.records();
    if (records.length > 0) await this.turns.append(records);
  }
}
