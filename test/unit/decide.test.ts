import { decide, type DecisionInput } from '../../bots/decide';
import type { Perception } from '../../escalation/frustration-meter';
import type { Understanding } from '../../nlu/types';

const calm: Perception = { score: 0, reasons: [], consecutiveFailures: 0, humanRequested: false };
const settings = { frustrationThreshold: 0.7, failedTurnsToEscalate: 3 };

function understanding(intent: string, confidence = 0.9, mood: Partial<Understanding['sentiment']['cues']> = {}, score = 0): Understanding {
  return {
    intent: { intent, confidence, alternatives: [{ intent, confidence }] },
    entities: [],
    sentiment: { score, cues: { anger: 0, anxiety: 0, urgency: 0, confusion: 0, gratitude: 0, ...mood } },
  };
}

function input(partial: Partial<DecisionInput>): DecisionInput {
  return { text: 'something', understanding: understanding('card_arrival'), perception: calm, taskInProgress: false, personOffered: false, ...partial };
}

describe('decide', () => {
  it('starts the task dialog for a known intent, in a neutral tone when calm', () => {
    expect(decide(input({}), settings)).toMatchObject({ action: { kind: 'start_task', dialogId: 'cardArrival' }, tone: 'neutral' });
  });

  it('escalates at once when the customer asks for a person', () => {
    const decision = decide(input({ understanding: understanding('human_request'), perception: { ...calm, humanRequested: true } }), settings);
    expect(decision.action).toEqual({ kind: 'escalate', trigger: 'human_request' });
  });

  it('sends a stolen card (not a lost one) and fraud to a person at once', () => {
    expect(decide(input({ text: 'my card was stolen', understanding: understanding('lost_or_stolen_card') }), settings).action).toEqual({ kind: 'escalate', trigger: 'high_risk' });
    expect(decide(input({ text: 'I lost my card', understanding: understanding('lost_or_stolen_card') }), settings).action).toEqual({ kind: 'start_task', dialogId: 'lostCard' });
    expect(decide(input({ text: 'someone used my card', understanding: understanding('compromised_card') }), settings).action).toEqual({ kind: 'escalate', trigger: 'high_risk' });
  });

  it('escalates on frustration at the threshold and on repeated failures', () => {
    expect(decide(input({ perception: { ...calm, score: 0.7 } }), settings).action).toEqual({ kind: 'escalate', trigger: 'frustration' });
    expect(decide(input({ understanding: understanding('oos', 0.1), perception: { ...calm, consecutiveFailures: 3 } }), settings).action).toEqual({ kind: 'escalate', trigger: 'failed_turns' });
  });

  it('continues the task in progress unless the customer clearly asks for something else', () => {
    expect(decide(input({ taskInProgress: true, text: 'yes' }), settings).action.kind).toBe('continue_task');
    expect(decide(input({ taskInProgress: true, text: 'my top up failed again today', understanding: understanding('top_up_failed', 0.95) }), settings).action).toEqual({ kind: 'start_task', dialogId: 'topUpFailed' });
    expect(decide(input({ taskInProgress: true, text: 'my top up failed again today', understanding: understanding('top_up_failed', 0.5) }), settings).action.kind).toBe('continue_task');
  });

  it('offers the likeliest intents when it did not understand', () => {
    const decision = decide(input({ understanding: { ...understanding('oos', 0.2), intent: { intent: 'oos', confidence: 0.2, alternatives: [{ intent: 'card_arrival', confidence: 0.2 }, { intent: 'top_up_failed', confidence: 0.1 }] } } }), settings);
    expect(decision.action).toEqual({ kind: 'not_understood', suggestions: [{ intent: 'card_arrival', confidence: 0.2 }, { intent: 'top_up_failed', confidence: 0.1 }] });
  });

  it('confirms an unsure guess instead of running the wrong task', () => {
    const close = { ...understanding('card_arrival', 0.5), intent: { intent: 'card_arrival', confidence: 0.5, alternatives: [{ intent: 'card_arrival', confidence: 0.5 }, { intent: 'card_delivery_estimate', confidence: 0.4 }] } };
    expect(decide(input({ understanding: close }), settings).action).toEqual({ kind: 'clarify', suggestions: close.intent.alternatives });
    expect(decide(input({ understanding: understanding('card_arrival', 0.4) }), settings).action.kind).toBe('clarify');
    const clearLead = { ...understanding('card_arrival', 0.55), intent: { intent: 'card_arrival', confidence: 0.55, alternatives: [{ intent: 'card_arrival', confidence: 0.55 }, { intent: 'lost_or_stolen_phone', confidence: 0.2 }] } };
    expect(decide(input({ understanding: clearLead }), settings).action).toEqual({ kind: 'start_task', dialogId: 'cardArrival' });
  });

  it('offers a person once when frustration rises while the bot is struggling', () => {
    const rising = { ...calm, score: 0.5 };
    const lost = understanding('oos', 0.2);
    expect(decide(input({ understanding: lost, perception: rising }), settings).action).toEqual({ kind: 'offer_person' });
    expect(decide(input({ understanding: lost, perception: rising, personOffered: true }), settings).action.kind).toBe('not_understood');
    expect(decide(input({ perception: rising }), settings).action.kind).toBe('start_task');
  });

  it('takes a typed yes to the offered person as a request for one, and a no as keep trying', () => {
    const rising = { ...calm, score: 0.5 };
    const yes = decide(input({ text: 'yes', understanding: understanding('affirm'), perception: rising, personOffered: true, personOfferPending: true }), settings);
    expect(yes.action).toEqual({ kind: 'escalate', trigger: 'human_request' });
    expect(yes.reasons.map((r) => r.name)).toContain('accepted_person_offer');
    expect(decide(input({ text: 'no', understanding: understanding('deny'), perception: rising, personOffered: true, personOfferPending: true }), settings).action).toEqual({ kind: 'keep_trying' });
    // The button under the offer, which the model does not know.
    const button = decide(input({ text: 'Keep trying with the bot', understanding: understanding('oos', 0.2), perception: rising, personOffered: true, personOfferPending: true }), settings);
    expect(button.action).toEqual({ kind: 'keep_trying' });
    // The frustration that prompted the offer does not overrule the no; asking for a person does.
    const stillAngry = { ...calm, score: 0.8 };
    expect(decide(input({ text: 'no', understanding: understanding('deny'), perception: stillAngry, personOffered: true, personOfferPending: true }), settings).action).toEqual({ kind: 'keep_trying' });
    expect(decide(input({ text: 'no, get me a person', understanding: understanding('deny'), perception: { ...stillAngry, humanRequested: true }, personOfferPending: true }), settings).action).toEqual({ kind: 'escalate', trigger: 'human_request' });
    // Without a pending offer a bare yes is still about nothing.
    expect(decide(input({ text: 'yes', understanding: understanding('affirm'), perception: rising, personOffered: true }), settings).action).toEqual({ kind: 'small_talk', template: 'noTaskInProgress' });
  });

  it('takes an answer to a personal question as one only while no task is clearly asked for', () => {
    const accepted = { kind: 'offer_answer', accepted: true } as const;
    expect(decide(input({ text: 'ok', understanding: understanding('affirm'), personalReply: accepted }), settings).action).toEqual({ kind: 'personal', reply: accepted });
    const declined = decide(input({ text: 'ok, payment declined', understanding: understanding('declined_card_payment', 0.9), personalReply: accepted }), settings);
    expect(declined.action).toEqual({ kind: 'start_task', dialogId: 'declinedPayment' });
    // An unsure guess at a task does not overrule the answer; commands count whatever else is said.
    expect(decide(input({ text: 'ok, payment', understanding: understanding('declined_card_payment', 0.6), personalReply: accepted }), settings).action.kind).toBe('personal');
    expect(decide(input({ text: 'why am I seeing this offer', understanding: understanding('card_arrival', 0.9), personalReply: { kind: 'why_offer' } }), settings).action.kind).toBe('personal');
  });

  it('recognises help and cancel as commands', () => {
    expect(decide(input({ text: 'help' }), settings).action).toEqual({ kind: 'small_talk', template: 'help' });
    expect(decide(input({ text: 'never mind', taskInProgress: true }), settings).action).toEqual({ kind: 'cancel_task' });
  });

  it('chooses the tone from mood and stakes, and says why', () => {
    expect(decide(input({ perception: { ...calm, score: 0.4 } }), settings).tone).toBe('empathetic');
    expect(decide(input({ understanding: understanding('lost_or_stolen_card') }), settings).tone).toBe('reassuring');
    const warm = decide(input({ understanding: understanding('thanks', 0.9, { gratitude: 0.9 }, 0.8) }), settings);
    expect(warm.tone).toBe('warm');
    expect(warm.reasons.map((r) => r.name)).toContain('tone:customer_positive');
  });
});
