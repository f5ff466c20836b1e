/**
 * The human side of a handoff (DESIGN.md §4): agents see the waiting chats of their pools, take one
 * (exactly one agent wins), read the handoff package and transcript, write to the customer on their
 * channel, and resolve, after which the bot thanks the customer and asks for a rating.
 */
import { randomUUID } from 'node:crypto';
import type { Activity } from 'botbuilder';
import type { ContentLibrary } from '../content/content-library';
import { AttuneError, isAttuneError } from '../core/errors';
import type { Logger } from '../core/logger';
import { channelProfile } from '../personalization/channel-profile';
import type { Tone } from '../personalization/tone';
import type { AgentPool, Conversations, EscalationRecord, Escalations, TurnRecord, Turns } from '../storage/ports';
import { mayOpen, poolsOf, type DeskAgent } from './desk-access';
import { NO_DESK_EVENTS, type DeskEvents } from './desk-events';
import { slaDueAt, type EscalationTimings } from './escalation-service';
import type { AgentQueue } from './queue/agent-queue';

export type { DeskAgent } from './desk-access';

/** Sends an activity to a customer outside their own turn (proactive message). */
export interface CustomerMessenger {
  /** Resolves once delivered; @throws AttuneError ATTUNE_CONVERSATION_NOT_FOUND when the customer's conversation is gone */
  send(conversationReference: Readonly<Record<string, unknown>>, activity: Partial<Activity>): Promise<void>;
}

/** What an agent writes to the customer. */
export interface AgentMessage {
  readonly text: string;
  /** The desk's id for this message, repeated when it retries without having had an answer. */
  readonly clientMessageId?: string;
}

export interface QueueItem {
  readonly id: string;
  readonly pool: AgentPool;
  readonly priority: number;
  readonly trigger: EscalationRecord['trigger'];
  readonly waitingSeconds: number;
  readonly frustration: number;
  /** The customer's mood at handover, in a word the desk shows. */
  readonly mood: Mood;
  readonly afterHours: boolean;
  readonly summary: string;
  readonly customer?: { readonly firstName?: string; readonly tier: string };
}

/** A chat in progress, as the desk lists it. */
export interface HeldChat {
  readonly id: string;
  readonly pool: AgentPool;
  /** Who holds it (a supervisor sees everyone's). */
  readonly agentId?: string;
  /** How long since it was taken. */
  readonly heldSeconds?: number;
  readonly trigger: EscalationRecord['trigger'];
  readonly mood: Mood;
  readonly afterHours: boolean;
  readonly summary: string;
  readonly customer?: { readonly firstName?: string; readonly tier: string };
}

export type Mood = 'frustrated' | 'unhappy' | 'calm' | 'positive';

/** Frustration wins over sentiment: a politely worded message from someone stuck for an hour is not calm. */
export function moodOf(frustration: number, sentiment: number): Mood {
  if (frustration >= 0.5) return 'frustrated';
  if (sentiment <= -0.3) return 'unhappy';
  return sentiment >= 0.3 ? 'positive' : 'calm';
}

const TRANSCRIPT_LIMIT = 200;
const MAX_MESSAGE_LENGTH = 4000;

export class AgentDesk {
  constructor(
    private readonly escalations: Escalations,
    private readonly turns: Turns,
    private readonly conversations: Conversations,
    private readonly queue: AgentQueue,
    /** The SLA a transferred chat waits under again. */
    private readonly timings: Pick<EscalationTimings, 'slaMs'>,
    private readonly messenger: CustomerMessenger,
    private readonly content: ContentLibrary,
    private readonly logger: Logger,
    /** Live updates for every desk on every instance. */
    private readonly events: DeskEvents = NO_DESK_EVENTS,
  ) {}

