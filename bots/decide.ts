/**
 * The Decide stage: rules first. Escalate? Continue the task in progress? Start a task dialog?
 * Small talk, help, or admit we did not understand? Every decision carries its reasons.
 */
import type { Reason } from '../core/reason';
import { dialogForIntent } from '../dialogs/task-catalog';
import { escalationTrigger, type EscalationSettings, type EscalationTrigger } from '../escalation/escalation-policy';
import type { Perception } from '../escalation/frustration-meter';
import { OUT_OF_SCOPE, type IntentScore, type Understanding } from '../nlu/types';
import { chooseOffer, type OfferDecision } from '../personalization/offers/offer-policy';
import type { OfferInput } from '../personalization/offers/offer-input';
import { ANSWER_KINDS, type PersonalReply } from '../personalization/personal-replies';
import { chooseTone, type ToneProfile } from '../personalization/tone-policy';
import type { Tone } from '../personalization/tone';

export type SmallTalk = 'greeting' | 'thanks' | 'goodbye' | 'help' | 'noTaskInProgress';

export type Action =
  | { readonly kind: 'escalate'; readonly trigger: EscalationTrigger }
  | { readonly kind: 'continue_task' }
  | { readonly kind: 'start_task'; readonly dialogId: string }
  | { readonly kind: 'cancel_task' }
  | { readonly kind: 'small_talk'; readonly template: SmallTalk }
  | { readonly kind: 'unsupported'; readonly intent: string }
  | { readonly kind: 'not_understood'; readonly suggestions: readonly IntentScore[] }
  /** A guess the model is unsure of: "is it about X or Y?" instead of running the wrong task. */
  | { readonly kind: 'clarify'; readonly suggestions: readonly IntentScore[] }
  /** Frustration is rising: offer a person before the customer has to ask. */
  | { readonly kind: 'offer_person' }
  /** The customer said no to the person the bot offered: the bot keeps trying. */
  | { readonly kind: 'keep_trying' }
  /** An answer to what personalization asked, "why am I seeing this?" or "stop offers". */
  | { readonly kind: 'personal'; readonly reply: PersonalReply };

export interface Decision {
  readonly action: Action;
  readonly tone: Tone;
  /** The next best offer for this turn, or why there is none (shown after the reply, if at all). */
  readonly offer: OfferDecision;
  readonly reasons: readonly Reason[];
}

export interface DecisionInput {
  readonly text: string;
  readonly understanding: Understanding;
  readonly perception: Perception;
  /** A task dialog is waiting for this customer's answer. */
  readonly taskInProgress: boolean;
  /** A person was already offered in this conversation (offer once, never nag). */
  readonly personOffered: boolean;
  /** The bot's last message offered a person: this message may answer it (absent: no). */
  readonly personOfferPending?: boolean;
  /** The customer's stated style and tier, for the tone (absent: an anonymous visitor). */
  readonly customer?: ToneProfile;
  /** The message answers what personalization asked, or is an offer command. */
  readonly personalReply?: PersonalReply;
  /** What the offer engine may see; absent means no known customer, so no offer. */
  readonly offer?: OfferInput;
}

/** Turns that served the customer; an offer may follow only these. */
const OFFER_MOMENTS: ReadonlySet<Action['kind']> = new Set(['start_task', 'continue_task', 'small_talk']);
const NO_CUSTOMER: OfferDecision = { kind: 'none', suppressedBy: 'anonymous' };
const NOT_THE_MOMENT: OfferDecision = { kind: 'none', suppressedBy: 'not_the_moment' };

/** Switching tasks mid-dialog (or leaving a personal question for a task) needs this much confidence. */
const SWITCH_TASK_CONFIDENCE = 0.8;
/** A recognised task is confirmed with the customer before it runs when the model is this unsure… */
const CLARIFY_BELOW = 0.45;
/** …or only moderately sure and a second intent is close behind. */
const CLARIFY_MODERATE_BELOW = 0.7;
const CLARIFY_MARGIN = 0.25;
/** Frustration at which the bot offers a person unasked (well below the escalation threshold). */
const OFFER_PERSON_AT = 0.45;
const HELP = /^\s*(help|menu|options|what can you do\??|what can i ask\??)\s*[.!?]*\s*$/i;
const CANCEL = /^\s*(cancel|stop|never ?mind|forget it|start over|quit)\s*[.!]*\s*$/i;
/** The "no" button under the offer of a person (content/en/general.lg offerPerson). */
const KEEP_TRYING = /^\s*keep trying( with (the|this) bot)?\s*[.!]*\s*$/i;

/** A no to "Shall I bring in a person?": the deny intent, or the "Keep trying with the bot" button. */
export function declinesPerson(text: string, intent: string): boolean {
  return intent === 'deny' || KEEP_TRYING.test(text);
}

/** A yes or a no to the person offered: an answer, not a message the bot failed to understand. */
export function answersPersonOffer(text: string, intent: string): boolean {
  return intent === 'affirm' || declinesPerson(text, intent);
}

