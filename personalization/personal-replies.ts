/**
 * Recognises the customer's answers to what personalization asked (an offer, a resume prompt, a
 * preference question) and the commands that work at any time ("stop offers", "why am I seeing
 * this?"). Pure: the Decide stage calls it before its own ladder.
 */
import { isAnswerShaped } from './answer-shape';
import type { Awaiting } from './personal-memory';
import { profilingAnswerOf, type ProfilingQuestion } from './profiling';

/** The kinds that answer what the bot asked (the others are commands that work at any time). */
export const ANSWER_KINDS: ReadonlySet<PersonalReply['kind']> = new Set(['offer_answer', 'resume_answer', 'profiling_answer']);

export type PersonalReply =
  | { readonly kind: 'stop_offers' }
  | { readonly kind: 'why_offer' }
  | { readonly kind: 'offer_answer'; readonly accepted: boolean }
  | { readonly kind: 'resume_answer'; readonly resume: boolean }
  | { readonly kind: 'profiling_answer'; readonly question: ProfilingQuestion; readonly answer: string };

const STOP_OFFERS = /\b(stop( (sending|showing)( me)?)?|no more|unsubscribe( me)?( from)?|opt out( of)?|(don'?t|do not) (send|show) me)\s+(the\s+|any\s+)?(offers?|promotions?|marketing|ads|adverts)\b/i;
const WHY_OFFER = /\bwhy (am i|do i|are you) (seeing|getting|showing( me)?) (this|that|these|an? offers?)\b|\bwhy (this|that) offer\b/i;
const YES = /^\s*(yes|yeah|yep|sure|ok(ay)?|please|go on|tell me more|i'?m interested|sounds good|continue|pick up where i left off)\b/i;
const NO = /^\s*(no|nope|not now|no thanks?|not interested|maybe later|later|start (again|fresh|over)|no,? start fresh)\b/i;
/** Longer than a short answer, yet an answer: the words of the resume question itself. */
const RESUME_LABELS = ['pick up where I left off'];

/**
 * The answer or command in `text`, if any. Commands ("stop offers", "why am I seeing this?") count
 * anywhere; an answer only when the message is shaped like one (answer-shape.ts), so that
 * "ok, and my card payment was declined" is the next request rather than a yes to the offer.
 */
export function recogniseReply(text: string, awaiting: Awaiting | undefined): PersonalReply | undefined {
  if (STOP_OFFERS.test(text)) return { kind: 'stop_offers' };
  if (WHY_OFFER.test(text)) return { kind: 'why_offer' };
  if (!awaiting) return undefined;
  switch (awaiting.kind) {
    case 'offer':
      if (!isAnswerShaped(text)) return undefined;
      if (NO.test(text)) return { kind: 'offer_answer', accepted: false };
      if (YES.test(text)) return { kind: 'offer_answer', accepted: true };
      return undefined;
    case 'resume':
      if (!isAnswerShaped(text, RESUME_LABELS)) return undefined;
      if (NO.test(text)) return { kind: 'resume_answer', resume: false };
      if (YES.test(text)) return { kind: 'resume_answer', resume: true };
      return undefined;
    case 'profiling': {
      const answer = profilingAnswerOf(awaiting.question, text);
      return answer === undefined ? undefined : { kind: 'profiling_answer', question: awaiting.question, answer };
    }
  }
}