  /** Waiting chats the agent may take, highest priority first, then longest waiting. */
  async waiting(agent: DeskAgent, now: Date = new Date()): Promise<QueueItem[]> {
    const queued = await this.escalations.list({ statuses: ['queued'], pools: poolsOf(agent) }, 500);
    return queued
      .sort((a, b) => b.priority - a.priority || a.createdAt.getTime() - b.createdAt.getTime())
      .map((e) => ({
        id: e.id,
        pool: e.pool,
        priority: e.priority,
        trigger: e.trigger,
        waitingSeconds: Math.round((now.getTime() - e.createdAt.getTime()) / 1000),
        frustration: e.frustration,
        mood: moodOf(e.frustration, e.handoff.trajectory.at(-1)?.sentiment ?? 0),
        afterHours: e.afterHours,
        summary: e.handoff.summary,
        customer: e.handoff.profile && { firstName: e.handoff.profile.firstName, tier: e.handoff.profile.tier },
      }));
  }

  /** The handoff package and the live transcript. */
  async open(agent: DeskAgent, id: string): Promise<{ escalation: EscalationRecord; transcript: TurnRecord[] }> {
    const escalation = await this.visible(agent, id);
    return { escalation, transcript: await this.turns.listByConversation(escalation.conversationId, TRANSCRIPT_LIMIT) };
  }

  /**
   * Takes a waiting chat. Of two agents taking the same chat, exactly one wins; the other gets a
   * conflict. Taking a chat one already holds finishes the take: a first attempt that failed after
   * the claim (storage or Redis away), or whose answer was lost, is simply tried again.
   */
  async take(agent: DeskAgent, id: string, now: Date = new Date()): Promise<EscalationRecord> {
    const escalation = await this.escalations.get(id);
    // Pool membership, not status, decides visibility here: the loser of a race learns "taken" (409).
    if (!escalation || !poolsOf(agent).includes(escalation.pool)) throw notFound();
    const repeat = escalation.status === 'assigned' && escalation.agentId === agent.id;
    const taken = repeat ? escalation : await this.escalations.transition(escalation.id, ['queued'], 'assigned', { agentId: agent.id, assignedAt: now }, now);
    if (!taken) throw new AttuneError('ATTUNE_ESCALATION_STATE', 'This chat is no longer waiting: someone else took it, or it ended.');
    // Each step is idempotent, so a repeat runs them all again.
    await this.queue.remove(taken.id);
    await this.queue.cancelTimer('sla', taken.id);
    const moved = await this.conversations.transition(taken.conversationId, ['queued'], 'with_agent', now);
    await this.events.escalationChanged(taken, 'taken', now);
    // Nothing after the conversation's move can fail, so on a repeat that finds it moved already the
    // first attempt got to this notice: telling the customer again would announce a second person.
    if (!repeat || moved) await this.tell(taken, 'handoff.agentJoined', { agentName: agent.name });
    this.logger.info({ escalation: taken.id, agent: agent.id, pool: taken.pool, repeat }, 'chat taken');
    return taken;
  }

  /**
   * The chats in progress the agent holds, oldest first (a supervisor: everyone's), so a desk that
   * reloads finds them again; the page keeps open chats only in its memory.
   */
  async held(agent: DeskAgent, now: Date = new Date()): Promise<HeldChat[]> {
    const mine = agent.role === 'supervisor' ? {} : { agentId: agent.id };
    const assigned = await this.escalations.list({ statuses: ['assigned'], ...mine }, 500);
    return assigned.map((e) => ({
      id: e.id,
      pool: e.pool,
      agentId: e.agentId,
      heldSeconds: e.assignedAt && Math.round((now.getTime() - e.assignedAt.getTime()) / 1000),
      trigger: e.trigger,
      mood: moodOf(e.frustration, e.handoff.trajectory.at(-1)?.sentiment ?? 0),
      afterHours: e.afterHours,
      summary: e.handoff.summary,
      customer: e.handoff.profile && { firstName: e.handoff.profile.firstName, tier: e.handoff.profile.tier },
    }));
  }

