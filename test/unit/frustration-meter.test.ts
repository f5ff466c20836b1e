import { CALM, FrustrationMeter, type FrustrationState, type Perception, type TurnSignals } from '../../escalation/frustration-meter';

const meter = new FrustrationMeter();
const MINUTE = 60_000;

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

  it('counts an answer the dialog asked for again as a failed turn, and a taken answer as none', () => {
    let state = CALM;
    for (let i = 0; i < 3; i++) state = meter.perceive(state, { ...said('oos', 0.1), answeringPrompt: true, answerRejected: true }).state;
    expect(state.consecutiveFailures).toBe(3);
    expect(meter.perceive(state, { ...said('oos', 0.1), answeringPrompt: true }).perception.consecutiveFailures).toBe(0);
  });

  it('counts no message for an agent as a failed turn, though it still hears the mood in it', () => {
    const failing = meter.perceive(CALM, said('oos', 0.1)).state;
    const toAgent = meter.perceive(failing, { ...said('oos', 0.1, -0.9, 0.9), forPeople: true }).perception;
    expect(toAgent.consecutiveFailures).toBe(0);
    expect(toAgent.reasons.map((r) => r.name)).toEqual(['negative_sentiment', 'anger_cues']);
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
    const going = meter.perceive(start, { ...said('exchange_rate', 0.9), at: 15 * MINUTE }).state;
    const later = meter.perceive(going, { ...said('top_up_failed', 0.9), at: 35 * MINUTE, repeatContacts: 2 });
    expect(later.perception.reasons).toEqual(expect.arrayContaining([{ name: 'taking_long', weight: 0.1 }, { name: 'repeat_contact', weight: 0.2 }]));
  });
});

describe('FrustrationMeter sessions', () => {
  /** Calm, understood replies ("yes") at the given minutes; the perception of each. */
  const calmAt = (minutes: readonly number[], from: FrustrationState = CALM) => {
    let state = from;
    return minutes.map((minute) => {
      const result = meter.perceive(state, { ...said('affirm', 0.9), at: minute * MINUTE });
      state = result.state;
      return result.perception;
    });
  };
  const timeWeights = (perceptions: readonly Perception[]) => perceptions.map((p) => p.reasons.find((r) => r.name === 'taking_long')?.weight ?? 0);

  it('counts each ten minutes of a long session once, so calm turns do not add up to an escalation', () => {
    const perceptions = calmAt([0, 5, 21, 22, 23, 24, 25, 29, 33, 38, 45, 52, 59, 66, 70, 72, 74, 76, 78, 79]);
    // 21 min: the first ten minutes past the first ten; 33 and 45: one more each; nothing in between.
    expect(timeWeights(perceptions).slice(0, 11)).toEqual([0, 0, 0.05, 0, 0, 0, 0, 0, 0.05, 0, 0.05]);
    expect(Math.max(...perceptions.map((p) => p.score))).toBeLessThan(0.2);
  });

  it('starts a new session after half an hour of silence: a calm message a day later scores nothing', () => {
    let state = CALM;
    for (const minute of [0, 12, 25]) state = meter.perceive(state, { ...said('oos', 0.1, -0.5), at: minute * MINUTE }).state;
    expect(state).toMatchObject({ consecutiveFailures: 3, score: expect.any(Number) });
    expect(state.score).toBeGreaterThan(0.5);
    const nextDay = meter.perceive(state, { ...said('greeting', 0.95), at: (24 * 60 + 25) * MINUTE });
    expect(nextDay.perception).toEqual({ score: 0, reasons: [], consecutiveFailures: 0, humanRequested: false });
    expect(nextDay.state.startedAt).toBe((24 * 60 + 25) * MINUTE);
  });

  it('forgets the failure run and fades the score after a silence, but not after a short pause', () => {
    const upset: FrustrationState = { ...CALM, score: 0.6, consecutiveFailures: 2, startedAt: 0, lastAt: 0 };
    const afterPause = meter.perceive(upset, { ...said('oos', 0.1), at: 10 * MINUTE }).perception;
    const afterSilence = meter.perceive(upset, { ...said('oos', 0.1), at: 30 * MINUTE }).perception;
    expect(afterPause.consecutiveFailures).toBe(3);
    expect(afterSilence.consecutiveFailures).toBe(1);
    // Half the score is left after half an hour of silence, then this miss's weight.
    expect(afterSilence.score).toBeCloseTo(0.6 * 0.5 * 0.7 + 0.15, 3);
  });

  it('treats state saved before sessions existed as a session that began at its first message', () => {
    const old: FrustrationState = { score: 0.5, consecutiveFailures: 2, recentIntents: ['card_arrival'], startedAt: 0 };
    const next = meter.perceive(old, { ...said('greeting', 0.95), at: 48 * 60 * MINUTE });
    expect(next.perception.score).toBe(0);
    expect(next.perception.reasons).toEqual([]);
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
