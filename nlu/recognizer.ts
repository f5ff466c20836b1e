/**
 * The Intent stage: one message in, intent + entities + sentiment out. Everything here is local
 * and synchronous, so it costs well under a millisecond on the per-turn hot path.
 */
import { OUT_OF_SCOPE, type CustomerClock, type Entity, type IntentClassifier, type MessageUnderstanding, type SentimentAnalyzer, type Understanding } from './types';

export type EntityExtractor = (text: string, now?: CustomerClock) => Entity[];

/** Longer messages are cut before analysis: nothing a customer means needs more, and it bounds the cost. */
const MAX_ANALYSED_CHARACTERS = 2000;

export class Recognizer implements MessageUnderstanding {
  constructor(
    private readonly classifier: IntentClassifier,
    private readonly sentiment: SentimentAnalyzer,
    private readonly extractEntities: EntityExtractor,
  ) {
    if (!classifier) throw new Error('[Recognizer]: Missing parameter. classifier is required');
    if (!sentiment) throw new Error('[Recognizer]: Missing parameter. sentiment is required');
    if (!extractEntities) throw new Error('[Recognizer]: Missing parameter. extractEntities is required');
  }

  /** @param clock the customer's clock, for relative dates in their calendar; the server's time when absent */
  understand(text: string, clock?: CustomerClock): Understanding {
    const analysed = text.slice(0, MAX_ANALYSED_CHARACTERS).trim();
    if (analysed === '') {
      return {
        intent: { intent: OUT_OF_SCOPE, confidence: 0, alternatives: [] },
        entities: [],
        sentiment: { score: 0, cues: { anger: 0, anxiety: 0, urgency: 0, confusion: 0, gratitude: 0 } },
      };
    }
    return {
      intent: this.classifier.classify(analysed),
      entities: this.extractEntities(analysed, clock),
      sentiment: this.sentiment.analyze(analysed),
    };
  }
}
