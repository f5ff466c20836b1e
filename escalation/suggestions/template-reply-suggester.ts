/**
 * Offline suggestions from content templates: acknowledge why the chat came to a person, say what
 * happens next for the customer's latest task, and ask for a moment to check. The tone follows the
 * customer's mood as the agent would read it.
 */
import type { ContentLibrary } from '../../content/content-library';
import { channelProfile } from '../../personalization/channel-profile';
import type { Tone } from '../../personalization/tone';
import type { EscalationRecord, TurnRecord } from '../../storage/ports';
import type { ReplySuggester, SuggestedReply, SuggestionRequest } from './reply-suggester';

/** Task intents grouped by what the agent will do about them (templates `agentDesk.topic.<group>`). */
const TOPIC_OF_INTENT: Readonly<Record<string, string>> = {
  card_arrival: 'cardArrival',
  card_delivery_estimate: 'cardArrival',
  lost_or_stolen_card: 'lostCard',
  compromised_card: 'lostCard',
  lost_or_stolen_phone: 'lostCard',
  card_swallowed: 'lostCard',
  declined_card_payment: 'declinedPayment',
  declined_transfer: 'declinedPayment',
  declined_cash_withdrawal: 'declinedPayment',
  top_up_failed: 'topUp',
  top_up_reverted: 'topUp',
  pending_top_up: 'topUp',
  exchange_rate: 'charges',
  exchange_charge: 'charges',
  card_payment_fee_charged: 'charges',
  card_payment_wrong_exchange_rate: 'charges',
  transaction_charged_twice: 'charges',
  extra_charge_on_statement: 'charges',
  complaint: 'complaint',
};

/** Every `agentDesk.topic.<group>` the suggester asks for (content/required-templates.ts lists them). */
export const AGENT_DESK_TOPICS: readonly string[] = [...new Set(Object.values(TOPIC_OF_INTENT)), 'general'];

/** Frustration from which the agent should open with an apology rather than business as usual. */
const UPSET_AT = 0.5;
/** Sentiment (−1…1) from which a calm customer is met warmly. */
const CHEERFUL_AT = 0.3;

export class TemplateReplySuggester implements ReplySuggester {
  constructor(private readonly content: ContentLibrary) {
    if (!content) throw new Error('[TemplateReplySuggester]: Missing parameter. content is required');
  }

  async suggest(request: SuggestionRequest): Promise<SuggestedReply[]> {
    const { escalation } = request;
    const tone = toneForAgent(escalation, request.transcript);
    const channel = channelProfile(escalation.channelId);
    const data = { firstName: escalation.handoff.profile?.firstName };
    const templates = [`agentDesk.acknowledge.${escalation.trigger}`, `agentDesk.topic.${topicOf(escalation)}`, 'agentDesk.nextStep'];
    return templates.map((template) => ({ text: this.content.text({ template, tone, channel, data }), tone, source: 'template' as const }));
  }
}

/**
 * The tone an agent should take: reassuring for a high-risk request (stolen card, fraud), empathetic
 * for a frustrated customer, warm for a cheerful and calm one, neutral otherwise.
 */
export function toneForAgent(escalation: EscalationRecord, transcript: readonly TurnRecord[]): Tone {
  if (escalation.trigger === 'high_risk') return 'reassuring';
  const lastCustomerTurn = transcript.filter((turn) => turn.role === 'customer').at(-1);
  const frustration = lastCustomerTurn?.frustration?.score ?? escalation.frustration;
  if (frustration >= UPSET_AT || escalation.trigger === 'frustration' || escalation.trigger === 'failed_turns') return 'empathetic';
  const sentiment = lastCustomerTurn?.understanding?.sentiment.score ?? escalation.handoff.trajectory.at(-1)?.sentiment ?? 0;
  return sentiment >= CHEERFUL_AT ? 'warm' : 'neutral';
}

/** The template group for the customer's latest task, or `general`. */
export function topicOf(escalation: EscalationRecord): string {
  const latest = escalation.handoff.intents.at(-1)?.intent;
  return (latest && TOPIC_OF_INTENT[latest]) ?? 'general';
}
