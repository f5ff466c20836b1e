/** What the Intent stage knows about one customer message. Plain data: it is stored on the turn. */

/** Conversational intents attune adds to the 77 BANKING77 intents. */
export const CONVERSATIONAL_INTENTS = [
  'greeting',
  'goodbye',
  'thanks',
  'affirm',
  'deny',
  'human_request',
  'complaint',
] as const;

/** The label for "the model is not sure enough": never a wrong guess. */
export const OUT_OF_SCOPE = 'oos';

export interface IntentScore {
  readonly intent: string;
  /** Calibrated probability in 0…1. */
  readonly confidence: number;
}

export interface IntentPrediction {
  /** The best intent, or `oos` when the best confidence is below the model's threshold. */
  readonly intent: string;
  readonly confidence: number;
  /** The best few intents, best first (the top one included), even when the answer is `oos`. */
  readonly alternatives: readonly IntentScore[];
}

/** Classifies one message; synchronous and local so it is cheap on the per-turn hot path. */
export interface IntentClassifier {
  classify(text: string): IntentPrediction;
}

export type EntityKind = 'money' | 'date' | 'card_last4' | 'account_reference' | 'merchant';

export interface Entity {
  readonly kind: EntityKind;
  /** The text as the customer wrote it. */
  readonly text: string;
  /** Normalised value: `{ amount, currency }` for money, ISO date for dates, digits for cards. */
  readonly value: string | number | { readonly amount: number; readonly currency?: string };
}

/** Emotion cues, each 0…1. */
export interface EmotionCues {
  readonly anger: number;
  readonly anxiety: number;
  readonly urgency: number;
  readonly confusion: number;
  readonly gratitude: number;
}

export interface SentimentReading {
  /** −1 (very negative) … 1 (very positive). */
  readonly score: number;
  readonly cues: EmotionCues;
}

export interface SentimentAnalyzer {
  analyze(text: string): SentimentReading;
}

export interface Understanding {
  readonly intent: IntentPrediction;
  readonly entities: readonly Entity[];
  readonly sentiment: SentimentReading;
}

/**
 * The customer's clock when they wrote, so relative dates ("yesterday", "last Friday") resolve in
 * their calendar, not the server's: at 23:00 in UTC−8 "yesterday" is a day earlier than in UTC.
 * Plain data (it crosses to the NLU threads). Without an offset or zone, the server's time applies.
 */
export interface CustomerClock {
  /** When the message arrived. */
  readonly at: Date;
  /** The customer's offset from UTC in minutes at `at` (−480 for UTC−8), from the channel's `localTimestamp`. */
  readonly utcOffsetMinutes?: number;
  /** The customer's IANA time zone ("America/Los_Angeles", the channel's `localTimezone`), used when no offset is known. */
  readonly timeZone?: string;
}

/** The Intent stage as a turn uses it: on the main thread, or on worker threads. */
export interface MessageUnderstanding {
  /** @param clock the customer's clock for relative dates; the server's time when absent */
  understand(text: string, clock?: CustomerClock): Understanding | Promise<Understanding>;
}
