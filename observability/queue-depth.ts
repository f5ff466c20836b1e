/**
 * Where the queue-depth gauge reads from. On BullMQ a pool's depth is a count kept by Redis
 * (one ZCARD/LLEN round trip), never a listing of its jobs; the in-process queue lists its own
 * in-memory array.
 */
import type { AgentQueue } from '../escalation/queue/agent-queue';
import type { AgentPool } from '../storage/ports';
import type { QueueDepthSource } from './metrics';

/** The part of a BullMQ `Queue` the gauge needs. */
export interface CountingQueue {
  getJobCountByTypes(...types: ('waiting' | 'prioritized')[]): Promise<number>;
}

export function bullMqQueueDepth(queues: Readonly<Record<AgentPool, CountingQueue>>): QueueDepthSource {
  return { depth: (pool) => queues[pool].getJobCountByTypes('prioritized', 'waiting') };
}

export function agentQueueDepth(queue: AgentQueue): QueueDepthSource {
  return { depth: async (pool) => (await queue.waiting(pool)).length };
}
