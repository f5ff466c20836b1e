/**
 * Chooses the tone of this turn's replies from mood, frustration and what is at stake
 * (DESIGN.md §5). The reasons are recorded on the turn.
 */
import type { Reason } from '../core/reason';
import type { Perception } from '../escalation/frustration-meter';
import type { Understanding } from '../nlu/types';
import type { Tone } from './tone';

/** Intents where the customer is worried about their money: reassure first. */
const ANXIOUS_INTENTS: ReadonlySet<string> = new Set([
  'lost_or_stolen_card',
  'compromised_card',
  'lost_or_stolen_phone',
  'card_swallowed',
  'transaction_charged_twice',
  'cash_withdrawal_not_recognised',
  'card_payment_not_recognised',
  'direct_debit_payment_not_recognised',
]);

export interface ToneChoice {
  readonly tone: Tone;
  readonly reasons: readonly Reason[];
}

export function chooseTone(understanding: Understanding, perception: Perception): ToneChoice {
  const { sentiment, intent } = understanding;
  if (perception.score >= 0.35 || sentiment.cues.anger >= 0.5) {
    return { tone: 'empathetic', reasons: [{ name: 'customer_frustrated', weight: perception.score }] };
  }
  if (ANXIOUS_INTENTS.has(intent.intent) || sentiment.cues.anxiety >= 0.5 || sentiment.cues.urgency >= 0.6) {
    return { tone: 'reassuring', reasons: [{ name: 'customer_anxious', weight: Math.max(sentiment.cues.anxiety, sentiment.cues.urgency) }] };
  }
  if (sentiment.score >= 0.4 || sentiment.cues.gratitude >= 0.5) {
    return { tone: 'warm', reasons: [{ name: 'customer_positive', weight: sentiment.score }] };
  }
  return { tone: 'neutral', reasons: [{ name: 'calm_exchange', weight: 1 }] };
}
