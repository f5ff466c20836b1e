import type {
  AgentAccount,
  AgentSession,
  ConversationRecord,
  CustomerProfile,
  EscalationRecord,
  HandoffPackage,
  TurnRecord,
} from '../../storage/ports';

/** A fixed instant plus `seconds`, so tests read as a timeline. */
export function at(seconds: number): Date {
  return new Date(Date.UTC(2025, 0, 15, 9, 0, 0) + seconds * 1000);
}

export function aProfile(overrides: Partial<CustomerProfile> = {}): CustomerProfile {
  return {
    id: 'cust-1',
    identities: [{ channelId: 'webchat', userId: 'web-user-1' }],
    firstName: 'Ada',
    tier: 'plus',
    products: ['current_account', 'credit_card'],
    preferences: { tone: 'concise', useFirstName: true, contactChannel: 'sms' },
    consent: { marketing: true, updatedAt: at(-3600) },
    createdAt: at(-7200),
    updatedAt: at(-3600),
    ...overrides,
  };
}

export function aConversation(overrides: Partial<ConversationRecord> = {}): ConversationRecord {
  return {
    id: 'webchat:conv-1',
    channelId: 'webchat',
    conversationId: 'conv-1',
    customerId: 'cust-1',
    status: 'bot',
    startedAt: at(0),
    updatedAt: at(0),
    ...overrides,
  };
}

export function aTurn(overrides: Partial<TurnRecord> = {}): TurnRecord {
  return {
    id: 'turn-1',
    conversationId: 'webchat:conv-1',
    customerId: 'cust-1',
    role: 'customer',
    text: 'my card was declined!!!',
    at: at(0),
    ...overrides,
  };
}

/** A customer turn with everything the pipeline records, to check nested data round-trips. */
export function aFullCustomerTurn(overrides: Partial<TurnRecord> = {}): TurnRecord {
  return aTurn({
    understanding: {
      intent: {
        intent: 'declined_card_payment',
        confidence: 0.91,
        alternatives: [
          { intent: 'declined_card_payment', confidence: 0.91 },
          { intent: 'card_not_working', confidence: 0.05 },
        ],
      },
      entities: [
        { kind: 'money', text: '£40', value: { amount: 40, currency: 'GBP' } },
        { kind: 'card_last4', text: '1234', value: '1234' },
      ],
      sentiment: { score: -0.6, cues: { anger: 0.7, anxiety: 0.2, urgency: 0.5, confusion: 0, gratitude: 0 } },
    },
    frustration: { score: 0.42, reasons: [{ name: 'anger_cues', weight: 0.3, detail: '!!!' }] },
    decision: { action: 'answer', tone: 'empathetic', reasons: [{ name: 'negative_sentiment', weight: 1 }] },
    ...overrides,
  });
}

/** A handoff package with every field, nested dates and optional parts included. */
export function aHandoffPackage(overrides: Partial<HandoffPackage> = {}): HandoffPackage {
  return {
    profile: { customerId: 'cust-1', firstName: 'Ada', tier: 'plus', products: ['current_account', 'credit_card'] },
    intents: [
      { intent: 'declined_card_payment', confidence: 0.91 },
      { intent: 'talk_to_human', confidence: 0.88 },
    ],
    entities: [{ kind: 'card_last4', text: '1234' }],
    trajectory: [
      { at: at(0), sentiment: -0.2, frustration: 0.1, reasons: [] },
      { at: at(30), sentiment: -0.7, frustration: 0.64, reasons: [{ name: 'anger_cues', weight: 0.3, detail: '!!!' }] },
    ],
    botTried: ['declined_card_dialog', 'fallback'],
    dialogInProgress: 'declined_card_dialog',
    summary: 'Card declined twice at a shop; customer asked for a person.',
    nextBestAction: 'Check the card block and offer to lift it.',
    ...overrides,
  };
}

/** A queued escalation of `webchat:conv-1`, without the optional fields set later (agent, CSAT, …). */
export function anEscalation(overrides: Partial<EscalationRecord> = {}): EscalationRecord {
  return {
    id: 'esc-1',
    conversationId: 'webchat:conv-1',
    channelId: 'webchat',
    customerId: 'cust-1',
    trigger: 'human_request',
    reasons: [{ name: 'explicit_human_request', weight: 1 }],
    frustration: 0.64,
    pool: 'apprentice',
    priority: 2,
    status: 'queued',
    afterHours: false,
    handoff: aHandoffPackage(),
    conversationReference: {
      activityId: 'act-9',
      user: { id: 'web-user-1', name: 'Ada' },
      bot: { id: 'attune', name: 'attune' },
      conversation: { id: 'conv-1' },
      channelId: 'webchat',
      serviceUrl: 'http://localhost:3978',
    },
    createdAt: at(40),
    updatedAt: at(40),
    ...overrides,
  };
}

/**
 * An enabled apprentice-pool agent account. The hash is a well-formed placeholder, not a hash of
 * any password: storage tests never verify it (tests that sign in hash a real password).
 */
export function anAgentAccount(overrides: Partial<AgentAccount> = {}): AgentAccount {
  return {
    id: 'agent-1',
    name: 'alice',
    pool: 'apprentice',
    role: 'agent',
    passwordHash: 'scrypt$N=16384,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g=',
    createdAt: at(-86400),
    disabled: false,
    ...overrides,
  };
}

/** A session of `agent-1` signed in at at(0), valid for 12 hours. */
export function anAgentSession(overrides: Partial<AgentSession> = {}): AgentSession {
  return {
    tokenHash: 'a'.repeat(64),
    agentId: 'agent-1',
    createdAt: at(0),
    expiresAt: at(12 * 3600),
    ...overrides,
  };
}

/** A shallow copy of `value` without `key` (the property is absent, not undefined). */
export function omit<T extends object, K extends keyof T>(value: T, key: K): Omit<T, K> {
  const copy = { ...value };
  Reflect.deleteProperty(copy, key);
  return copy;
}
