/**
 * The Perceive stage: a frustration score 0…1 per conversation, updated every customer turn.
 * Every contribution is a named reason with its weight, so the score explains itself to agents.
 *
 * Beyond mood and misunderstanding, it listens for signals that hold in any domain, not just
 * banking: the customer correcting the bot, repeating or rephrasing the same request, a curt reply
 * after long ones, sarcasm, and time dragging on.
 */
import type { Reason } from '../core/reason';
import { OUT_OF_SCOPE, type Understanding } from '../nlu/types';

/** What the meter remembers between turns (kept in conversation state: small on purpose). */
export interface FrustrationState {
  readonly score: number;
  /** Turns in a row the bot did not understand or could not help with. */
  readonly consecutiveFailures: number;
  /** The last few recognised intents, newest last, to notice the customer asking again. */
  readonly recentIntents: readonly string[];
  /** Content words of the previous customer message, to notice a rephrased repeat. */
  readonly lastWords?: readonly string[];
  /** Word count of the previous customer message, to notice a curt reply after long ones. */
  readonly lastLength?: number;
  /** Epoch ms of the first customer message of this session. */
  readonly startedAt?: number;
  /** Epoch ms of the previous customer message, to notice a new session after a silence. */
  readonly lastAt?: number;
  /** Ten-minute blocks of this session already counted as `taking_long`: each counts once. */
  readonly blocksCounted?: number;
}

export const CALM: FrustrationState = { score: 0, consecutiveFailures: 0, recentIntents: [] };

export interface Perception {
  readonly score: number;
  readonly reasons: readonly Reason[];
  readonly consecutiveFailures: number;
  readonly humanRequested: boolean;
}

export interface FrustrationWeights {
  /** Share of the previous score kept each turn: good turns let frustration fade. */
  readonly decay: number;
  readonly negativeSentiment: number;
  readonly anger: number;
  readonly failedTurn: number;
  readonly repeatedIntent: number;
  readonly rephrasedRequest: number;
  readonly correction: number;
  readonly curtReply: number;
  readonly sarcasm: number;
  /** Per 10 minutes the session has lasted beyond the first 10 (each 10 minutes counts once). */
  readonly timeElapsed: number;
  /** Per earlier contact about the same open case. */
  readonly repeatContact: number;
  readonly humanRequest: number;
  readonly complaint: number;
}

export const DEFAULT_FRUSTRATION_WEIGHTS: FrustrationWeights = {
  decay: 0.7,
  negativeSentiment: 0.25,
  anger: 0.3,
  failedTurn: 0.15,
  repeatedIntent: 0.15,
  rephrasedRequest: 0.15,
  correction: 0.2,
  curtReply: 0.1,
  sarcasm: 0.2,
  timeElapsed: 0.05,
  repeatContact: 0.1,
  humanRequest: 0.2,
  complaint: 0.25,
};

export interface TurnSignals {
  readonly text: string;
  readonly understanding: Understanding;
  /** Epoch ms of this message. */
  readonly at?: number;
  /** Earlier contacts by this customer about the same open case (from their profile). */
  readonly repeatContacts?: number;
  /**
   * A task dialog asked a question and this message answers it ("More than a week ago"): such
   * answers are not banking requests, so the intent model's doubt is not a misunderstanding.
   */
  readonly answeringPrompt?: boolean;
  /**
   * The dialog did not accept this answer to its question and asked again ("no idea" to "How much
   * was it?"): a failed turn like a misunderstanding, so a customer stuck at a prompt reaches a person.
   */
  readonly answerRejected?: boolean;
  /**
   * The chat is with people (waiting for an agent, or with one): the message is for them, so the
   * bot not understanding it is no failure. The caller keeps the perception for the record only.
   */
  readonly forPeople?: boolean;
}

/** Below this confidence a recognised intent counts as a failed turn even if not out-of-scope. */
const LOW_CONFIDENCE = 0.45;
const REMEMBERED_INTENTS = 4;
const REMEMBERED_WORDS = 24;
const MIN_ANGER_CUE = 0.2;
const TEN_MINUTES = 600_000;

/** Silence after which the next message starts a new session; the score also halves per such span. */
export const SESSION_GAP_MS = 30 * 60_000;

/** "No thanks", "no, that's all": a polite no is an answer, not a correction. */
const POLITE_NO = /^\s*(no|nope|nah)\b[\s,.!]*(thanks|thank you|cheers|that'?s (all|it|fine|everything)|problem|worries|need|i'?m (good|fine|ok))/i;
const CORRECTION = /^\s*(no|nope|nah)\b[\s,.!]|\b(i (already )?(said|told you|asked)|that'?s not what i (asked|said|meant|want)|not what i (asked|meant)|you('re| are) not (listening|understanding)|wrong answer|read (my|the) (message|question)|you misunderstood)\b/i;
const SARCASM = /\b(thanks for nothing|great,? thanks a lot|oh (great|wonderful|brilliant|perfect)|yeah,? right|just (great|perfect|brilliant)|very helpful,? not|wow,? (so|very) helpful|what a (great|wonderful) (service|help|bot))\b/i;
const STOP_WORDS = new Set('a an the i my me to of and or is it in on for with at this that be was are you your can do does did have has not no please'.split(' '));

