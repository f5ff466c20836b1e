import { CALM, FrustrationMeter, type TurnSignals } from '../../escalation/frustration-meter';

const meter = new FrustrationMeter();

function said(intent: string, confidence: number, sentimentScore = 0, anger = 0, text = 'something'): TurnSignals {
  return { text, understanding: {
    intent: { intent, confidence, alternatives: [] },
    entities: [],
    sentiment: { score: sentimentScore, cues: { anger, anxiety: 0, urgency: 0, confusion: 0, gratitude: 0 } },
  } };
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

describe('FrustrationMeter domain-independent signals', () => {
  const reasonsOf = (previousText: string | undefined, text: string, intent = 'card_arrival', confidence = 0.9, sentiment = 0) => {
    const first = previousText === undefined ? CALM : meter.perceive(CALM, said('exchange_rate', 0.9, 0, 0, previousText)).state;
    return meter.perceive(first, said(intent, confidence, sentiment, 0, text)).perception.reasons.map((r) => r.name);
  };

  it('hears a customer correcting the bot', () => {
    expect(reasonsOf(undefined, "No, that's not what I asked")).toContain('customer_correcting');
    expect(reasonsOf(undefined, 'I already said it was a transfer')).toContain('customer_correcting');
    expect(reasonsOf(undefined, 'Nothing arrived yet')).not.toContain('customer_correcting');
    expect(reasonsOf(undefined, "No thanks, that's all")).not.toContain('customer_correcting');
    expect(reasonsOf(undefined, 'no, that is not what I meant')).toContain('customer_correcting');
  });

  it('hears a rephrased repeat of the previous message', () => {
    expect(reasonsOf('where is my parcel with the new headphones', 'my new headphones parcel, where is it?', 'oos', 0.2)).toContain('rephrased_request');
    expect(reasonsOf('where is my parcel with the new headphones', 'can I change my delivery address', 'oos', 0.2)).not.toContain('rephrased_request');
  });

  it('hears sarcasm', () => {
    expect(reasonsOf(undefined, 'Great, thanks a lot, very helpful, not')).toContain('sarcasm');
    expect(reasonsOf(undefined, 'thanks for nothing')).toContain('sarcasm');
    expect(reasonsOf(undefined, 'Thanks a lot, that fixed it')).not.toContain('sarcasm');
  });

  it('hears a curt reply after long messages when things go badly', () => {
    expect(reasonsOf('I have explained three times that the refund from the shop never reached my account', 'whatever', 'oos', 0.1, -0.3)).toContain('curt_reply');
    expect(reasonsOf('I have explained three times that the refund from the shop never reached my account', 'ok thanks', 'thanks', 0.9, 0.5)).not.toContain('curt_reply');
  });

  it('counts time dragging on and repeat contacts about the same case', () => {
    const start = meter.perceive(CALM, { ...said('card_arrival', 0.9), at: 0 }).state;
    const later = meter.perceive(start, { ...said('top_up_failed', 0.9), at: 35 * 60_000, repeatContacts: 2 });
    expect(later.perception.reasons).toEqual(expect.arrayContaining([{ name: 'taking_long', weight: 0.1 }, { name: 'repeat_contact', weight: 0.2 }]));
  });
});

describe('FrustrationMeter relief', () => {
  it('lets frustration fade faster when the customer thanks the bot', () => {
    const upset = meter.perceive(CALM, said('oos', 0.1, -0.9, 0.9)).state;
    const neutral = meter.perceive(upset, said('exchange_rate', 0.9)).state.score;
    const thanked = meter.perceive(upset, said('thanks', 0.95, 0.6)).state.score;
    expect(thanked).toBeLessThan(neutral);
  });

  it('ignores faint anger cues', () => {
    const faint = meter.perceive(CALM, said('card_arrival', 0.9, 0, 0.05)).perception.reasons.map((r) => r.name);
    expect(faint).not.toContain('anger_cues');
  });
});