export function decide(input: DecisionInput, settings: EscalationSettings): Decision {
  const tone = chooseTone(input.understanding, input.perception, input.customer);
  const decision = (action: Action, ...reasons: Reason[]): Decision => {
    const offer = !OFFER_MOMENTS.has(action.kind) ? NOT_THE_MOMENT : input.offer ? chooseOffer(input.offer) : NO_CUSTOMER;
    return {
      action,
      tone: tone.tone,
      offer,
      reasons: [...reasons, ...tone.reasons.map((reason) => ({ ...reason, name: `tone:${reason.name}` })), offerReason(offer)],
    };
  };

  // "Stop offers" is honoured whatever else is going on.
  if (input.personalReply?.kind === 'stop_offers') return decision({ kind: 'personal', reply: input.personalReply }, { name: 'asked_to_stop_offers', weight: 1 });

  const { intent, confidence, alternatives } = input.understanding.intent;
  // "Shall I bring in a person?" answered by typing (on SMS or WhatsApp there is no button).
  const declinedPerson = input.personOfferPending === true && declinesPerson(input.text, intent);
  const trigger = escalationTrigger(input.text, input.perception, input.understanding, settings);
  // Having just said no to a person, the customer is not sent to one for the mood or the misses
  // that prompted the offer; asking for one, or a high-risk request, still goes through.
  if (trigger && !(declinedPerson && (trigger === 'frustration' || trigger === 'failed_turns'))) {
    return decision({ kind: 'escalate', trigger }, { name: `escalate:${trigger}`, weight: input.perception.score });
  }
  if (declinedPerson) return decision({ kind: 'keep_trying' }, { name: 'declined_person_offer', weight: 1 });
  if (input.personOfferPending && intent === 'affirm') {
    return decision({ kind: 'escalate', trigger: 'human_request' }, { name: 'accepted_person_offer', weight: confidence });
  }
  // An answer to what personalization asked, unless the message is clearly a task: then it is the
  // customer's next request, and the question it leaves unanswered is dropped (PersonalTouch.moveOn).
  const reply = input.personalReply;
  if (reply && !(ANSWER_KINDS.has(reply.kind) && clearTaskRequest(input.understanding))) {
    return decision({ kind: 'personal', reply }, { name: `personal:${reply.kind}`, weight: 1 });
  }
  if (HELP.test(input.text)) return decision({ kind: 'small_talk', template: 'help' }, { name: 'asked_for_help', weight: 1 });
  if (CANCEL.test(input.text)) return decision({ kind: 'cancel_task' }, { name: 'asked_to_cancel', weight: 1 });

  const dialogId = dialogForIntent(intent);
  if (input.taskInProgress) {
    const switching = dialogId !== undefined && confidence >= SWITCH_TASK_CONFIDENCE && input.text.trim().split(/\s+/).length > 3;
    if (!switching) return decision({ kind: 'continue_task' }, { name: 'task_in_progress', weight: 1 });
  }
  const runnerUp = alternatives.find((alternative) => alternative.intent !== intent)?.confidence ?? 0;
  const unsure = confidence < CLARIFY_BELOW || (confidence < CLARIFY_MODERATE_BELOW && confidence - runnerUp < CLARIFY_MARGIN);
  const struggling = intent === OUT_OF_SCOPE || unsure || (!dialogId && !isSmallTalk(intent) && intent !== 'affirm' && intent !== 'deny');
  if (struggling && !input.personOffered && input.perception.score >= OFFER_PERSON_AT) {
    return decision({ kind: 'offer_person' }, { name: 'frustration_rising', weight: input.perception.score });
  }
  if (intent === OUT_OF_SCOPE) {
    return decision({ kind: 'not_understood', suggestions: alternatives.slice(0, 3) }, { name: 'not_understood', weight: 1 - confidence });
  }
  if (unsure && !isSmallTalk(intent)) {
    return decision({ kind: 'clarify', suggestions: alternatives.slice(0, 3) }, { name: 'unsure_of_intent', weight: 1 - confidence });
  }
  if (dialogId) return decision({ kind: 'start_task', dialogId }, { name: `intent:${intent}`, weight: confidence });
  if (isSmallTalk(intent)) return decision({ kind: 'small_talk', template: intent }, { name: `intent:${intent}`, weight: confidence });
  if (intent === 'affirm' || intent === 'deny') {
    return decision({ kind: 'small_talk', template: 'noTaskInProgress' }, { name: `intent:${intent}`, weight: confidence });
  }
  return decision({ kind: 'unsupported', intent }, { name: `intent:${intent}`, weight: confidence });
}

/** A task intent the model is sure enough of to leave a task, or a question, for it. */
function clearTaskRequest(understanding: Understanding): boolean {
  const { intent, confidence, alternatives } = understanding.intent;
  return [{ intent, confidence }, ...alternatives].some((guess) => guess.confidence >= SWITCH_TASK_CONFIDENCE && dialogForIntent(guess.intent) !== undefined);
}

/** The offer outcome as a recorded reason: `offer:<id>` with its score, or `offer_suppressed:<rule>`. */
function offerReason(offer: OfferDecision): Reason {
  return offer.kind === 'offer'
    ? { name: `offer:${offer.offerId}`, weight: offer.score, detail: offer.reasons.join(',') }
    : { name: `offer_suppressed:${offer.suppressedBy}`, weight: 1 };
}

function isSmallTalk(intent: string): intent is 'greeting' | 'thanks' | 'goodbye' {
  return intent === 'greeting' || intent === 'thanks' || intent === 'goodbye';
}
