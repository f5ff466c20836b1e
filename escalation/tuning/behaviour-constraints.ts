/**
 * Behaviour the bot's own tests pin down (test/unit/frustration-meter.test.ts and
 * test/unit/attune-bot.test.ts), checked on candidate weights so the search never proposes
 * weights that would turn them red. The scenarios mirror those tests turn by turn.
 */
import type { Understanding } from '../../nlu/types';
import { escalationTrigger, type EscalationSettings } from '../escalation-policy';
import { CALM, FrustrationMeter, type FrustrationState, type FrustrationWeights, type Perception } from '../frustration-meter';

function understood(intent: string, confidence: number, sentiment = 0, anger = 0): Understanding {
  return {
    intent: { intent, confidence, alternatives: [] },
    entities: [],
    sentiment: { score: sentiment, cues: { anger, anxiety: 0, urgency: 0, confusion: 0, gratitude: 0 } },
  };
}

interface Said {
  readonly text: string;
  readonly understanding: Understanding;
}

function converse(meter: FrustrationMeter, turns: readonly Said[], from: FrustrationState = CALM): { state: FrustrationState; perceptions: Perception[] } {
  let state = from;
  const perceptions: Perception[] = [];
  for (const turn of turns) {
    const result = meter.perceive(state, turn);
    state = result.state;
    perceptions.push(result.perception);
  }
  return { state, perceptions };
}

const reasonNames = (perception: Perception | undefined) => perception?.reasons.map((reason) => reason.name) ?? [];

/**
 * The names of the behaviours these weights break; empty when they keep all of them.
 * @param settings the escalation settings the bot's tests run with (threshold 0.7, 3 failed turns)
 */
export function behaviouralViolations(weights: FrustrationWeights, settings: EscalationSettings): string[] {
  const meter = new FrustrationMeter(weights);
  const violations: string[] = [];
  const check = (name: string, holds: boolean) => {
    if (!holds) violations.push(name);
  };

  const calm = converse(meter, [{ text: 'something', understanding: understood('oos', 0.1) }]).perceptions[0]!;
  check('a calm customer with one misunderstanding stays under 0.3', calm.score < 0.3);

  const angry = converse(meter, [1, 2, 3].map(() => ({ text: 'something', understanding: understood('oos', 0.1, -0.8, 0.8) }))).perceptions.map((p) => p.score);
  check('anger with repeated failures keeps rising', angry[1]! > angry[0]!);
  check('anger with three failures in a row reaches 0.7', angry[2]! >= 0.7);

  const upset = converse(meter, [{ text: 'something', understanding: understood('oos', 0.1, -0.9, 0.9) }]).state;
  const calmer = converse(meter, ['exchange_rate', 'card_arrival', 'top_up_failed'].map((intent) => ({ text: 'something', understanding: understood(intent, 0.9, 0.3) })), upset).state;
  check('three good turns halve frustration', calmer.score < upset.score / 2);

  // The bot test's keyword recognizer reads both messages as not understood, negative and angry.
  const furious = ['THIS IS USELESS!!', 'ridiculous, nothing works!!'].map((text) => ({ text, understanding: understood('oos', 0.2, -0.9, 0.9) }));
  const { perceptions: furiousPerceptions } = converse(meter, furious);
  check(
    'a furious customer is not escalated on the first message',
    escalationTrigger(furious[0]!.text, furiousPerceptions[0]!, furious[0]!.understanding, settings) === undefined,
  );
  check(
    'a furious customer escalates on frustration before the third failure',
    escalationTrigger(furious[1]!.text, furiousPerceptions[1]!, furious[1]!.understanding, settings) === 'frustration',
  );

  // Every domain-independent signal still shows up as a reason.
  const first = (text: string) => converse(meter, [{ text, understanding: understood('exchange_rate', 0.9) }]).state;
  const next = (previous: FrustrationState, text: string, u: Understanding) => reasonNames(converse(meter, [{ text, understanding: u }], previous).perceptions[0]);
  check('a correction is heard', next(CALM, "No, that's not what I asked", understood('card_arrival', 0.9)).includes('customer_correcting'));
  check('a request asked again is heard', next(converse(meter, [{ text: 'something', understanding: understood('card_arrival', 0.9) }]).state, 'something', understood('card_arrival', 0.9)).includes('asked_again'));
  check(
    'a rephrased repeat is heard',
    next(first('where is my parcel with the new headphones'), 'my new headphones parcel, where is it?', understood('oos', 0.2)).includes('rephrased_request'),
  );
  check('sarcasm is heard', next(CALM, 'thanks for nothing', understood('card_arrival', 0.9)).includes('sarcasm'));
  check(
    'a curt reply after long messages is heard',
    next(first('I have explained three times that the refund from the shop never reached my account'), 'whatever', understood('oos', 0.1, -0.3)).includes('curt_reply'),
  );

  const started = meter.perceive(CALM, { text: 'something', understanding: understood('card_arrival', 0.9), at: 0 }).state;
  const going = meter.perceive(started, { text: 'something', understanding: understood('exchange_rate', 0.9), at: 15 * 60_000 }).state;
  const later = meter.perceive(going, { text: 'something', understanding: understood('top_up_failed', 0.9), at: 35 * 60_000, repeatContacts: 2 }).perception.reasons;
  check(
    'time dragging on and repeat contacts keep their documented weights',
    later.some((r) => r.name === 'taking_long' && r.weight === 0.1) && later.some((r) => r.name === 'repeat_contact' && r.weight === 0.2),
  );
  return violations;
}
