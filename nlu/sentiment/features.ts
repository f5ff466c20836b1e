/**
 * TF-IDF features for the sentiment model: word unigrams (negation-marked) and bigrams, character
 * n-grams inside word boundaries (robust to typos and unseen inflections), plus a few dense
 * features from the rules layer so the model learns how far to trust them.
 */
import { readRuleSignals, type RuleSignals } from './rules';
import { NgramTable } from './ngram-table';
import { normalizeText } from './text-normalizer';
import { tokenize, type Token } from './tokenizer';

export interface FeatureConfig {
  /** Longest word n-gram (1 = unigrams only). */
  readonly wordMaxN: number;
  readonly charMin: number;
  readonly charMax: number;
  readonly minDfWord: number;
  readonly minDfChar: number;
  readonly maxWordFeatures: number;
  readonly maxCharFeatures: number;
  /** Scales of the three blocks after each is L2-normalised. */
  readonly wordWeight: number;
  readonly charWeight: number;
  readonly ruleWeight: number;
}

export const DEFAULT_FEATURE_CONFIG: FeatureConfig = {
  wordMaxN: 2,
  charMin: 2,
  charMax: 5,
  minDfWord: 2,
  minDfChar: 3,
  maxWordFeatures: 60000,
  maxCharFeatures: 80000,
  wordWeight: 1,
  charWeight: 1,
  ruleWeight: 1,
};

/** Names of the dense rule features, in vector order. */
export const RULE_FEATURES = [
  'valence', 'positive', 'negative', 'negatedPositive', 'negatedNegative', 'shouting', 'exclamations',
  'questions', 'profanity', 'sarcasm', 'anger', 'anxiety', 'urgency', 'confusion', 'gratitude',
] as const;

function ruleVector(signals: RuleSignals): number[] {
  return [
    signals.valence,
    Math.min(signals.positive, 6) / 6,
    Math.min(signals.negative, 6) / 6,
    Math.min(signals.negatedPositive, 2) / 2,
    Math.min(signals.negatedNegative, 2) / 2,
    signals.shouting,
    signals.exclamations / 4,
    signals.questions / 4,
    Math.min(signals.profanity, 2) / 2,
    signals.sarcasm ? 1 : 0,
    signals.anger,
    signals.anxiety,
    signals.urgency,
    signals.confusion,
    signals.gratitude,
  ];
}

/** Everything the analyser reads from one message before the model runs. */
export interface MessageReading {
  readonly normalized: string;
  readonly tokens: readonly Token[];
  readonly signals: RuleSignals;
}

export function readMessage(text: string): MessageReading {
  const normalized = normalizeText(text);
  const tokens = tokenize(normalized);
  return { normalized, tokens, signals: readRuleSignals(normalized, tokens) };
}

const CLAUSE_PUNCTUATION = /^[.,;:]$/;

/**
 * Word n-gram keys ("w" prefix) with their counts. Unigrams inside a negation scope get their own
 * key ("w~happy"); longer n-grams keep the plain words ("w not happy") and stop at clause ends.
 */
export function wordKeys(tokens: readonly Token[], maxN: number, counts: Map<string, number>): void {
  const window: string[] = [];
  for (const token of tokens) {
    if (CLAUSE_PUNCTUATION.test(token.word)) {
      window.length = 0;
      continue;
    }
    const unigram = token.negated ? `w~${token.word}` : `w ${token.word}`;
    counts.set(unigram, (counts.get(unigram) ?? 0) + 1);
    window.push(token.word);
    if (window.length > maxN) window.shift();
    for (let n = 2; n <= window.length; n += 1) {
      const key = `w ${window.slice(window.length - n).join(' ')}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
}

/**
 * Each character n-gram (`min`…`max` long) inside word boundaries, like scikit-learn's `char_wb`:
 * `visit(padded, start, end)` for the n-gram `padded.slice(start, end)` of a space-padded word.
 */
function forEachCharNgram(normalized: string, min: number, max: number, visit: (padded: string, start: number, end: number) => void): void {
  const text = normalized.toLowerCase().replace(/\d/g, '0');
  for (const word of text.split(' ')) {
    if (word.length === 0) continue;
    const padded = ` ${word} `;
    for (let n = min; n <= max && n <= padded.length; n += 1) {
      for (let start = 0; start + n <= padded.length; start += 1) visit(padded, start, start + n);
    }
  }
}

/** Character n-gram keys ("c" prefix) with their counts. */
export function charKeys(normalized: string, min: number, max: number, counts: Map<string, number>): void {
  forEachCharNgram(normalized, min, max, (padded, start, end) => {
    const key = `c${padded.slice(start, end)}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  });
}

/** A sparse row: feature indices and values (same length). */
export interface SparseVector {
  readonly indices: Int32Array;
  readonly values: Float32Array;
}

