import type { ConversationRecord, CustomerProfile, TurnRecord } from '../../storage/ports';

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

/** A shallow copy of `value` without `key` (the property is absent, not undefined). */
export function omit<T extends object, K extends keyof T>(value: T, key: K): Omit<T, K> {
  const copy = { ...value };
  Reflect.deleteProperty(copy, key);
  return copy;
}
