/**
 * Storage ports: what the application needs from persistence, named by role. Adapters
 * (memory, embedded, mongodb) implement them; one contract suite per port runs on every adapter.
 */
import type { Storage } from 'botbuilder';
import type { Reason } from '../core/reason';
import type { Understanding } from '../nlu/types';

export type StoreKind = 'memory' | 'embedded' | 'mongodb';

/** How a customer is known on one channel (e.g. a Web Chat user id, a Teams AAD object id). */
export interface ChannelIdentity {
  readonly channelId: string;
  readonly userId: string;
}

export type CustomerTier = 'standard' | 'plus' | 'premium' | 'private';

export interface CustomerPreferences {
  readonly tone?: 'concise' | 'formal' | 'friendly';
  readonly useFirstName?: boolean;
  readonly contactChannel?: string;
}

export interface CustomerConsent {
  readonly marketing: boolean;
  readonly updatedAt?: Date;
}

/** A customer profile. Deliberately has no sensitive attributes (age, gender, health, …). */
export interface CustomerProfile {
  readonly id: string;
  readonly identities: readonly ChannelIdentity[];
  readonly firstName?: string;
  readonly tier: CustomerTier;
  readonly products: readonly string[];
  readonly preferences: CustomerPreferences;
  readonly consent: CustomerConsent;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface CustomerProfiles {
  get(id: string): Promise<CustomerProfile | undefined>;
  findByIdentity(identity: ChannelIdentity): Promise<CustomerProfile | undefined>;
  /** Inserts or replaces the whole profile. */
  save(profile: CustomerProfile): Promise<void>;
}

export type ConversationStatus = 'bot' | 'queued' | 'with_agent' | 'resolved' | 'abandoned';

export interface ConversationRecord {
  /** `${channelId}:${conversationId}`: unique across channels. */
  readonly id: string;
  readonly channelId: string;
  readonly conversationId: string;
  readonly customerId?: string;
  readonly status: ConversationStatus;
  readonly startedAt: Date;
  readonly updatedAt: Date;
}

export interface Conversations {
  get(id: string): Promise<ConversationRecord | undefined>;
  /** Creates the record unless one with the same id exists; returns the stored record. */
  open(record: ConversationRecord): Promise<ConversationRecord>;
  /**
   * Moves the conversation to `to` only if its current status is one of `from`.
   * Returns false (and changes nothing) otherwise: a checked transition.
   */
  transition(id: string, from: readonly ConversationStatus[], to: ConversationStatus, at: Date): Promise<boolean>;
  listByCustomer(customerId: string, limit: number): Promise<ConversationRecord[]>;
}

export type TurnRole = 'customer' | 'bot' | 'agent';

/** One message in a conversation, any role, with what the bot made of it. */
export interface TurnRecord {
  readonly id: string;
  /** The ConversationRecord id. */
  readonly conversationId: string;
  readonly customerId?: string;
  readonly role: TurnRole;
  readonly text: string;
  readonly at: Date;
  /** Customer turns: the Intent stage's output. */
  readonly understanding?: Understanding;
  /** Customer turns: frustration 0…1 after this turn, with its reasons. */
  readonly frustration?: { readonly score: number; readonly reasons: readonly Reason[] };
  /** Customer turns: what the Decide stage chose and why. */
  readonly decision?: { readonly action: string; readonly tone: string; readonly reasons: readonly Reason[] };
  /** Bot turns: the content template the reply was rendered from. */
  readonly template?: string;
}

export interface Turns {
  /** Appends several turns in one write (one customer message and the bot's replies). */
  append(turns: readonly TurnRecord[]): Promise<void>;
  /** The conversation's turns in order (oldest first), at most `limit` of the most recent. */
  listByConversation(conversationId: string, limit: number): Promise<TurnRecord[]>;
}

/** Everything persistent the bot needs, from one backend. */
export interface AttuneStore {
  readonly kind: StoreKind;
  readonly customers: CustomerProfiles;
  readonly conversations: Conversations;
  readonly turns: Turns;
  /** botbuilder dialog and conversation state, with eTag optimistic concurrency. */
  readonly botState: Storage;
  /** Resolves when the backend answers; rejects with ATTUNE_STORAGE_UNAVAILABLE otherwise. */
  ping(): Promise<void>;
  /** Flushes and releases the backend (and the data-directory lock for embedded). */
  close(): Promise<void>;
}
