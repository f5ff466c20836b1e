import { buildHandoffPackage } from '../../escalation/handoff-package';
import type { TurnRecord } from '../../storage/ports';

let clock = 0;
function customer(text: string, intent: string, frustration: number, entities: { kind: 'card_last4' | 'merchant'; text: string }[] = []): TurnRecord {
  return {
    id: `t${++clock}`,
    conversationId: 'webchat:c1',
    role: 'customer',
    text,
    at: new Date(clock * 1000),
    understanding: {
      intent: { intent, confidence: 0.9, alternatives: [] },
      entities: entities.map((e) => ({ ...e, value: e.text })),
      sentiment: { score: -frustration, cues: { anger: 0, anxiety: 0, urgency: 0, confusion: 0, gratitude: 0 } },
    },
    frustration: { score: frustration, reasons: [{ name: 'negative_sentiment', weight: frustration }] },
  };
}
function bot(template: string): TurnRecord {
  return { id: `t${++clock}`, conversationId: 'webchat:c1', role: 'bot', text: '…', at: new Date(clock * 1000), template };
}

describe('buildHandoffPackage', () => {
  const history = [
    customer('hi', 'greeting', 0),
    bot('greeting'),
    customer('my card never came', 'card_arrival', 0.1),
    bot('cardArrival.askWhenOrdered'),
    customer('blah', 'oos', 0.3),
    bot('fallback'),
    customer('I lost my card ending 1234 at Tesco', 'lost_or_stolen_card', 0.6, [{ kind: 'card_last4', text: '1234' }, { kind: 'merchant', text: 'Tesco' }]),
  ];

  it('lists the task intents, entities, mood trajectory and what the bot tried, in order', () => {
    const pkg = buildHandoffPackage({ trigger: 'high_risk', history, customer: { id: 'cust-1', firstName: 'Ann', tier: 'premium', products: ['current_account'], useFirstName: true, marketingConsent: false } });
    expect(pkg.intents.map((i) => i.intent)).toEqual(['card_arrival', 'lost_or_stolen_card']);
    expect(pkg.entities).toEqual([{ kind: 'card_last4', text: '1234' }, { kind: 'merchant', text: 'Tesco' }]);
    expect(pkg.trajectory.map((p) => p.frustration)).toEqual([0, 0.1, 0.3, 0.6]);
    expect(pkg.botTried).toEqual(['dialog: cardArrival', 'fallback: offered choices']);
    expect(pkg.profile).toEqual({ customerId: 'cust-1', firstName: 'Ann', tier: 'premium', products: ['current_account'] });
  });

  it('summarises the conversation and suggests a next best action for the latest task', () => {
    const pkg = buildHandoffPackage({ trigger: 'high_risk', history });
    expect(pkg.summary).toBe('Unidentified customer asked about card arrival, then lost or stolen card. The bot tried: dialog: cardArrival; fallback: offered choices. Handed over because the request is high-risk; peak frustration 0.60.');
    expect(pkg.nextBestAction).toMatch(/frozen/);
  });

  it('still gives the agent something to start from when the customer stated no task', () => {
    const pkg = buildHandoffPackage({ trigger: 'human_request', history: [customer('agent please', 'human_request', 0.2)] });
    expect(pkg.intents).toEqual([]);
    expect(pkg.summary).toContain('did not state a clear request');
    expect(pkg.nextBestAction).toMatch(/^Read the conversation/);
  });
});
