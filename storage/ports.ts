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

/** `note`: an agent's internal note on the conversation, never shown or sent to the customer. */
export type TurnRole = 'customer' | 'bot' | 'agent' | 'note';

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

export type EscalationStatus = 'queued' | 'assigned' | 'resolved' | 'abandoned' | 'expired';

/** Agent pools (DESIGN.md §4): apprentices take simple tasks, experts complex or high-value ones. */
export type AgentPool = 'apprentice' | 'expert';

/** Why a conversation went to a person. */
export type EscalationTrigger = 'human_request' | 'high_risk' | 'frustration' | 'failed_turns';

/** One point of the customer's mood trajectory, for the agent's view. */
export interface MoodPoint {
  readonly at: Date;
  readonly sentiment: number;
  readonly frustration: number;
  readonly reasons: readonly Reason[];
}

/**
 * Everything the agent needs so the customer never repeats a step (DESIGN.md §4). The transcript
 * itself stays in `turns` (one document per message); the package points at it by conversation.
 */
export interface HandoffPackage {
  readonly profile?: {
    readonly customerId: string;
    readonly firstName?: string;
    readonly tier: CustomerTier;
    readonly products: readonly string[];
  };
  /** Intents recognised so far, oldest first, with their confidence. */
  readonly intents: readonly { readonly intent: string; readonly confidence: number }[];
  readonly entities: readonly { readonly kind: string; readonly text: string }[];
  readonly trajectory: readonly MoodPoint[];
  /** What the bot already tried (dialogs started, fallbacks), in order. */
  readonly botTried: readonly string[];
  /** The task dialog in progress when the chat was handed over, if any. */
  readonly dialogInProgress?: string;
  readonly summary: string;
  readonly nextBestAction: string;
}

/** A conversation handed to people: waits in a pool, is taken by an agent, and ends. */
export interface EscalationRecord {
  readonly id: string;
  /** The ConversationRecord id. */
  readonly conversationId: string;
  readonly channelId: string;
  readonly customerId?: string;
  readonly trigger: EscalationTrigger;
  readonly reasons: readonly Reason[];
  readonly frustration: number;
  readonly pool: AgentPool;
  /** Higher is served first: urgency × customer value. */
  readonly priority: number;
  readonly status: EscalationStatus;
  readonly agentId?: string;
  /** Asked outside business hours: a callback or message for the next shift. */
  readonly afterHours: boolean;
  readonly handoff: HandoffPackage;
  /** Bot Framework ConversationReference (JSON) used to message the customer proactively. */
  readonly conversationReference: Readonly<Record<string, unknown>>;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly assignedAt?: Date;
  readonly endedAt?: Date;
  readonly disposition?: string;
  /** Customer satisfaction 1–5 after the chat. */
  readonly csat?: number;
}

/** Fields a status transition may set alongside the new status. */
export type EscalationChanges = Partial<Pick<EscalationRecord, 'agentId' | 'pool' | 'priority' | 'assignedAt' | 'endedAt' | 'disposition'>>;

export interface EscalationFilter {
  readonly statuses: readonly EscalationStatus[];
  /** Only this conversation's escalations. */
  readonly conversationId?: string;
  readonly pools?: readonly AgentPool[];
  readonly newestFirst?: boolean;
}

export interface Escalations {
  /** Stores a new escalation; rejects with ATTUNE_STORAGE_CONFLICT if the id exists. */
  create(record: EscalationRecord): Promise<void>;
  get(id: string): Promise<EscalationRecord | undefined>;
  /** The conversation's escalation that is still `queued` or `assigned`, if any. */
  activeForConversation(conversationId: string): Promise<EscalationRecord | undefined>;
  /**
   * Atomically moves the escalation to `to` (with `changes`) only if its status is one of `from`;
   * resolves the updated record, or undefined when the status did not match (nothing changed).
   * Of two concurrent transitions from the same status, exactly one succeeds.
   */
  transition(id: string, from: readonly EscalationStatus[], to: EscalationStatus, changes: EscalationChanges, at: Date): Promise<EscalationRecord | undefined>;
  /**
   * Escalations in any of `statuses` (and pools, when given), at most `limit`: oldest first, or
   * the newest first with `newestFirst` (e.g. recent handle times).
   */
  list(filter: EscalationFilter, limit: number): Promise<EscalationRecord[]>;
  /** Stores the CSAT rating (1–5) once; resolves false if the escalation is unknown or already rated. */
  recordCsat(id: string, rating: number, at: Date): Promise<boolean>;
}

export type StaffRole = 'agent' | 'supervisor' | 'content';

/** A person who works escalated chats or content. No default accounts exist: each is created. */
export interface AgentAccount {
  readonly id: string;
  /** Unique login name. */
  readonly name: string;
  readonly pool: AgentPool;
  readonly role: StaffRole;
  /** scrypt hash with its parameters and salt, never the password. */
  readonly passwordHash: string;
  readonly createdAt: Date;
  readonly disabled: boolean;
}

export interface Agents {
  /** Rejects with ATTUNE_STORAGE_CONFLICT when the name is taken. */
  create(account: AgentAccount): Promise<void>;
  get(id: string): Promise<AgentAccount | undefined>;
  findByName(name: string): Promise<AgentAccount | undefined>;
  list(): Promise<AgentAccount[]>;
}

/** A signed-in session; the token itself is never stored, only its SHA-256. */
export interface AgentSession {
  readonly tokenHash: string;
  readonly agentId: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

export interface AgentSessions {
  create(session: AgentSession): Promise<void>;
  /** The session if it exists and has not expired at `now`. */
  find(tokenHash: string, now: Date): Promise<AgentSession | undefined>;
  revoke(tokenHash: string): Promise<void>;
}

/** Everything persistent the bot needs, from one backend. */
export interface AttuneStore {
  readonly kind: StoreKind;
  readonly customers: CustomerProfiles;
  readonly conversations: Conversations;
  readonly turns: Turns;
  readonly escalations: Escalations;
  readonly agents: Agents;
  readonly agentSessions: AgentSessions;
  /** botbuilder dialog and conversation state, with eTag optimistic concurrency. */
  readonly botState: Storage;
  /** Resolves when the backend answers; rejects with ATTUNE_STORAGE_UNAVAILABLE otherwise. */
  ping(): Promise<void>;
  /** Flushes and releases the backend (and the data-directory lock for embedded). */
  close(): Promise<void>;
}
