/**
 * Starting a handoff: the Bot Framework `handoff.initiate` event with the transcript attached,
 * so an external agent hub can take the chat too (DESIGN.md §4).
 */
import { ActivityTypes, EventFactory, type Activity, type TurnContext } from 'botbuilder';
import type { Reason } from '../core/reason';
import type { AgentPool, EscalationTrigger, TurnRecord } from '../storage/ports';

export interface HandoffContext {
  readonly escalationId: string;
  readonly trigger: EscalationTrigger;
  readonly pool: AgentPool;
  readonly frustration: number;
  readonly reasons: readonly Reason[];
  readonly customerId?: string;
}

/** Sends `handoff.initiate` on the conversation with the conversation so far as transcript. */
export async function sendHandoffInitiation(context: TurnContext, handoff: HandoffContext, history: readonly TurnRecord[]): Promise<void> {
  const activities = history.filter((turn) => turn.role !== 'note').map((turn) => transcriptActivity(context, turn));
  const event = EventFactory.createHandoffInitiation(context, handoff, { activities });
  await context.sendActivity(event);
}

function transcriptActivity(context: TurnContext, turn: TurnRecord): Activity {
  const customer = context.activity.from;
  const bot = context.activity.recipient;
  const fromCustomer = turn.role === 'customer';
  return {
    type: ActivityTypes.Message,
    id: turn.id,
    text: turn.text,
    timestamp: turn.at,
    channelId: context.activity.channelId,
    conversation: context.activity.conversation,
    from: fromCustomer ? customer : { ...bot, role: turn.role },
    recipient: fromCustomer ? bot : customer,
    serviceUrl: context.activity.serviceUrl,
  } as Activity;
}
