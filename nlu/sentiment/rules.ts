/**
 * The lexicon and rules layer: what a reader notices regardless of the statistical model —
 * negation, intensifiers, capitals, "!!!", profanity, emoji, sarcasm markers and urgent words.
 * It is deterministic and explainable, and it feeds the model (as features) and the final score.
 */
import {
  ANGER_WORDS,
  ANXIETY_WORDS,
  CONFUSION_PATTERNS,
  CONFUSION_WORDS,
  DOWNTONERS,
  GRATITUDE_PATTERNS,
  GRATITUDE_WORDS,
  INTENSIFIERS,
  PROFANITY,
  SARCASM_PATTERNS,
  URGENCY_PATTERNS,
  VALENCE,
} from './lexicon';
import type { Token } from './tokenizer';

export interface RuleSignals {
  /** Lexicon valence after negation, intensifiers, emphasis and contrast, squashed to −1…1. */
  readonly valence: number;
  /** Sum of positive and of negative lexicon contributions (both ≥ 0). */
  readonly positive: number;
  readonly negative: number;
  /** Sentiment words inside a negation scope ("not happy", "not bad"). */
  readonly negatedPositive: number;
  readonly negatedNegative: number;
  /** 1 when the message is written in capitals (shouting), partial for a few capitalised words. */
  readonly shouting: number;
  /** Sentiment words strengthened by an intensifier ("really bad"), capped at 2. */
  readonly intensified: number;
  /** Number of "!" (capped at 4). */
  readonly exclamations: number;
  readonly questions: number;
  readonly profanity: number;
  readonly sarcasm: boolean;
  /** Rule-only cue strengths, each 0…1. */
  readonly anger: number;
  readonly anxiety: number;
  readonly urgency: number;
  readonly confusion: number;
  readonly gratitude: number;
}

/** VADER's normalisation constant: a sum of 4 maps to about 0.72. */
const SQUASH_ALPHA = 15;
const NEGATION_FACTOR = -0.6;
const CONTRAST_BEFORE = 0.5;
const CONTRAST_AFTER = 1.5;
const SHOUT_EMPHASIS = 1.4;
const EXCLAMATION_STEP = 0.25;

function lookup(map: ReadonlyMap<string, number>, word: string): number | undefined {
  const direct = map.get(word);
  if (direct !== undefined) return direct;
  // "sooo" was folded to "soo" by the normaliser; try the single-letter spelling too.
  const single = word.replace(/([a-z])\1+/g, '$1');
  return single === word ? undefined : map.get(single);
}

function has(set: ReadonlySet<string>, word: string): boolean {
  return set.has(word) || set.has(word.replace(/([a-z])\1+/g, '$1'));
}

