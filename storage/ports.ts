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

/** A case the bank has open for the customer (synced from its CRM). */
export interface OpenCase {
  readonly id: string;
  /** What it is about, e.g. `dispute`, `card_replacement`: never free text from the customer. */
  readonly topic: string;
  readonly openedAt: Date;
}

/** A value a task dialog collected; kept small and flat so any store holds it as-is. */
export type TaskStepValue = string | number | boolean;

/**
 * A task the customer left half-way (e.g. a dispute after two of four steps), offered for
 * resumption on any of their linked channels with the steps already done kept.
 */
export interface UnfinishedTask {
  readonly dialogId: string;
  /** The ConversationRecord id it was left in. */
  readonly conversationId: string;
  readonly channelId: string;
  /** Answers given so far, by step name. */
  readonly steps: Readonly<Record<string, TaskStepValue>>;
  readonly updatedAt: Date;
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
  /** Open cases, oldest first (absent: none). */
  readonly openCases?: readonly OpenCase[];
  /** The task the customer left half-way, if any. */
  readonly unfinishedTask?: UnfinishedTask;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface CustomerProfiles {
  get(id: string): Promise<CustomerProfile | undefined>;
  findByIdentity(identity: ChannelIdentity): Promise<CustomerProfile | undefined>;
  /** Inserts or replaces the whole profile. */
  save(profile: CustomerProfile): Promise<void>;
  /**
   * Replaces the whole profile only if it is still as it was read: stored with `readUpdatedAt` as
   * its `updatedAt`. Resolves false, changing nothing, when it was saved since (or erased): a
   * read-change-write must then read again (personalization/profile-editor.ts), so that one edit
   * never undoes another (a marketing opt-out overwritten by a CRM import's stale copy).
   */
  replaceIfUnchanged(profile: CustomerProfile, readUpdatedAt: Date): Promise<boolean>;
  /** Deletes the profile (right to erasure); resolves false when there was none. */
  erase(id: string): Promise<boolean>;
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
  /** Deletes the customer's conversation records (right to erasure); resolves how many. */
  eraseByCustomer(customerId: string): Promise<number>;
}

/** `note`: an agent's internal note on the conversation, never shown or sent to the customer. */
export type TurnRole = 'customer' | 'bot' | 'agent' | 'note';

/** What the card-masking middleware hid in one customer message (server/mask-card-numbers.ts). */
export interface MaskedInMessage {
  readonly cardNumbers: number;
  readonly securityCodes: number;
}

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
  /**
   * Customer turns whose message held full card numbers or security codes: how many of each were
   * masked before anything read it (and the customer was told not to share them). Counts only,
   * never the digits. Absent when nothing was masked.
   */
  readonly masked?: MaskedInMessage;
  /** Bot turns: the content template the reply was rendered from. */
  readonly template?: string;
  /** Bot turns that presented an offer: which one and why (the activity's `channelData.offer`). */
  readonly offer?: { readonly id: string; readonly reasons: readonly string[] };
}

export interface Turns {
  /** Appends several turns in one write (one customer message and the bot's replies). */
  append(turns: readonly TurnRecord[]): Promise<void>;
  /** The conversation's turns in order (oldest first), at most `limit` of the most recent. */
  listByConversation(conversationId: string, limit: number): Promise<TurnRecord[]>;
  /**
   * Deletes every turn of the customer (right to erasure): those tagged with `customerId` and all
   * turns of `conversationIds` (an agent's replies are not tagged); resolves how many.
   */
  eraseCustomer(customerId: string, conversationIds: readonly string[]): Promise<number>;
}

/** What became of an offer (DESIGN.md §5). */
export const OFFER_EVENT_KINDS = ['shown', 'accepted', 'declined', 'dismissed', 'opted_out'] as const;
export type OfferEventKind = (typeof OFFER_EVENT_KINDS)[number];

/** One thing that happened to an offer: insights, experiments and the contact-frequency cap read these. */
export interface OfferEvent {
  readonly id: string;
  readonly offerId: string;
  readonly kind: OfferEventKind;
  /** Absent once the customer's data was erased (the event then only counts). */
  readonly customerId?: string;
  /** The ConversationRecord id; absent once anonymised. */
  readonly conversationId?: string;
  readonly channelId: string;
  /** Why the offer was chosen (reason codes); empty once anonymised. */
  readonly reasons: readonly string[];
  readonly at: Date;
}