  /**
   * Records the agent's words, then sends them to the customer on their channel; resolves the
   * recorded turn.
   *
   * Recorded first, so a message the customer got is always in the transcript, and a failed write
   * sends nothing. Turns are append-only (no engine updates or removes one), so a send that fails
   * leaves the turn, followed by a note saying it was not delivered, and rejects with the send's
   * error. `clientMessageId` (the desk makes one per message, and repeats it when it got no answer)
   * names the turn, so a repeat finds it instead of sending again: each id is sent at most once. A
   * repeat resolves the turn recorded the first time, or, if that one was not delivered, rejects
   * with ATTUNE_MESSAGE_NOT_DELIVERED. It does not resend: a resend's own outcome would need another
   * record, and the agent, told, simply sends the words again as a new message.
   */
  async sendMessage(agent: DeskAgent, id: string, message: AgentMessage, now: Date = new Date()): Promise<TurnRecord> {
    const escalation = await this.ownedBy(agent, id);
    const trimmed = message.text.trim();
    if (trimmed === '' || trimmed.length > MAX_MESSAGE_LENGTH) {
      throw new AttuneError('ATTUNE_REQUEST_INVALID', `A message must have 1 to ${MAX_MESSAGE_LENGTH} characters.`);
    }
    const turnId = message.clientMessageId === undefined ? randomUUID() : `${escalation.id}:${message.clientMessageId}`;
    const turn: TurnRecord = { id: turnId, conversationId: escalation.conversationId, customerId: escalation.customerId, role: 'agent', text: trimmed, at: now };
    try {
      await this.turns.append([turn]);
    } catch (error) {
      if (message.clientMessageId !== undefined && isAttuneError(error, 'ATTUNE_STORAGE_CONFLICT')) return this.repeated(escalation, turn, error);
      throw error;
    }
    try {
      await this.messenger.send(escalation.conversationReference, { type: 'message', text: trimmed, channelData: { attune: { from: 'agent' } } });
    } catch (error) {
      const note: TurnRecord = { id: notDeliveredId(turn.id), conversationId: escalation.conversationId, role: 'note', text: `Not delivered to the customer: ${trimmed}`, at: now };
      const marked = await this.turns.append([note]).then(
        () => true,
        (noteError: unknown) => {
          // Unmarked, a repeat takes the message for delivered: misleading, but still never sent twice.
          this.logger.warn({ err: noteError, escalation: escalation.id, turn: turn.id }, 'an undelivered agent message could not be marked as such');
          return false;
        },
      );
      await this.events.transcriptAdded(escalation, marked ? [turn, note] : [turn]);
      throw error;
    }
    await this.events.transcriptAdded(escalation, [turn]);
    return turn;
  }

  /** An internal note on the conversation, for colleagues; the customer never sees it. Resolves the note. */
  async addNote(agent: DeskAgent, id: string, text: string, now: Date = new Date()): Promise<TurnRecord> {
    const escalation = await this.visible(agent, id);
    const trimmed = text.trim();
    if (trimmed === '' || trimmed.length > MAX_MESSAGE_LENGTH) throw new AttuneError('ATTUNE_REQUEST_INVALID', `A note must have 1 to ${MAX_MESSAGE_LENGTH} characters.`);
    const note: TurnRecord = { id: randomUUID(), conversationId: escalation.conversationId, role: 'note', text: `${agent.name}: ${trimmed}`, at: now };
    await this.turns.append([note]);
    await this.events.transcriptAdded(escalation, [note]);
    return note;
  }

  /**
   * Hands the chat to the other pool: it waits there again, keeping its place by age and priority,
   * and its SLA timer is armed again (taking it stopped it). The SLA counts from when the customer
   * first asked, not from the transfer: a customer passed on after a long first chat has waited
   * long already, so such a chat moves up in the new pool at once (once: slaBreachedAt). It is
   * nobody's until someone takes it: the agent who passed it on no longer reads its transcript or
   * gets its messages.
   */
  async transfer(agent: DeskAgent, id: string, pool: AgentPool, now: Date = new Date()): Promise<EscalationRecord> {
    const escalation = await this.ownedBy(agent, id);
    const moved = await this.escalations.transition(escalation.id, ['assigned'], 'queued', { pool, agentId: null, assignedAt: null }, now);
    if (!moved) throw new AttuneError('ATTUNE_ESCALATION_STATE', 'This chat has already ended.');
    await this.queue.enqueue({ escalationId: moved.id, pool, priority: moved.priority, enqueuedAt: moved.createdAt.getTime() });
    const slaDue = slaDueAt(moved, this.timings.slaMs);
    if (slaDue !== undefined) await this.queue.schedule('sla', moved.id, slaDue);
    await this.conversations.transition(moved.conversationId, ['with_agent'], 'queued', now);
    await this.events.escalationChanged(moved, 'transferred', now);
    await this.tell(moved, 'handoff.transferred', {});
    this.logger.info({ escalation: moved.id, agent: agent.id, pool }, 'chat transferred');
    return moved;
  }