function isShouted(raw: string): boolean {
  return raw.length >= 2 && /[A-Z]/.test(raw) && raw === raw.toUpperCase() && /^[A-Za-z']+$/.test(raw);
}

function squash(sum: number): number {
  return sum / Math.sqrt(sum * sum + SQUASH_ALPHA);
}

function anyMatch(patterns: readonly RegExp[], text: string): number {
  let hits = 0;
  for (const pattern of patterns) if (pattern.test(text)) hits += 1;
  return hits;
}

/** 0 hits → 0, 1 → 0.5, 2 → 0.75, …: several independent cues make a cue surer. */
function saturate(hits: number, perHit = 0.5): number {
  return 1 - Math.pow(1 - perHit, hits);
}

/** Reads the rule signals of one normalised message and its tokens. */
export function readRuleSignals(normalized: string, tokens: readonly Token[]): RuleSignals {
  const lower = normalized.toLowerCase();
  const words = tokens.filter((token) => /^[a-z@]/.test(token.word));
  const letterWords = words.filter((token) => /^[A-Za-z']{2,}$/.test(token.raw) && token.word !== '@user');
  const shoutedCount = letterWords.filter((token) => isShouted(token.raw)).length;
  const allShouted = letterWords.length >= 2 && shoutedCount / letterWords.length >= 0.6;
  const shouting = allShouted ? 1 : letterWords.length === 0 ? 0 : Math.min(1, shoutedCount / 3) * 0.5;

  const contrastAt = tokens.findIndex((token) => token.word === 'but' || token.word === 'however');
  let positive = 0;
  let negative = 0;
  let negatedPositive = 0;
  let negatedNegative = 0;
  let profanity = 0;
  let intensified = 0;
  let angerWords = 0;
  let anxietyWords = 0;
  let confusionWords = 0;
  let gratitudeWords = 0;

  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i];
    const word = token.word;
    if (has(PROFANITY, word)) profanity += 1;
    if (has(ANGER_WORDS, word) && !token.negated) angerWords += 1;
    if (has(ANXIETY_WORDS, word) && !token.negated) anxietyWords += 1;
    if (has(CONFUSION_WORDS, word) && !token.negated) confusionWords += 1;
    if (has(GRATITUDE_WORDS, word) && !token.negated) gratitudeWords += 1;

    let value = lookup(VALENCE, word);
    if (value === undefined) {
      if (word === 'emohappy' || word === 'emolove' || word === 'emothanks' || word === 'emolaugh') value = 2;
      else if (word === 'emoangry') value = -3;
      else if (word === 'emosad' || word === 'emofear' || word === 'emoroll') value = -2;
      else continue;
    }
    // A word that intensifies ("so", "damn") is not itself judged when it modifies the next word.
    const next = tokens[i + 1];
    if (next !== undefined && (INTENSIFIERS.has(word) || DOWNTONERS.has(word)) && lookup(VALENCE, next.word) !== undefined) {
      continue;
    }
    for (let back = 1; back <= 2 && i - back >= 0; back += 1) {
      const previous = tokens[i - back].word;
      const boost = INTENSIFIERS.get(previous) ?? DOWNTONERS.get(previous);
      if (boost !== undefined) {
        value *= back === 1 ? boost : 1 + (boost - 1) / 2;
        if (boost > 1) intensified += 1;
        break;
      }
    }
    if (isShouted(token.raw) && !allShouted) value *= SHOUT_EMPHASIS;
    if (allShouted) value *= 1.2;
    if (contrastAt >= 0) value *= i < contrastAt ? CONTRAST_BEFORE : CONTRAST_AFTER;
    if (token.negated) {
      if (value > 0) negatedPositive += 1;
      else negatedNegative += 1;
      value *= NEGATION_FACTOR;
    }
    if (value > 0) positive += value;
    else negative -= value;
  }

  const sarcasm = anyMatch(SARCASM_PATTERNS, lower) > 0 && (negative > 0 || /\b(now|again|still|nothing)\b/.test(lower) || profanity > 0);
  if (sarcasm) {
    // The praise is ironic: it counts against, not for.
    negative += positive * 0.8 + 1;
    positive *= 0.2;
  }
  const exclamations = Math.min(4, (normalized.match(/!/g) ?? []).length);
  const questions = Math.min(4, (normalized.match(/\?/g) ?? []).length);
  let sum = positive - negative;
  if (sum !== 0) sum += Math.sign(sum) * exclamations * EXCLAMATION_STEP;
  const valence = squash(sum);

  const urgencyHits = anyMatch(URGENCY_PATTERNS, lower);
  const negativeContext = negative > positive || profanity > 0 || sarcasm;
  const angerHits =
    angerWords + profanity + (sarcasm ? 1 : 0) +
    (negativeContext ? shouting * 1.5 + (exclamations >= 2 ? exclamations / 3 : 0) : 0);
  const gratitudeHits = sarcasm ? 0 : anyMatch(GRATITUDE_PATTERNS, lower) + Math.min(1, gratitudeWords);
  const confusionHits = anyMatch(CONFUSION_PATTERNS, lower) + confusionWords;

  return {
    valence,
    positive,
    negative,
    negatedPositive,
    negatedNegative,
    shouting,
    intensified: Math.min(intensified, 2),
    exclamations,
    questions,
    profanity,
    sarcasm,
    anger: saturate(angerHits, 0.45),
    anxiety: saturate(anxietyWords + (urgencyHits > 0 && anxietyWords === 0 && negative > 0 ? 0.5 : 0), 0.5),
    urgency: saturate(urgencyHits + (exclamations >= 2 && urgencyHits > 0 ? 1 : 0), 0.5),
    confusion: saturate(confusionHits, 0.5),
    gratitude: saturate(gratitudeHits, 0.55),
  };
}
