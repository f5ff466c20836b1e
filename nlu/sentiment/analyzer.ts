/**
 * The shipped SentimentAnalyzer: a linear model's polarity and cue probabilities, blended with
 * the rules layer (lexicon valence, emphasis, cue keywords). Synchronous and allocation-light so
 * it fits the per-turn hot path (well under a millisecond per message).
 */
import type { EmotionCues, SentimentAnalyzer, SentimentReading } from '../types';
import { readMessage, type MessageReading } from './features';
import { CUES, POLARITIES, type Polarity } from './linear-model';
import type { RuleSignals } from './rules';
import type { DecisionConfig, SentimentModel } from './model-file';

function clamp(value: number, low: number, high: number): number {
  return value < low ? low : value > high ? high : value;
}

/** How strongly the message is emphasised: intensified words, capitals, "!!", profanity. */
function emphasisOf(signals: RuleSignals): number {
  return signals.intensified + signals.shouting + (signals.exclamations >= 2 ? 1 : 0) + Math.min(signals.profanity, 1);
}

/** The score from model probabilities and rule signals (shared by training-time tuning). */
export function blendScore(polarity: readonly number[], signals: RuleSignals, decision: DecisionConfig): number {
  // P(pos) − P(neg), shrunk when the model thinks "neutral": (0.3, 0.7 neutral, 0) is a mild 0.3
  // by the difference alone but is really a neutral message.
  const model = (polarity[2] - polarity[0]) * Math.pow(1 - polarity[1], decision.neutralShrink);
  let score = (1 - decision.lexiconWeight) * model + decision.lexiconWeight * signals.valence;
  score *= 1 + decision.emphasis * emphasisOf(signals);
  if (signals.sarcasm) score = Math.min(score, -Math.abs(score) * 0.5);
  return clamp(score, -1, 1);
}

/** The 3-class decision from a score and the fitted neutral band. */
export function polarityOf(score: number, decision: DecisionConfig): Polarity {
  if (score <= decision.neutralLow) return 'negative';
  if (score >= decision.neutralHigh) return 'positive';
  return 'neutral';
}

/** Noisy-OR: either the model or a rule can raise a cue; neither can lower the other's. */
function combine(model: number, rule: number): number {
  return clamp(1 - (1 - model) * (1 - rule), 0, 1);
}

export interface DetailedReading extends SentimentReading {
  readonly polarity: Polarity;
  readonly probabilities: Readonly<Record<Polarity, number>>;
}

export class LinearSentimentAnalyzer implements SentimentAnalyzer {
  constructor(private readonly model: SentimentModel) {
    if (!model) throw new Error('[LinearSentimentAnalyzer]: Missing parameter. model is required');
  }

  analyze(text: string): SentimentReading {
    const { score, cues } = this.analyzeDetailed(text);
    return { score, cues };
  }

  /** Like `analyze`, plus the 3-class decision and the model's probabilities (for the bench). */
  analyzeDetailed(text: string): DetailedReading {
    const reading: MessageReading = readMessage(text);
    const output = this.model.linear.predict(this.model.features.vectorize(reading));
    const { signals } = reading;
    const score = blendScore(output.polarity, signals, this.model.decision);
    const modelCue = (name: (typeof CUES)[number]): number => output.cues[CUES.indexOf(name)];
    // Capitals, "!!!" and swearing only read as anger when the message is not a happy one.
    const angerBoost = score < this.model.decision.neutralHigh ? signals.anger : signals.anger * 0.3;
    const cues: EmotionCues = {
      anger: combine(modelCue('anger'), angerBoost),
      anxiety: combine(modelCue('anxiety'), signals.anxiety),
      urgency: combine(modelCue('urgency'), signals.urgency),
      confusion: combine(modelCue('confusion'), signals.confusion),
      gratitude: combine(modelCue('gratitude'), signals.gratitude),
    };
    const probabilities = {} as Record<Polarity, number>;
    POLARITIES.forEach((name, i) => {
      probabilities[name] = output.polarity[i];
    });
    return { score, cues, polarity: polarityOf(score, this.model.decision), probabilities };
  }
}
