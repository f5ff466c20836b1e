/**
 * Builds the handoff package from the conversation's turn records (DESIGN.md §4): what the
 * customer asked, how their mood moved and why, what the bot tried, a short extractive summary
 * and a suggested next best action for the agent. Offline and rule-based; an LLM may rewrite the
 * summary when configured, never replace the facts.
 */
import type { CustomerSnapshot } from '../personalization/customer-context';
import type { EscalationTrigger, HandoffPackage, MoodPoint, TurnRecord } from '../storage/ports';
import { OUT_OF_SCOPE } from '../nlu/types';

const CONVERSATIONAL = new Set(['greeting', 'goodbye', 'thanks', 'affirm', 'deny', 'human_request', OUT_OF_SCOPE]);

/** What an agent should do first, per the customer's latest task. */
const NEXT_BEST_ACTION: Readonly<Record<string, string>> = {
  card_arrival: 'Check the dispatch status of the card; if it is over 7 working days, cancel it and order an express replacement.',
  card_delivery_estimate: 'Check the dispatch date and give a firm delivery estimate.',
  lost_or_stolen_card: 'Confirm the card is frozen, review the latest transactions with the customer for fraud, and order a replacement.',
  compromised_card: 'Freeze the card now, review recent transactions for fraud, open a dispute for any the customer does not recognise, and order a replacement.',
  declined_card_payment: 'Look up the declined authorisation to see the decline reason and explain it; lift a block if it was a false fraud alert.',
  top_up_failed: 'Find the failed top-up, tell the customer whether money left their account, and when it will be returned.',
  exchange_rate: 'Explain the rate applied to the specific payment and whether a weekend markup applied.',
  exchange_charge: 'Check the monthly free exchange allowance and refund the fee as goodwill if it was unexpected.',
  card_payment_fee_charged: 'Identify the fee on the payment and refund it as goodwill if the customer was not told about it.',
  card_payment_wrong_exchange_rate: 'Compare the rate applied with the rate on the payment date and refund any difference beyond policy.',
  transaction_charged_twice: 'Find both transactions; if one is a pending duplicate, explain it drops off, otherwise raise a refund.',
  complaint: 'Acknowledge the complaint, log it formally, and agree what will happen and by when.',
};

export interface HandoffInput {
  readonly trigger: EscalationTrigger;
  readonly history: readonly TurnRecord[];
  readonly customer?: CustomerSnapshot;
  readonly dialogInProgress?: string;
}

export function buildHandoffPackage(input: HandoffInput): HandoffPackage {
  const customerTurns = input.history.filter((turn) => turn.role === 'customer');
  const intents = taskIntents(customerTurns);
  const trajectory: MoodPoint[] = customerTurns.map((turn) => ({
    at: turn.at,
    sentiment: turn.understanding?.sentiment.score ?? 0,
    frustration: turn.frustration?.score ?? 0,
    reasons: turn.frustration?.reasons ?? [],
  }));
  const botTried = whatTheBotTried(input.history);
  const latest = intents.at(-1)?.intent;
  return {
    profile: input.customer && { customerId: input.customer.id, firstName: input.customer.firstName, tier: input.customer.tier, products: input.customer.products },
    intents,
    entities: distinctEntities(customerTurns),
    trajectory,
    botTried,
    dialogInProgress: input.dialogInProgress,
    summary: summarise(input, intents.map((i) => i.intent), botTried, trajectory),
    nextBestAction: (latest && NEXT_BEST_ACTION[latest]) ?? `Read the conversation, acknowledge the wait, and resolve the customer's request${latest ? ` about ${topic(latest)}` : ''}.`,
  };
}

function taskIntents(customerTurns: readonly TurnRecord[]): { intent: string; confidence: number }[] {
  const intents: { intent: string; confidence: number }[] = [];
  for (const turn of customerTurns) {
    const intent = turn.understanding?.intent;
    if (!intent || CONVERSATIONAL.has(intent.intent) || intents.at(-1)?.intent === intent.intent) continue;
    intents.push({ intent: intent.intent, confidence: intent.confidence });
  }
  return intents;
}

function distinctEntities(customerTurns: readonly TurnRecord[]): { kind: string; text: string }[] {
  const seen = new Map<string, { kind: string; text: string }>();
  for (const entity of customerTurns.flatMap((turn) => turn.understanding?.entities ?? [])) {
    seen.set(`${entity.kind}:${entity.text.toLowerCase()}`, { kind: entity.kind, text: entity.text });
  }
  return [...seen.values()];
}

/** Dialogs the bot started and fallbacks it gave, in order, from the templates it replied with. */
function whatTheBotTried(history: readonly TurnRecord[]): string[] {
  const tried: string[] = [];
  for (const turn of history) {
    if (turn.role !== 'bot' || !turn.template) continue;
    const step = turn.template === 'fallback' ? 'fallback: offered choices' : turn.template.includes('.') ? `dialog: ${turn.template.split('.')[0]}` : undefined;
    if (step && tried.at(-1) !== step) tried.push(step);
  }
  return tried;
}

function summarise(input: HandoffInput, intents: readonly string[], botTried: readonly string[], trajectory: readonly MoodPoint[]): string {
  const who = input.customer ? `${input.customer.tier} customer` : 'Unidentified customer';
  const asked = intents.length > 0 ? `asked about ${intents.map(topic).join(', then ')}` : 'did not state a clear request';
  const tried = botTried.length > 0 ? ` The bot tried: ${botTried.join('; ')}.` : '';
  const peak = trajectory.reduce((max, point) => Math.max(max, point.frustration), 0);
  const why = TRIGGER_TEXT[input.trigger];
  return `${who} ${asked}.${tried} Handed over because ${why}; peak frustration ${peak.toFixed(2)}.`;
}

const TRIGGER_TEXT: Readonly<Record<EscalationTrigger, string>> = {
  human_request: 'the customer asked for a person',
  high_risk: 'the request is high-risk',
  frustration: 'the customer is frustrated',
  failed_turns: 'the bot failed to understand several times in a row',
};

function topic(intent: string): string {
  return intent.replace(/_/g, ' ');
}