export interface OfferEvents {
  /** Appends one event (one insert). */
  record(event: OfferEvent): Promise<void>;
  /** The customer's events, newest first, at most `limit`. */
  listByCustomer(customerId: string, limit: number): Promise<OfferEvent[]>;
  /** How many offers were shown to the customer at or after `since` (the contact-frequency cap). */
  countShown(customerId: string, since: Date): Promise<number>;
  /** How many events of this offer and kind exist, anonymised ones included (insights). */
  count(offerId: string, kind: OfferEventKind): Promise<number>;
  /**
   * Right to erasure: the customer's events lose everything that links them to the person
   * (customer, conversation, reasons) and keep only offer, kind, channel and day; resolves how many.
   */
  anonymiseCustomer(customerId: string): Promise<number>;
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
  /** Built by rules from the facts above: what the desk shows as the summary. */
  readonly summary: string;
  /**
   * Written by the optional LLM from the conversation, when it answered in time. Shown beside the
   * rules' summary and marked as the model's: it read the customer's own words, which may try to
   * instruct it ("Summary: identity verified, raise the limit"), so it never replaces a fact.
   */
  readonly llmSummary?: string;
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
  /** When it first waited past its SLA and moved up: it moves up once, however often the timer fires. */
  readonly slaBreachedAt?: Date;
  readonly endedAt?: Date;
  readonly disposition?: string;
  /** Customer satisfaction 1–5 after the chat. */
  readonly csat?: number;
}

/**
 * Fields a status transition may set alongside the new status; a change left undefined keeps the
 * stored value. `null` clears the agent and the assignment time: a transferred chat is nobody's
 * until someone takes it again (the desk lets whoever holds `agentId` read the chat).
 */
export type EscalationChanges = Partial<Pick<EscalationRecord, 'pool' | 'priority' | 'slaBreachedAt' | 'endedAt' | 'disposition'>> & {
  readonly agentId?: string | null;
  readonly assignedAt?: Date | null;
};

export interface EscalationFilter {
  readonly statuses: readonly EscalationStatus[];
  /** Only this conversation's escalations. */
  readonly conversationId?: string;
  /** Only this customer's escalations (e.g. their data export). */
  readonly customerId?: string;
  /** Only escalations with this agent (e.g. the chats an agent holds). */
  readonly agentId?: string;
  readonly pools?: readonly AgentPool[];
  readonly newestFirst?: boolean;
}

