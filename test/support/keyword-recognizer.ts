/**
 * A tiny keyword recognizer for unit tests of the bot and dialogs, so they test the pipeline's
 * behaviour without depending on the trained models (which have suites of their own).
 */
import { Recognizer, type EntityExtractor } from '../../nlu/recognizer';
import { OUT_OF_SCOPE, type IntentClassifier, type SentimentAnalyzer } from '../../nlu/types';

const KEYWORDS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\b(person|human|agent)\b/i, 'human_request'],
  [/\bcomplain/i, 'complaint'],
  [/\bcharged twice\b/i, 'transaction_charged_twice'],
  [/\b(hasn't arrived|not arrived|still waiting for my card)\b/i, 'card_arrival'],
  [/\b(lost|stolen)\b/i, 'lost_or_stolen_card'],
  [/\bdeclined\b/i, 'declined_card_payment'],
  [/\btop.?up\b/i, 'top_up_failed'],
  [/\bexchange rate\b/i, 'exchange_rate'],
  [/\b(pin)\b/i, 'change_pin'],
  [/^(hi|hello|hey)\b/i, 'greeting'],
  [/\b(thanks|thank you)\b/i, 'thanks'],
  [/\b(bye|goodbye)\b/i, 'goodbye'],
  [/^(yes|yep)\b/i, 'affirm'],
];

export const keywordClassifier: IntentClassifier = {
  classify(text) {
    const hit = KEYWORDS.find(([pattern]) => pattern.test(text));
    return hit
      ? { intent: hit[1], confidence: 0.95, alternatives: [{ intent: hit[1], confidence: 0.95 }] }
      : { intent: OUT_OF_SCOPE, confidence: 0.2, alternatives: [{ intent: 'card_arrival', confidence: 0.2 }, { intent: 'top_up_failed', confidence: 0.1 }] };
  },
};

/** Negative and angry when the text shouts or swears; otherwise neutral. */
export const cueSentiment: SentimentAnalyzer = {
  analyze(text) {
    const angry = /!!|\b(useless|ridiculous|terrible|damn)\b/i.test(text) || (text.length > 8 && text === text.toUpperCase());
    return { score: angry ? -0.9 : 0, cues: { anger: angry ? 0.9 : 0, anxiety: /stolen/i.test(text) ? 0.8 : 0, urgency: 0, confusion: 0, gratitude: /thank/i.test(text) ? 0.9 : 0 } };
  },
};

/** Keywords for intents, cues for sentiment; no entities unless given an extractor (e.g. the real one). */
export function keywordRecognizer(extractEntities: EntityExtractor = () => []): Recognizer {
  return new Recognizer(keywordClassifier, cueSentiment, extractEntities);
}
