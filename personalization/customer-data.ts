/**
 * A customer's rights over their data (DESIGN.md §3): export everything we hold about them, and
 * erase it. Erasure removes the profile, the conversations with their bot state and every turn
 * in them; offer events and escalations are anonymised, so insights keep their counts and nothing
 * points at the person.
 */
import type { AttuneStore, ConversationRecord, CustomerProfile, EscalationRecord, EscalationStatus, OfferEvent, TurnRecord } from '../storage/ports';

/** More than any one customer has; the export is complete, not a page. */
const EVERYTHING = Infinity;

export interface CustomerExport {
  readonly profile: CustomerProfile;
  readonly conversations: readonly ConversationRecord[];
  readonly turns: readonly TurnRecord[];
  readonly offerEvents: readonly OfferEvent[];
  readonly escalations: readonly ExportedEscalation[];
}

/**
 * An escalation as the customer sees it in their export: without the routing internals (how the
 * bot reaches their channel, which agent and pool, the queue priority).
 */
export type ExportedEscalation = Omit<EscalationRecord, 'conversationReference' | 'agentId' | 'pool' | 'priority'>;

export interface ErasureCounts {
  readonly profiles: number;
  readonly conversations: number;
  readonly turns: number;
  /** Offer events kept only as anonymised counts. */
  readonly offerEventsAnonymised: number;
  /** Escalations kept for insights without anything that points at the person. */
  readonly escalationsAnonymised: number;
}

type CustomerStore = Pick<AttuneStore, 'customers' | 'conversations' | 'turns' | 'offerEvents' | 'escalations' | 'botState'>;

const EVERY_ESCALATION_STATUS: readonly EscalationStatus[] = ['queued', 'assigned', 'resolved', 'abandoned', 'expired'];

/** Undefined when there is no customer with that id. */
export async function exportCustomer(store: CustomerStore, id: string): Promise<CustomerExport | undefined> {
  const profile = await store.customers.get(id);
  if (!profile) return undefined;
  const [conversations, offerEvents, escalations] = await Promise.all([
    store.conversations.listByCustomer(id, EVERYTHING),
    store.offerEvents.listByCustomer(id, EVERYTHING),
    store.escalations.list({ statuses: EVERY_ESCALATION_STATUS, customerId: id }, EVERYTHING),
  ]);
  const turns = (await Promise.all(conversations.map((c) => store.turns.listByConversation(c.id, EVERYTHING)))).flat();
  return { profile, conversations, turns, offerEvents, escalations: escalations.map(exportedEscalation) };
}

function exportedEscalation(record: EscalationRecord): ExportedEscalation {
  const { conversationReference: _reference, agentId: _agent, pool: _pool, priority: _priority, ...fields } = record;
  return fields;
}

/**
 * Erases in an order that a crash can only leave half-done in a rerunnable way: turns (found
 * through the conversations) first, the conversations next, the profile last, so a rerun still
 * finds the customer.
 */
export async function eraseCustomer(store: CustomerStore, id: string): Promise<ErasureCounts> {
  const conversations = await store.conversations.listByCustomer(id, EVERYTHING);
  const turns = await store.turns.eraseCustomer(id, conversations.map((c) => c.id));
  // Conversation state caches the profile snapshot (name, tier, the unfinished task's answers).
  await store.botState.delete(conversations.map(conversationStateKey));
  const offerEventsAnonymised = await store.offerEvents.anonymiseCustomer(id);
  // Handoff packages hold the first name, tier, products, entities and how to reach the customer.
  const escalationsAnonymised = await store.escalations.anonymiseCustomer(id);
  const conversationCount = await store.conversations.eraseByCustomer(id);
  const profiles = (await store.customers.erase(id)) ? 1 : 0;
  return { profiles, conversations: conversationCount, turns, offerEventsAnonymised, escalationsAnonymised };
}

/** Where botbuilder's ConversationState (no namespace, as index.ts builds it) keeps a conversation. */
function conversationStateKey(conversation: ConversationRecord): string {
  return `${conversation.channelId}/conversations/${conversation.conversationId}/`;
}
