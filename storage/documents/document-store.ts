import type { DocumentCollection, IndexSpec, StoredDocument } from '../document-collection';
import type { AttuneStore, StoreKind, Turns } from '../ports';
import { DocumentAgentSessions, type AgentSessionDocument } from './document-agent-sessions';
import { DocumentAgents, type AgentDocument } from './document-agents';
import { DocumentBotState, type BotStateDocument } from './document-bot-state';
import { DocumentConversations, type ConversationDocument } from './document-conversations';
import { DocumentCustomerProfiles, type CustomerDocument } from './document-customer-profiles';
import { ACTIVE_ESCALATION_STATUSES, DocumentEscalations, type EscalationDocument } from './document-escalations';
import { DocumentOfferEvents, type OfferEventDocument } from './document-offer-events';
import { DocumentTurns, type TurnDocument } from './document-turns';
import { DocumentAnalytics, type AggregateSource } from './document-analytics';
import { DocumentContentVersions, type ContentVersionDocument } from './document-content-versions';
import { DocumentExperiments, type ExperimentDocument, type ExperimentExposureDocument } from './document-experiments';

/** Collection names, the same in every technology (nedb file names, MongoDB collections). */
export const COLLECTION_NAMES = {
  customers: 'customers',
  conversations: 'conversations',
  turns: 'turns',
  escalations: 'escalations',
  botState: 'bot_state',
  agents: 'agents',
  agentSessions: 'agent_sessions',
  offerEvents: 'offer_events',
  contentVersions: 'content_versions',
  experiments: 'experiments',
  experimentExposures: 'experiment_exposures',
} as const;

export type CollectionName = (typeof COLLECTION_NAMES)[keyof typeof COLLECTION_NAMES];

/** How a collection is written: an engine may treat them differently (nedb compaction). */
export type CollectionUsage = 'append-only' | 'overwritten';

/** One technology's way to open collections, and the store's lifecycle around them. */
export interface DocumentBackend {
  readonly kind: StoreKind;
  openCollection<TDoc extends StoredDocument>(
    name: CollectionName,
    usage: CollectionUsage,
  ): Promise<DocumentCollection<TDoc>>;
  /**
   * Opens the technology's own store for turns, when it has one (embedded: files not held in
   * memory); otherwise turns are a document collection like the rest.
   */
  openTurnLog?(): Promise<Turns & AggregateSource>;
  ping(): Promise<void>;
  /** Closes everything opened so far; safe to call more than once. */
  close(): Promise<void>;
}

// Indexes serve the ports' queries: profile by identity, a customer's conversations by recency,
// a conversation's turns by time (MongoDB walks this index backwards for "most recent N"),
// a conversation's active escalation, the escalations waiting in given pools, oldest first,
// staff accounts by (unique) name, expired sessions to drop and a person's sessions to end
// (sessions are found by `_id`).
// A customer's turns and escalations by customer id: erasure (of both) and the data export
// (escalations); without it every erasure scans turns, the largest collection.
const CUSTOMER_INDEXES: readonly IndexSpec<CustomerDocument>[] = [{ fields: { identityKeys: 1 } }];
const CONVERSATION_INDEXES: readonly IndexSpec<ConversationDocument>[] = [{ fields: { customerId: 1, updatedAt: -1 } }];
const TURN_INDEXES: readonly IndexSpec<TurnDocument>[] = [{ fields: { conversationId: 1, at: 1, seq: 1 } }, { fields: { customerId: 1 } }];
const ESCALATION_INDEXES: readonly IndexSpec<EscalationDocument>[] = [
  { fields: { conversationId: 1, status: 1 } },
  // At most one active escalation per conversation, across every instance (MongoDB; nedb: see
  // insertUnlessFound): two turns of one conversation racing on two instances open one, not two.
  {
    fields: { conversationId: 1 },
    unique: true,
    partial: { status: { $in: ACTIVE_ESCALATION_STATUSES } },
    name: 'one_active_escalation_per_conversation',
  },
  { fields: { status: 1, pool: 1, createdAt: 1 } },
  { fields: { customerId: 1 } },
];
const AGENT_INDEXES: readonly IndexSpec<AgentDocument>[] = [{ fields: { name: 1 }, unique: true }];
const AGENT_SESSION_INDEXES: readonly IndexSpec<AgentSessionDocument>[] = [{ fields: { expiresAt: 1 } }, { fields: { agentId: 1 } }];
// A customer's offer events by recency: the contact-frequency cap and export.
const OFFER_EVENT_INDEXES: readonly IndexSpec<OfferEventDocument>[] = [{ fields: { customerId: 1, at: -1 } }];
// Content versions by number (unique: settles concurrent publishes); an experiment's exposures.
const CONTENT_VERSION_INDEXES: readonly IndexSpec<ContentVersionDocument>[] = [{ fields: { seq: 1 }, unique: true }];
const EXPOSURE_INDEXES: readonly IndexSpec<ExperimentExposureDocument>[] = [{ fields: { experimentId: 1, at: 1 } }];

