import type { Perception } from '../../escalation/frustration-meter';
import type { Understanding } from '../../nlu/types';
import { chooseTone } from '../../personalization/tone-policy';

const calm: Perception = { score: 0, reasons: [], consecutiveFailures: 0, humanRequested: false };

function said(intent: string, score = 0, cues: Partial<Understanding['sentiment']['cues']> = {}): Understanding {
  return {
    intent: { intent, confidence: 0.9, alternatives: [{ intent, confidence: 0.9 }] },
    entities: [],
    sentiment: { score, cues: { anger: 0, anxiety: 0, urgency: 0, confusion: 0, gratitude: 0, ...cues } },
  };
}
const reasonNames = (choice: ReturnType<typeof chooseTone>) => choice.reasons.map((r) => r.name);

describe('the tone policy', () => {
  it('meets frustration with empathy whatever the stated style', () => {
    for (const style of [undefined, 'formal', 'friendly', 'concise'] as const) {
      expect(chooseTone(said('exchange_rate'), { ...calm, score: 0.5 }, { style }).tone).toBe('empathetic');
      expect(chooseTone(said('exchange_rate', -0.5, { anger: 0.8 }), calm, { style }).tone).toBe('empathetic');
    }
  });

  it('reassures on a risky intent and on worry or urgency', () => {
    const risky = chooseTone(said('card_payment_not_recognised'), calm, { style: 'friendly' });
    expect(risky).toEqual({ tone: 'reassuring', reasons: [{ name: 'intent_at_risk', weight: 1, detail: 'card_payment_not_recognised' }] });
    expect(reasonNames(chooseTone(said('exchange_rate', -0.2, { anxiety: 0.7 }), calm))).toEqual(['customer_anxious']);
  });

  it('is warm for happy customers, those who like it friendly and loyal ones', () => {
    expect(chooseTone(said('thanks', 0.9, { gratitude: 0.9 }), calm)).toMatchObject({ tone: 'warm' });
    expect(reasonNames(chooseTone(said('exchange_rate'), calm, { style: 'friendly' }))).toEqual(['prefers_friendly']);
    expect(reasonNames(chooseTone(said('exchange_rate'), calm, { tier: 'private' }))).toEqual(['loyal_customer']);
    expect(chooseTone(said('exchange_rate'), calm, { tier: 'standard' }).tone).toBe('neutral');
  });

  it('lets a formal or concise preference win over warmth in a calm exchange, and says so', () => {
    const formal = chooseTone(said('thanks', 0.9, { gratitude: 0.9 }), calm, { style: 'formal', tier: 'private' });
    expect(formal.tone).toBe('neutral');
    expect(reasonNames(formal)).toEqual(['customer_positive', 'prefers_formal']);
    expect(reasonNames(chooseTone(said('exchange_rate'), calm, { style: 'concise' }))).toEqual(['calm_exchange', 'prefers_concise']);
  });
});