  /** Ends the chat; the bot takes the conversation back, thanks the customer and asks for a rating. */
  async resolve(agent: DeskAgent, id: string, disposition: string, now: Date = new Date()): Promise<EscalationRecord> {
    const escalation = await this.ownedBy(agent, id);
    const resolved = await this.escalations.transition(escalation.id, ['assigned'], 'resolved', { endedAt: now, disposition }, now);
    if (!resolved) throw new AttuneError('ATTUNE_ESCALATION_STATE', 'This chat has already ended.');
    await this.queue.cancelTimer('abandon', resolved.id);
    await this.conversations.transition(resolved.conversationId, ['with_agent', 'queued'], 'bot', now);
    await this.events.escalationChanged(resolved, 'resolved', now);
    await this.tell(resolved, 'handoff.resolved', {});
    this.logger.info({ escalation: resolved.id, agent: agent.id, disposition }, 'chat resolved');
    return resolved;
  }

  /** A message id the desk sent before: what became of that message, without sending it again. */
  private async repeated(escalation: EscalationRecord, attempt: TurnRecord, conflict: unknown): Promise<TurnRecord> {
    const recent = await this.turns.listByConversation(escalation.conversationId, TRANSCRIPT_LIMIT);
    const earlier = recent.find((turn) => turn.id === attempt.id);
    // The id names some other message (a client that reuses ids): refuse rather than guess.
    if (earlier?.role !== 'agent' || earlier.text !== attempt.text) throw conflict;
    if (recent.some((turn) => turn.id === notDeliveredId(attempt.id))) {
      throw new AttuneError('ATTUNE_MESSAGE_NOT_DELIVERED', 'This message was not delivered to the customer; send it again as a new message.');
    }
    return earlier;
  }

  private async visible(agent: DeskAgent, id: string): Promise<EscalationRecord> {
    const escalation = await this.escalations.get(id);
    if (!escalation || !mayOpen(agent, escalation)) throw notFound();
    return escalation;
  }

  private async ownedBy(agent: DeskAgent, id: string): Promise<EscalationRecord> {
    const escalation = await this.visible(agent, id);
    if (escalation.status !== 'assigned') throw new AttuneError('ATTUNE_ESCALATION_STATE', `This chat is ${escalation.status}, not in progress.`);
    if (escalation.agentId !== agent.id && agent.role !== 'supervisor') throw new AttuneError('ATTUNE_FORBIDDEN', 'Another agent has this chat.');
    return escalation;
  }

  /**
   * A notice about a change already made (taken, transferred, resolved): one the customer cannot
   * get is logged, not thrown, so the agent is not told the change failed when it did not.
   */
  private async tell(escalation: EscalationRecord, template: string, data: Record<string, unknown>): Promise<void> {
    const tone: Tone = escalation.frustration >= 0.35 ? 'empathetic' : 'warm';
    const activity = this.content.render({ template, tone, channel: channelProfile(escalation.channelId), data });
    try {
      await this.messenger.send(escalation.conversationReference, activity);
    } catch (error) {
      this.logger[isAttuneError(error, 'ATTUNE_CONVERSATION_NOT_FOUND') ? 'info' : 'warn']({ err: error, escalation: escalation.id, template }, 'the customer did not get a notice from the desk');
    }
  }
}

/** The note that marks the agent's turn `turnId` as not delivered. */
function notDeliveredId(turnId: string): string {
  return `${turnId}:not-delivered`;
}

function notFound(): AttuneError {
  return new AttuneError('ATTUNE_ESCALATION_NOT_FOUND', 'No such escalation in your pools.');
}
