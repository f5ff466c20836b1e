import { CALM, FrustrationMeter } from '../../escalation/frustration-meter';
import type { Understanding } from '../../nlu/types';

const meter = new FrustrationMeter();

function said(intent: string, confidence: number, sentimentScore = 0, anger = 0): Understanding {
  return {
    intent: { intent, confidence, alternatives: [] },
    entities: [],
    sentiment: { score: sentimentScore, cues: { anger, anxiety: 0, urgency: 0, confusion: 0, gratitude: 0 } },
  };
}

describe('FrustrationMeter', () => {
  it('stays low for a calm customer with one misunderstanding, and explains itself', () => {
    const { state, perception } = meter.perceive(CALM, said('oos', 0.1));
    expect(perception.score).toBeLessThan(0.3);
    expect(perception.reasons.map((r) => r.name)).toEqual(['not_understood']);
    expect(state.consecutiveFailures).toBe(1);
  });

  it('rises with anger and repeated failures, and resets the failure run on success', () => {
    let state = CALM;
    const scores: number[] = [];
    for (let i = 0; i < 3; i++) {
      const result = meter.perceive(state, said('oos', 0.1, -0.8, 0.8));
      state = result.state;
      scores.push(result.perception.score);
    }
    expect(scores[1]!).toBeGreaterThan(scores[0]!);
    expect(scores[2]!).toBeGreaterThanOrEqual(0.7);
    const after = meter.perceive(state, said('card_arrival', 0.9));
    expect(after.state.consecutiveFailures).toBe(0);
  });

  it('decays with good turns', () => {
    let state = meter.perceive(CALM, said('oos', 0.1, -0.9, 0.9)).state;
    const start = state.score;
    for (const intent of ['exchange_rate', 'card_arrival', 'top_up_failed']) state = meter.perceive(state, said(intent, 0.9, 0.3)).state;
    expect(state.score).toBeLessThan(start / 2);
  });

  it('notices the same request asked again', () => {
    const first = meter.perceive(CALM, said('card_arrival', 0.9));
    const again = meter.perceive(first.state, said('card_arrival', 0.9));
    expect(again.perception.reasons.map((r) => r.name)).toContain('asked_again');
  });

  it('flags an explicit request for a person', () => {
    expect(meter.perceive(CALM, said('human_request', 0.9)).perception.humanRequested).toBe(true);
    expect(meter.perceive(CALM, said('human_request', 0.2)).perception.humanRequested).toBe(false);
  });
});