/**
 * Builds an AttuneStore on a technology backend: opens every collection in parallel, creates the
 * indexes, and wires each port's single document implementation to its collection. If anything
 * fails, the backend is closed (releasing a data-directory lock or a client) before rethrowing.
 */
export async function openDocumentStore(backend: DocumentBackend): Promise<AttuneStore> {
  try {
    const [customers, conversations, turns, escalations, botState, agents, agentSessions, offerEvents] = await Promise.all([
      openIndexed<CustomerDocument>(backend, COLLECTION_NAMES.customers, 'overwritten', CUSTOMER_INDEXES),
      openIndexed<ConversationDocument>(backend, COLLECTION_NAMES.conversations, 'overwritten', CONVERSATION_INDEXES),
      openTurns(backend),
      openIndexed<EscalationDocument>(backend, COLLECTION_NAMES.escalations, 'overwritten', ESCALATION_INDEXES),
      openIndexed<BotStateDocument>(backend, COLLECTION_NAMES.botState, 'overwritten', []),
      openIndexed<AgentDocument>(backend, COLLECTION_NAMES.agents, 'overwritten', AGENT_INDEXES),
      openIndexed<AgentSessionDocument>(backend, COLLECTION_NAMES.agentSessions, 'overwritten', AGENT_SESSION_INDEXES),
      openIndexed<OfferEventDocument>(backend, COLLECTION_NAMES.offerEvents, 'append-only', OFFER_EVENT_INDEXES),
    ]);
    const [contentVersions, experiments, experimentExposures] = await Promise.all([
      openIndexed<ContentVersionDocument>(backend, COLLECTION_NAMES.contentVersions, 'append-only', CONTENT_VERSION_INDEXES),
      openIndexed<ExperimentDocument>(backend, COLLECTION_NAMES.experiments, 'overwritten', []),
      openIndexed<ExperimentExposureDocument>(backend, COLLECTION_NAMES.experimentExposures, 'append-only', EXPOSURE_INDEXES),
    ]);
    return Object.freeze({
      kind: backend.kind,
      customers: new DocumentCustomerProfiles(customers),
      conversations: new DocumentConversations(conversations),
      turns: turns.port,
      escalations: new DocumentEscalations(escalations),
      botState: new DocumentBotState(botState),
      agents: new DocumentAgents(agents),
      agentSessions: new DocumentAgentSessions(agentSessions),
      offerEvents: new DocumentOfferEvents(offerEvents),
      contentVersions: new DocumentContentVersions(contentVersions),
      experiments: new DocumentExperiments(experiments, experimentExposures),
      analytics: new DocumentAnalytics({ conversations, turns: turns.source, escalations, experiment_exposures: experimentExposures, offer_events: offerEvents }),
      ping: () => backend.ping(),
      close: () => backend.close(),
    });
  } catch (error) {
    await backend.close().catch(() => undefined); // the original error is the one worth reporting
    throw error;
  }
}

/** The backend's own turn log when it has one, else the turns collection. */
async function openTurns(backend: DocumentBackend): Promise<{ readonly port: Turns; readonly source: AggregateSource }> {
  if (backend.openTurnLog !== undefined) {
    const log = await backend.openTurnLog();
    return { port: log, source: log };
  }
  const collection = await openIndexed<TurnDocument>(backend, COLLECTION_NAMES.turns, 'append-only', TURN_INDEXES);
  return { port: new DocumentTurns(collection), source: collection };
}

async function openIndexed<TDoc extends StoredDocument>(
  backend: DocumentBackend,
  name: CollectionName,
  usage: CollectionUsage,
  indexes: readonly IndexSpec<TDoc>[],
): Promise<DocumentCollection<TDoc>> {
  const collection = await backend.openCollection<TDoc>(name, usage);
  await Promise.all(indexes.map((index) => collection.ensureIndex(index)));
  return collection;
}
