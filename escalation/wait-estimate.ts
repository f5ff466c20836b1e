/**
 * An honest wait estimate: position in the pool × how long agents of that pool recently took per
 * chat. With no history yet it says so (a default, marked as such) rather than inventing precision.
 */
import type { AgentPool, Escalations } from '../storage/ports';

/** Used until the pool has resolved chats to learn from. */
export const DEFAULT_HANDLE_MINUTES = 6;
const RECENT_CHATS = 20;

export interface WaitEstimate {
  readonly minutes: number;
  /** True when based on the pool's recent handle times, false when on the default. */
  readonly measured: boolean;
}

export class WaitEstimator {
  constructor(private readonly escalations: Escalations) {}

  async estimate(pool: AgentPool, position: number): Promise<WaitEstimate> {
    const recent = await this.escalations.list({ statuses: ['resolved'], pools: [pool], newestFirst: true }, RECENT_CHATS);
    const handled = recent
      .filter((e) => e.assignedAt && e.endedAt)
      .map((e) => (e.endedAt!.getTime() - e.assignedAt!.getTime()) / 60_000);
    const perChat = handled.length > 0 ? handled.reduce((a, b) => a + b, 0) / handled.length : DEFAULT_HANDLE_MINUTES;
    return { minutes: Math.max(1, Math.ceil(perChat * position)), measured: handled.length > 0 };
  }
}