export class FrustrationMeter {
  constructor(private readonly weights: FrustrationWeights = DEFAULT_FRUSTRATION_WEIGHTS) {}

  /** Scores one customer turn; returns the new state to remember and the perception to act on. */
  perceive(last: FrustrationState, signals: TurnSignals): { state: FrustrationState; perception: Perception } {
    const w = this.weights;
    const { intent, sentiment } = signals.understanding;
    const previous = sessionBefore(last, signals.at);
    const reasons: Reason[] = [];
    const add = (name: string, weight: number) => {
      if (weight > 0.001) reasons.push({ name, weight: round(weight) });
    };

    if (sentiment.score < -0.1) add('negative_sentiment', w.negativeSentiment * -sentiment.score);
    // Faint anger cues are noise in what agents read; only clear ones count.
    if (sentiment.cues.anger >= MIN_ANGER_CUE) add('anger_cues', w.anger * sentiment.cues.anger);

    const failed = !signals.forPeople && (signals.answerRejected === true || (!signals.answeringPrompt && (intent.intent === OUT_OF_SCOPE || intent.confidence < LOW_CONFIDENCE)));
    const consecutiveFailures = failed ? previous.consecutiveFailures + 1 : 0;
    if (failed) add('not_understood', w.failedTurn * consecutiveFailures);

    const askedAgain = !failed && previous.recentIntents.includes(intent.intent) && !isSmallTalk(intent.intent);
    if (askedAgain) add('asked_again', w.repeatedIntent);

    const words = contentWords(signals.text);
    if (!askedAgain && previous.lastWords && similarity(words, previous.lastWords) >= 0.5 && words.length >= 2) add('rephrased_request', w.rephrasedRequest);
    if (CORRECTION.test(signals.text) && !POLITE_NO.test(signals.text)) add('customer_correcting', w.correction);
    if (SARCASM.test(signals.text)) add('sarcasm', w.sarcasm);

    const length = signals.text.trim().split(/\s+/).filter(Boolean).length;
    const curt = (previous.lastLength ?? 0) >= 8 && length <= 2 && (failed || sentiment.score < 0) && !isSmallTalk(intent.intent);
    if (curt) add('curt_reply', w.curtReply);

    const startedAt = previous.startedAt ?? signals.at;
    // Each ten-minute block past the first ten counts once, on the turn that reaches it: counted
    // again on every later turn, the score would climb with time alone, however calm the customer.
    let blocksCounted = previous.blocksCounted ?? 0;
    if (startedAt !== undefined && signals.at !== undefined) {
      const blocks = Math.floor((signals.at - startedAt) / TEN_MINUTES) - 1;
      if (blocks > blocksCounted) {
        add('taking_long', w.timeElapsed * (blocks - blocksCounted));
        blocksCounted = blocks;
      }
    }
    if (signals.repeatContacts) add('repeat_contact', w.repeatContact * signals.repeatContacts);

    const humanRequested = intent.intent === 'human_request' && !failed;
    if (humanRequested) add('asked_for_person', w.humanRequest);
    if (intent.intent === 'complaint' && !failed) add('complaint', w.complaint);

    // Thanks or relief means the last answer helped: frustration fades faster than on a neutral turn.
    const relieved = intent.intent === 'thanks' || sentiment.cues.gratitude >= 0.5;
    const carried = previous.score * w.decay * (relieved ? 0.5 : 1);
    const score = round(clamp01(carried + reasons.reduce((sum, reason) => sum + reason.weight, 0)));
    const recentIntents = failed || signals.answeringPrompt ? previous.recentIntents : [...previous.recentIntents, intent.intent].slice(-REMEMBERED_INTENTS);
    const lastAt = signals.at ?? previous.lastAt;

    return {
      state: { score, consecutiveFailures, recentIntents, lastWords: words.slice(0, REMEMBERED_WORDS), lastLength: length, startedAt, lastAt, blocksCounted },
      perception: { score, reasons, consecutiveFailures, humanRequested },
    };
  }
}

/**
 * The state this message continues: the last one, or after a silence of SESSION_GAP_MS a new
 * session that keeps only the faded score (halved per gap of silence: gone after a day).
 */
function sessionBefore(last: FrustrationState, at: number | undefined): FrustrationState {
  // State saved before `lastAt` existed knows only when the conversation started.
  const lastAt = last.lastAt ?? last.startedAt;
  if (at === undefined || lastAt === undefined) return last;
  const silence = at - lastAt;
  if (silence < SESSION_GAP_MS) return last;
  return { ...CALM, score: round(last.score * 0.5 ** (silence / SESSION_GAP_MS)) };
}

const SMALL_TALK = new Set(['greeting', 'goodbye', 'thanks', 'affirm', 'deny']);

function isSmallTalk(intent: string): boolean {
  return SMALL_TALK.has(intent);
}

function contentWords(text: string): string[] {
  return [...new Set(text.toLowerCase().match(/[a-z0-9']+/g) ?? [])].filter((word) => word.length > 2 && !STOP_WORDS.has(word));
}

/** Overlap of two word sets relative to the smaller one: a rephrase keeps most of its words. */
function similarity(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const set = new Set(b);
  const shared = a.filter((word) => set.has(word)).length;
  return shared / Math.min(a.length, b.length);
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