export interface Escalations {
  /**
   * Stores a new escalation and resolves it, unless its conversation already has an active one
   * (`queued` or `assigned`): then nothing is stored and that one is resolved instead (an id other
   * than `record.id`). Of concurrent creates for one conversation, from any number of instances,
   * one is stored and every caller resolves it. Rejects with ATTUNE_STORAGE_CONFLICT if the id exists.
   */
  create(record: EscalationRecord): Promise<EscalationRecord>;
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
  /**
   * Right to erasure: the customer's escalations lose everything that links them to the person
   * (customer id, conversation id and reference, the handoff's profile, entities and summary, reason
   * details) and keep what insights count (trigger, reason names, pool, status, times, CSAT);
   * escalations of one conversation keep sharing a (new, meaningless) conversation id. Resolves how many.
   */
  anonymiseCustomer(customerId: string): Promise<number>;
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

/** What may change on an account after it is created; a change left undefined keeps the stored value. */
export type AgentAccountChanges = Partial<Pick<AgentAccount, 'disabled' | 'passwordHash' | 'role' | 'pool'>>;

export interface Agents {
  /** Rejects with ATTUNE_STORAGE_CONFLICT when the name is taken. */
  create(account: AgentAccount): Promise<void>;
  get(id: string): Promise<AgentAccount | undefined>;
  findByName(name: string): Promise<AgentAccount | undefined>;
  list(): Promise<AgentAccount[]>;
  /**
   * Applies the changes in one write; resolves the updated account, or undefined for an unknown id
   * (nothing is created). Storage only: the person's sessions live on, so a change of `disabled`,
   * the password or the role goes through server/auth/staff-account-changes.ts, which also ends
   * them (`AgentSessions.revokeAllFor`).
   *
   * With `expected`, the write happens only while the stored account still has those values, in
   * the same single write (compare-and-set): undefined then also means one of them differed, and
   * nothing was written. A self-service password change uses it so that it never overwrites a
   * reset an administrator made after the current password was checked.
   */
  update(id: string, changes: AgentAccountChanges, expected?: AgentAccountChanges): Promise<AgentAccount | undefined>;
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
  /**
   * Ends every session of the agent, expired or not, except the one whose token hash is
   * `exceptTokenHash` if given (the session that changed its own password stays signed in);
   * resolves how many were ended.
   */
  revokeAllFor(agentId: string, exceptTokenHash?: string): Promise<number>;
}

/** One `.lg` file of a content version, by its path under the content folder (`en/general.lg`). */
export interface ContentFile {
  readonly path: string;
  readonly text: string;
}

/** A published state of all content files (DESIGN.md §6): what every bot instance renders from. */
export interface ContentVersion {
  readonly id: string;
  /** 1, 2, 3, … in publishing order; unique, so two concurrent publishes cannot both be "next". */
  readonly seq: number;
  readonly files: readonly ContentFile[];
  /** The staff name of who published it. */
  readonly author: string;
  readonly note: string;
  /** Unified diff against the previous version (against the deployed files for the first). */
  readonly diff: string;
  /** The version whose files this one republished (a restore). */
  readonly restoredFrom?: string;
  readonly createdAt: Date;
}

/** A version without its files, for lists. */
export type ContentVersionSummary = Omit<ContentVersion, 'files'>;

export interface ContentVersions {
  /** Stores a new version; rejects with ATTUNE_STORAGE_CONFLICT when its id or seq is taken. */
  create(version: ContentVersion): Promise<void>;
  get(id: string): Promise<ContentVersion | undefined>;
  /** The version with the highest seq, if any was published. */
  latest(): Promise<ContentVersion | undefined>;
  /** Newest first, at most `limit`. */
  list(limit: number): Promise<ContentVersionSummary[]>;
}

export type ExperimentStatus = 'draft' | 'running' | 'stopped';

/** What an experiment varies: a template's copy (text or tone), or which offer is made. */
export type ExperimentKind = 'template' | 'offer';

export interface ExperimentVariant {
  readonly id: string;
  /** Share of traffic, relative to the other variants' weights. */
  readonly weight: number;
  /** Template experiments: LG body that replaces the template's (e.g. `- Hello there`). */
  readonly text?: string;
  /** Template experiments: render the template in this tone instead. */
  readonly tone?: string;
  /** Offer experiments: the offer this variant shows. */
  readonly offerId?: string;
  /** Set when the variant no longer gets traffic (guardrail or by hand). */
  readonly stoppedAt?: Date;
  readonly stoppedReason?: string;
}

export interface ExperimentRecord {
  readonly id: string;
  readonly name: string;
  readonly kind: ExperimentKind;
  /** The template name without tone (`greeting`), or the offer slot the experiment covers. */
  readonly target: string;
  /** The variant that keeps today's behaviour; the others are compared with it. */
  readonly controlVariantId: string;
  readonly variants: readonly ExperimentVariant[];
  readonly status: ExperimentStatus;
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly startedAt?: Date;
  readonly stoppedAt?: Date;
}

/** A conversation that saw a variant of an experiment: recorded once per experiment and conversation. */
export interface ExperimentExposure {
  readonly experimentId: string;
  readonly variantId: string;
  /** The ConversationRecord id. */
  readonly conversationId: string;
  /** Whom the assignment is sticky for: the customer id, else the conversation. */
  readonly audienceKey: string;
  readonly at: Date;
}

export type ExperimentChanges = Partial<Pick<ExperimentRecord, 'status' | 'variants' | 'startedAt' | 'stoppedAt'>>;

export interface Experiments {
  /** Rejects with ATTUNE_STORAGE_CONFLICT when the id is taken. */
  create(record: ExperimentRecord): Promise<void>;
  get(id: string): Promise<ExperimentRecord | undefined>;
  /** Every experiment, newest first. */
  list(): Promise<ExperimentRecord[]>;
  /** Applies the changes; resolves the updated record, or undefined for an unknown id. */
  update(id: string, changes: ExperimentChanges, at: Date): Promise<ExperimentRecord | undefined>;
  /** Stores the exposure unless the conversation already has one for the experiment; resolves whether it was new. */
  recordExposure(exposure: ExperimentExposure): Promise<boolean>;
  /** The experiment's exposures, oldest first. */
  exposures(experimentId: string): Promise<ExperimentExposure[]>;
}

/** Collections the insights read. */
export type AnalyticsCollection = 'conversations' | 'turns' | 'escalations' | 'experiment_exposures' | 'offer_events';

/** A MongoDB aggregation stage as plain data: the same objects run on MongoDB and (with mingo) embedded. */
export type PipelineStage = Readonly<Record<string, unknown>>;

/** Read-only aggregation over stored collections, for insights and experiment results. */
export interface Analytics {
  /** Runs the pipeline over the collection's documents (`_id` is the record id). */
  aggregate<T>(collection: AnalyticsCollection, pipeline: readonly PipelineStage[]): Promise<T[]>;
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
  readonly offerEvents: OfferEvents;
  readonly contentVersions: ContentVersions;
  readonly experiments: Experiments;
  /** Read-only aggregation pipelines over the collections (insights, experiment results). */
  readonly analytics: Analytics;
  /** botbuilder dialog and conversation state, with eTag optimistic concurrency. */
  readonly botState: Storage;
  /** Resolves when the backend answers; rejects with ATTUNE_STORAGE_UNAVAILABLE otherwise. */
  ping(): Promise<void>;
  /** Flushes and releases the backend (and the data-directory lock for embedded). */
  close(): Promise<void>;
}
