/**
 * Chooses the tone of this turn's replies from mood, frustration, what is at stake and the
 * customer's stated preferences (DESIGN.md §5). Mood and risk come first: an upset or worried
 * customer is met with empathy or reassurance whatever their style. In a calm exchange the stated
 * preference wins: "friendly" and loyal customers get warmth, "formal" and "concise" never get
 * chatty warmth. The reasons are recorded on the turn.
 */
import type { Reason } from '../core/reason';
import type { Perception } from '../escalation/frustration-meter';
import type { Understanding } from '../nlu/types';
import type { CustomerPreferences, CustomerTier } from '../storage/ports';
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

const LOYAL_TIERS: ReadonlySet<CustomerTier> = new Set(['premium', 'private']);

/** What the tone policy may know about the customer: their stated style and how long-standing they are. */
export interface ToneProfile {
  readonly style?: CustomerPreferences['tone'];
  readonly tier?: CustomerTier;
}

export interface ToneChoice {
  readonly tone: Tone;
  readonly reasons: readonly Reason[];
}

export function chooseTone(understanding: Understanding, perception: Perception, profile: ToneProfile = {}): ToneChoice {
  const { sentiment, intent } = understanding;
  if (perception.score >= 0.35 || sentiment.cues.anger >= 0.5) {
    return { tone: 'empathetic', reasons: [{ name: 'customer_frustrated', weight: perception.score }] };
  }
  if (ANXIOUS_INTENTS.has(intent.intent)) {
    return { tone: 'reassuring', reasons: [{ name: 'intent_at_risk', weight: 1, detail: intent.intent }] };
  }
  if (sentiment.cues.anxiety >= 0.5 || sentiment.cues.urgency >= 0.6) {
    return { tone: 'reassuring', reasons: [{ name: 'customer_anxious', weight: Math.max(sentiment.cues.anxiety, sentiment.cues.urgency) }] };
  }
  const restrained = profile.style === 'formal' || profile.style === 'concise';
  const positive = sentiment.score >= 0.4 || sentiment.cues.gratitude >= 0.5;
  if (restrained) {
    const moodReason = positive ? [{ name: 'customer_positive', weight: sentiment.score }] : [{ name: 'calm_exchange', weight: 1 }];
    return { tone: 'neutral', reasons: [...moodReason, { name: `prefers_${profile.style}`, weight: 1 }] };
  }
  if (positive) return { tone: 'warm', reasons: [{ name: 'customer_positive', weight: sentiment.score }] };
  if (profile.style === 'friendly') return { tone: 'warm', reasons: [{ name: 'prefers_friendly', weight: 1 }] };
  if (profile.tier && LOYAL_TIERS.has(profile.tier)) return { tone: 'warm', reasons: [{ name: 'loyal_customer', weight: 1, detail: profile.tier }] };
  return { tone: 'neutral', reasons: [{ name: 'calm_exchange', weight: 1 }] };
}