/** The fitted vocabulary and IDF weights: turns a message into a feature vector. */
export class FeatureSpace {
  /** Word n-gram key ("w …") → feature index. */
  private readonly wordIndex = new Map<string, number>();
  /** Character n-gram (without its "c" prefix) → feature index. */
  private readonly charIndex: NgramTable;
  /** Feature indices from here on are character n-grams; the word n-grams come first. */
  private readonly charStart: number;
  readonly ruleOffset: number;
  readonly dimension: number;

  constructor(
    readonly config: FeatureConfig,
    readonly keys: readonly string[],
    readonly idf: Float32Array,
  ) {
    if (keys.length !== idf.length) throw new Error('FeatureSpace: keys and idf differ in length');
    const charNgrams = new Map<string, number>();
    keys.forEach((key, i) => {
      if (key[0] === 'c') charNgrams.set(key.slice(1), i);
      else this.wordIndex.set(key, i);
    });
    this.charStart = keys.length - charNgrams.size;
    if (keys.slice(this.charStart).some((key) => key[0] !== 'c')) throw new Error('FeatureSpace: word n-gram keys must come before character n-gram keys');
    this.charIndex = new NgramTable(charNgrams);
    this.ruleOffset = keys.length;
    this.dimension = keys.length + RULE_FEATURES.length;
  }

  /** Learns the vocabulary and IDF from training texts (already read with `readMessage`). */
  static fit(readings: readonly MessageReading[], config: FeatureConfig = DEFAULT_FEATURE_CONFIG): FeatureSpace {
    const df = new Map<string, number>();
    const counts = new Map<string, number>();
    for (const reading of readings) {
      counts.clear();
      wordKeys(reading.tokens, config.wordMaxN, counts);
      charKeys(reading.normalized, config.charMin, config.charMax, counts);
      for (const key of counts.keys()) df.set(key, (df.get(key) ?? 0) + 1);
    }
    const pick = (prefix: string, minDf: number, max: number): string[] =>
      [...df.entries()]
        .filter(([key, count]) => key[0] === prefix && count >= minDf)
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, max)
        .map(([key]) => key)
        .sort();
    const keys = [...pick('w', config.minDfWord, config.maxWordFeatures), ...pick('c', config.minDfChar, config.maxCharFeatures)];
    const n = readings.length;
    const idf = new Float32Array(keys.length);
    keys.forEach((key, i) => {
      idf[i] = Math.log((1 + n) / (1 + (df.get(key) ?? 0))) + 1;
    });
    return new FeatureSpace(config, keys, idf);
  }

  /** The feature vector of one message. */
  vectorize(reading: MessageReading): SparseVector {
    const wordCounts = new Map<string, number>();
    wordKeys(reading.tokens, this.config.wordMaxN, wordCounts);
    // Known features only, counted by index: n-grams outside the vocabulary never count (as in
    // training), so they are not even kept.
    const counts = new Map<number, number>();
    for (const [key, count] of wordCounts) {
      const i = this.wordIndex.get(key);
      if (i !== undefined) counts.set(i, count);
    }
    this.countKnownCharNgrams(reading.normalized, counts);
    const wordIdx: number[] = [];
    const wordVal: number[] = [];
    const charIdx: number[] = [];
    const charVal: number[] = [];
    let wordNorm = 0;
    let charNorm = 0;
    for (const [i, count] of counts) {
      const value = (1 + Math.log(count)) * this.idf[i];
      if (i < this.charStart) {
        wordIdx.push(i);
        wordVal.push(value);
        wordNorm += value * value;
      } else {
        charIdx.push(i);
        charVal.push(value);
        charNorm += value * value;
      }
    }
    const rules = ruleVector(reading.signals);
    const size = wordIdx.length + charIdx.length + rules.length;
    const indices = new Int32Array(size);
    const values = new Float32Array(size);
    let at = 0;
    const wordScale = wordNorm > 0 ? this.config.wordWeight / Math.sqrt(wordNorm) : 0;
    for (let j = 0; j < wordIdx.length; j += 1, at += 1) {
      indices[at] = wordIdx[j];
      values[at] = wordVal[j] * wordScale;
    }
    const charScale = charNorm > 0 ? this.config.charWeight / Math.sqrt(charNorm) : 0;
    for (let j = 0; j < charIdx.length; j += 1, at += 1) {
      indices[at] = charIdx[j];
      values[at] = charVal[j] * charScale;
    }
    for (let j = 0; j < rules.length; j += 1, at += 1) {
      indices[at] = this.ruleOffset + j;
      values[at] = rules[j] * this.config.ruleWeight;
    }
    return { indices, values };
  }

  /** `charKeys` for serving: counts only the character n-grams in the vocabulary, by feature index. */
  private countKnownCharNgrams(normalized: string, counts: Map<number, number>): void {
    forEachCharNgram(normalized, this.config.charMin, this.config.charMax, (padded, start, end) => {
      const i = this.charIndex.get(padded, start, end);
      if (i >= 0) counts.set(i, (counts.get(i) ?? 0) + 1);
    });
  }
}
