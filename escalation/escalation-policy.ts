/**
 * When a conversation goes to a person (DESIGN.md §4): an explicit request, a high-risk intent,
 * too many failed turns in a row, or frustration at or over the threshold. Rules, in that order.
 */
import type { Understanding } from '../nlu/types';
import type { Perception } from './frustration-meter';

import type { EscalationTrigger } from '../storage/ports';

export type { EscalationTrigger } from '../storage/ports';

export interface EscalationSettings {
  readonly frustrationThreshold: number;
  readonly failedTurnsToEscalate: number;
}

/** Intents where a person should take over at once: money or safety is at stake. */
export const HIGH_RISK_INTENTS: ReadonlySet<string> = new Set(['compromised_card', 'complaint']);

/**
 * A lost card is self-service (the bot freezes it); a stolen one, or one used for fraud, needs a
 * person to review transactions at once. BANKING77 has one intent for both, so the words decide.
 */
const THEFT_OR_FRAUD = /\b(stolen|stole|steal|theft|thie(f|ves)|robbed|mugged|pickpocket\w*|fraud\w*|scam\w*|hacked)\b/i;

/** Confidence needed before a high-risk intent alone sends the customer to a person. */
const HIGH_RISK_CONFIDENCE = 0.6;

export function escalationTrigger(
  text: string,
  perception: Perception,
  understanding: Understanding,
  settings: EscalationSettings,
): EscalationTrigger | undefined {
  if (perception.humanRequested) return 'human_request';
  const { intent, confidence } = understanding.intent;
  const highRisk = HIGH_RISK_INTENTS.has(intent) || (intent === 'lost_or_stolen_card' && THEFT_OR_FRAUD.test(text));
  if (highRisk && confidence >= HIGH_RISK_CONFIDENCE) return 'high_risk';
  if (perception.consecutiveFailures >= settings.failedTurnsToEscalate) return 'failed_turns';
  if (perception.score >= settings.frustrationThreshold) return 'frustration';
  return undefined;
}
