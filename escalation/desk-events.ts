/**
 * Publishes what happens to escalations on the event bus's `desk` topic, so every agent desk on
 * every bot instance sees it live. Publishing never fails the action that caused it (the bus logs
 * and drops what it cannot deliver); desks re-read storage when they reconnect.
 */
import type { EventBus } from '../events/event-bus';
import type { DeskChange, DeskEscalationRef } from '../events/topics';
import type { EscalationRecord, TurnRecord } from '../storage/ports';

export interface DeskEvents {
  /** The escalation entered, moved in, or left the queue, or changed hands. */
  escalationChanged(escalation: EscalationRecord, change: DeskChange, at?: Date): Promise<void>;
  /** Messages or notes were added to the escalation's conversation (already stored). */
  transcriptAdded(escalation: EscalationRecord, turns: readonly TurnRecord[]): Promise<void>;
}

/** For code paths and tests that run without a desk. */
export const NO_DESK_EVENTS: DeskEvents = {
  escalationChanged: async () => undefined,
  transcriptAdded: async () => undefined,
};

export class BusDeskEvents implements DeskEvents {
  constructor(private readonly bus: EventBus) {
    if (!bus) throw new Error('[BusDeskEvents]: Missing parameter. bus is required');
  }

  async escalationChanged(escalation: EscalationRecord, change: DeskChange, at: Date = new Date()): Promise<void> {
    await this.bus.publish('desk', { type: 'escalation_changed', escalation: refOf(escalation), change, at: at.toISOString() });
  }

  async transcriptAdded(escalation: EscalationRecord, turns: readonly TurnRecord[]): Promise<void> {
    const escalationRef = refOf(escalation);
    for (const turn of turns) {
      await this.bus.publish('desk', { type: 'transcript_added', escalation: escalationRef, turn: { id: turn.id, role: turn.role, text: turn.text, at: turn.at.toISOString(), frustration: turn.frustration?.score, reasons: turn.frustration?.reasons, masked: turn.masked } });
    }
  }
}

function refOf(escalation: EscalationRecord): DeskEscalationRef {
  return { id: escalation.id, pool: escalation.pool, status: escalation.status, agentId: escalation.agentId };
}
