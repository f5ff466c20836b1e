/**
 * The input every AgentQueue adapter accepts, checked the same way by all of them so that a call
 * that works on the in-process queue also works on Redis (and one that fails, fails on both).
 * These are programming errors (the values come from routing and the Escalations store, never
 * straight from a request), so they throw TypeError/RangeError rather than an AttuneError.
 */
import type { AgentPool } from '../../storage/ports';
import type { TimerKind, WaitingChat } from './agent-queue';

/**
 * The highest chat priority. BullMQ serves priority 1 first and accepts up to 2,097,151; attune's
 * "higher is first" maps onto it as `2,097,151 - priority`, so 0…2,097,150 fit exactly.
 */
export const MAX_CHAT_PRIORITY = 2_097_150;

export const AGENT_POOLS: readonly AgentPool[] = ['apprentice', 'expert'];
export const TIMER_KINDS: readonly TimerKind[] = ['sla', 'abandon', 'after_hours_callback'];

export function checkEscalationId(escalationId: string): void {
  if (typeof escalationId !== 'string' || escalationId === '') {
    throw new TypeError(`escalationId must be a non-empty string, got ${JSON.stringify(escalationId)}`);
  }
}

export function checkPool(pool: AgentPool): void {
  if (!AGENT_POOLS.includes(pool)) throw new TypeError(`Unknown agent pool ${JSON.stringify(pool)}; expected one of ${AGENT_POOLS.join(', ')}`);
}

export function checkWaitingChat(chat: WaitingChat): void {
  checkEscalationId(chat.escalationId);
  checkPool(chat.pool);
  if (!Number.isInteger(chat.priority) || chat.priority < 0 || chat.priority > MAX_CHAT_PRIORITY) {
    throw new RangeError(`priority must be an integer from 0 to ${MAX_CHAT_PRIORITY}, got ${chat.priority}`);
  }
  if (!Number.isFinite(chat.enqueuedAt)) throw new RangeError(`enqueuedAt must be epoch milliseconds, got ${chat.enqueuedAt}`);
}

export function checkPools(pools: readonly AgentPool[]): void {
  if (!Array.isArray(pools)) throw new TypeError('pools must be an array of agent pools');
  pools.forEach(checkPool);
}

/** `undefined` means "all"; 0 means none (never "no limit"). */
export function checkLimit(limit: number | undefined): void {
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
    throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
  }
}

export function checkTimer(kind: TimerKind, escalationId: string, dueAt?: number): void {
  if (!TIMER_KINDS.includes(kind)) throw new TypeError(`Unknown timer kind ${JSON.stringify(kind)}; expected one of ${TIMER_KINDS.join(', ')}`);
  checkEscalationId(escalationId);
  if (dueAt !== undefined && !Number.isFinite(dueAt)) throw new RangeError(`dueAt must be epoch milliseconds, got ${dueAt}`);
}
