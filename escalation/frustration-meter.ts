/**
 * The Perceive stage: a frustration score 0…1 per conversation, updated every customer turn.
 * Every contribution is a named reason with its weight, so the score explains itself to agents.
 */
import type { Reason } from '../core/reason';
import { OUT_OF_SCOPE, type Understanding } from '../nlu/types';

/** What the meter remembers between turns (kept in conversation state). */
export interface FrustrationState {
  readonly score: number;
  /** Turns in a row the bot did not understand or could not help with. */
  readonly consecutiveFailures: number;
  /** The last few recognised intents, newest last, to notice the customer asking again. */
  readonly recentIntents: readonly string[];
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
  readonly humanRequest: number;
  readonly complaint: number;
}

export const DEFAULT_FRUSTRATION_WEIGHTS: FrustrationWeights = {
  decay: 0.7,
  negativeSentiment: 0.25,
  anger: 0.3,
  failedTurn: 0.15,
  repeatedIntent: 0.15,
  humanRequest: 0.2,
  complaint: 0.25,
};

/** Below this confidence a recognised intent counts as a failed turn even if not out-of-scope. */
const LOW_CONFIDENCE = 0.45;
const REMEMBERED_INTENTS = 4;

export class FrustrationMeter {
  constructor(private readonly weights: FrustrationWeights = DEFAULT_FRUSTRATION_WEIGHTS) {}

  /** Scores one customer turn; returns the new state to remember and the perception to act on. */
  perceive(previous: FrustrationState, understanding: Understanding): { state: FrustrationState; perception: Perception } {
    const { intent, sentiment } = understanding;
    const reasons: Reason[] = [];
    const add = (name: string, weight: number) => {
      if (weight > 0.001) reasons.push({ name, weight: round(weight) });
    };

    if (sentiment.score < -0.1) add('negative_sentiment', this.weights.negativeSentiment * -sentiment.score);
    add('anger_cues', this.weights.anger * sentiment.cues.anger);

    const failed = intent.intent === OUT_OF_SCOPE || intent.confidence < LOW_CONFIDENCE;
    const consecutiveFailures = failed ? previous.consecutiveFailures + 1 : 0;
    if (failed) add('not_understood', this.weights.failedTurn * consecutiveFailures);

    const askedAgain = !failed && previous.recentIntents.includes(intent.intent) && !isSmallTalk(intent.intent);
    if (askedAgain) add('asked_again', this.weights.repeatedIntent);

    const humanRequested = intent.intent === 'human_request' && !failed;
    if (humanRequested) add('asked_for_person', this.weights.humanRequest);
    if (intent.intent === 'complaint' && !failed) add('complaint', this.weights.complaint);

    const carried = previous.score * this.weights.decay;
    const score = clamp01(carried + reasons.reduce((sum, reason) => sum + reason.weight, 0));
    const recentIntents = failed ? previous.recentIntents : [...previous.recentIntents, intent.intent].slice(-REMEMBERED_INTENTS);

    return {
      state: { score: round(score), consecutiveFailures, recentIntents },
      perception: { score: round(score), reasons, consecutiveFailures, humanRequested },
    };
  }
}

const SMALL_TALK = new Set(['greeting', 'goodbye', 'thanks', 'affirm', 'deny']);

function isSmallTalk(intent: string): boolean {
  return SMALL_TALK.has(intent);
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
