/**
 * Who on the desk may see what (DESIGN.md §4), in one place: the API checks it against stored
 * escalations, and the live event stream against the reference every desk event carries.
 */
import type { DeskEscalationRef, DeskEvent } from '../events/topics';
import type { AgentPool, StaffRole } from '../storage/ports';

/** Who is asking: the signed-in staff member. */
export interface DeskAgent {
  readonly id: string;
  readonly name: string;
  readonly pool: AgentPool;
  readonly role: StaffRole;
}

/** Pools whose chats the agent may see and take: experts help apprentices when idle; supervisors see all. */
export function poolsOf(agent: DeskAgent): AgentPool[] {
  return agent.role === 'supervisor' || agent.pool === 'expert' ? ['expert', 'apprentice'] : ['apprentice'];
}

/** The agent may open the escalation: it waits in one of their pools, it is theirs, or they supervise. */
export function mayOpen(agent: DeskAgent, escalation: Pick<DeskEscalationRef, 'pool' | 'status' | 'agentId'>): boolean {
  if (agent.role === 'supervisor' || escalation.agentId === agent.id) return true;
  return escalation.status === 'queued' && poolsOf(agent).includes(escalation.pool);
}

/**
 * Whether a live event reaches the agent's desk. Queue changes go to everyone working the pool (a
 * chat that is taken, transferred or ended must leave their queue too); transcript lines only to
 * those who may open the chat.
 */
export function mayReceive(agent: DeskAgent, event: DeskEvent): boolean {
  if (event.type === 'transcript_added') return mayOpen(agent, event.escalation);
  return agent.role === 'supervisor' || event.escalation.agentId === agent.id || poolsOf(agent).includes(event.escalation.pool);
}
