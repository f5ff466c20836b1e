/**
 * When a conversation goes to a person (DESIGN.md §4): an explicit request, frustration at or
 * over the threshold, too many failed turns in a row, or a high-risk intent. Rules, in that order.
 */
import type { Understanding } from '../nlu/types';
import type { Perception } from './frustration-meter';

export type EscalationTrigger = 'human_request' | 'high_risk' | 'frustration' | 'failed_turns';

export interface EscalationSettings {
  readonly frustrationThreshold: number;
  readonly failedTurnsToEscalate: number;
}

/** Intents where a person should take over at once: money or safety is at stake. */
export const HIGH_RISK_INTENTS: ReadonlySet<string> = new Set(['compromised_card', 'complaint']);

/** Confidence needed before a high-risk intent alone sends the customer to a person. */
const HIGH_RISK_CONFIDENCE = 0.6;

export function escalationTrigger(
  perception: Perception,
  understanding: Understanding,
  settings: EscalationSettings,
): EscalationTrigger | undefined {
  if (perception.humanRequested) return 'human_request';
  const { intent, confidence } = understanding.intent;
  if (HIGH_RISK_INTENTS.has(intent) && confidence >= HIGH_RISK_CONFIDENCE) return 'high_risk';
  if (perception.score >= settings.frustrationThreshold) return 'frustration';
  if (perception.consecutiveFailures >= settings.failedTurnsToEscalate) return 'failed_turns';
  return undefined;
}
