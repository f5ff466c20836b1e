import { routeEscalation } from '../../escalation/routing';

describe('routeEscalation', () => {
  it('sends a simple task of a standard customer to apprentices', () => {
    const route = routeEscalation({ trigger: 'human_request', intents: ['card_arrival'], failedTurns: 0, frustration: 0.1 });
    expect(route.pool).toBe('apprentice');
  });

  it('sends a stolen card to experts with a higher priority than a simple request', () => {
    const stolen = routeEscalation({ trigger: 'high_risk', intents: ['lost_or_stolen_card'], failedTurns: 0, frustration: 0.2 });
    const simple = routeEscalation({ trigger: 'human_request', intents: ['card_arrival'], failedTurns: 0, frustration: 0.2 });
    expect(stolen.pool).toBe('expert');
    expect(stolen.priority).toBeGreaterThan(simple.priority);
    expect(stolen.reasons.map((r) => r.name)).toContain('high_risk_intent');
  });

  it('raises complexity when the bot failed repeatedly or the customer asked several things', () => {
    const route = routeEscalation({ trigger: 'failed_turns', intents: ['card_arrival', 'exchange_rate', 'top_up_failed'], failedTurns: 3, frustration: 0.3 });
    expect(route.complexity).toBe(3);
    expect(route.pool).toBe('expert');
  });

  it('gives high-value customers to experts and more priority for the same urgency', () => {
    const premium = routeEscalation({ trigger: 'human_request', intents: ['card_arrival'], failedTurns: 0, frustration: 0.3, tier: 'premium' });
    const standard = routeEscalation({ trigger: 'human_request', intents: ['card_arrival'], failedTurns: 0, frustration: 0.3, tier: 'standard' });
    expect(premium.pool).toBe('expert');
    expect(premium.priority).toBe(standard.priority * 2);
  });

  it('treats a furious customer as at risk', () => {
    expect(routeEscalation({ trigger: 'frustration', intents: ['card_arrival'], failedTurns: 0, frustration: 0.9 }).pool).toBe('expert');
  });
});
