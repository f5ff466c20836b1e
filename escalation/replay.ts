/**
 * Runs recorded conversations through the same Perceive and escalation code the bot runs, offline:
 * for tuning thresholds on evidence and for regression checks.
 */
import { z } from 'zod';
import type { Reason } from '../core/reason';
import type { Recognizer } from '../nlu/recognizer';
import { escalationTrigger, type EscalationSettings, type EscalationTrigger } from './escalation-policy';
import { CALM, type FrustrationMeter } from './frustration-meter';

export const recordedConversationSchema = z.object({
  id: z.union([z.string(), z.number()]),
  turns: z.array(z.object({ role: z.enum(['user', 'bot']), text: z.string().max(10_000) })).min(1),
});

export type RecordedConversation = z.infer<typeof recordedConversationSchema>;

export interface ReplayedTurn {
  readonly frustration: number;
  readonly escalate: boolean;
  readonly trigger?: EscalationTrigger;
  readonly reasons: readonly Reason[];
}

/** One entry per user turn, in order. */
export function replayConversation(conversation: RecordedConversation, recognizer: Recognizer, meter: FrustrationMeter, settings: EscalationSettings): ReplayedTurn[] {
  let state = CALM;
  const replayed: ReplayedTurn[] = [];
  for (const turn of conversation.turns) {
    if (turn.role !== 'user') continue;
    const understanding = recognizer.understand(turn.text);
    const result = meter.perceive(state, { text: turn.text, understanding });
    state = result.state;
    const trigger = escalationTrigger(turn.text, result.perception, understanding, settings);
    replayed.push({ frustration: result.perception.score, escalate: trigger !== undefined, trigger, reasons: result.perception.reasons });
  }
  return replayed;
}
