/**
 * Business metrics taken where the facts are written: a store view that reports NLU confidence
 * when a customer turn is appended, and escalations, queue wait, handle time and CSAT when an
 * escalation is created or changes status. Nothing in the turn pipeline or the agent desk needs
 * to know about metrics, and a metric is only counted once its fact is stored.
 */
import type { AttuneStore, EscalationRecord, Escalations, Turns } from '../storage/ports';
import type { AttuneMetrics } from './metrics';

/** The same store, with `turns` and `escalations` reporting to `metrics`. */
export function observeStore(store: AttuneStore, metrics: AttuneMetrics): AttuneStore {
  return Object.freeze({ ...store, turns: observeTurns(store.turns, metrics), escalations: observeEscalations(store.escalations, metrics) });
}

export function observeTurns(turns: Turns, metrics: AttuneMetrics): Turns {
  return overriding(turns, {
    append: async (records: Parameters<Turns['append']>[0]) => {
      await turns.append(records);
      for (const record of records) {
        if (record.role === 'customer' && record.understanding) metrics.intentRecognized(record.understanding.intent.confidence);
      }
    },
  });
}

export function observeEscalations(escalations: Escalations, metrics: AttuneMetrics): Escalations {
  return overriding(escalations, {
    create: async (record: EscalationRecord) => {
      const stored = await escalations.create(record);
      // Not counted when the conversation's active escalation was already there (another instance's turn).
      if (stored.id === record.id) metrics.escalated(record.trigger, record.pool);
      return stored;
    },
    transition: async (...args: Parameters<Escalations['transition']>) => {
      const [, from, to] = args;
      const changed = await escalations.transition(...args);
      if (changed === undefined) return changed;
      // The wait a customer feels: from asking for a person until someone took the chat.
      if (to === 'assigned' && from.includes('queued') && changed.assignedAt) metrics.chatTaken(changed.pool, seconds(changed.createdAt, changed.assignedAt));
      if (to === 'resolved' && changed.assignedAt && changed.endedAt) metrics.chatResolved(changed.pool, seconds(changed.assignedAt, changed.endedAt));
      return changed;
    },
    recordCsat: async (id: string, rating: number, at: Date) => {
      const recorded = await escalations.recordCsat(id, rating, at);
      if (recorded) metrics.rated(rating);
      return recorded;
    },
  });
}

function seconds(from: Date, to: Date): number {
  return (to.getTime() - from.getTime()) / 1000;
}

/**
 * `target` with some methods replaced. The other members are inherited from `target` itself, so a
 * method added to the port later keeps working through the view without a change here.
 */
function overriding<T extends object>(target: T, overrides: Partial<T>): T {
  return Object.assign(Object.create(target) as T, overrides);
}
