/**
 * Turns a message into a sparse TF-IDF vector: word n-grams and word-boundary character n-grams,
 * each hashed to 32 bits so the model stores numbers, not strings. Hashes are computed on the fly
 * from character codes, without building n-gram strings: classification is on every turn's hot
 * path and must not feed the garbage collector.
 */
import type { EmbeddingIndex } from './embeddings';
import { tokenize } from './normalize';

/** Which n-grams a model extracts. Stored in the model file: training and serving must agree. */
export interface FeatureConfig {
  /** Smallest and largest word n-gram (0–3; 0 for none). */
  readonly wordNgrams: readonly [number, number];
  /** Smallest and largest character n-gram inside one space-padded word (0–6; 0 for none). */
  readonly charNgrams: readonly [number, number];
  /** Weight of the character block relative to the word block (each block is L2-normalised). */
  readonly charBlockWeight: number;
  /**
   * Norm of the word-vector block (idf-weighted mean of the message's word vectors, see
   * `embeddings.ts`) relative to the word block; 0 for none.
   */
  readonly embeddingWeight: number;
}

export const DEFAULT_FEATURE_CONFIG: FeatureConfig = Object.freeze({
  wordNgrams: Object.freeze([1, 2] as const),
  charNgrams: Object.freeze([2, 5] as const),
  charBlockWeight: 1,
  // Off: 2 won 5-fold CV on BANKING77 train (90.99% vs 90.60%) and raised BANKING77 test top-1
  // to 92.31%, but it cut held-out out-of-scope recall from 88% to 71% (see README). Opt in with
  // `features: { ...DEFAULT_FEATURE_CONFIG, embeddingWeight: 2 }`.
  embeddingWeight: 0,
});

/** Feature blocks; each is normalised on its own so long words do not drown the word block. */
export const WORD_BLOCK = 0;
export const CHAR_BLOCK = 1;
export type FeatureBlock = typeof WORD_BLOCK | typeof CHAR_BLOCK;

const FNV_PRIME = 0x01000193;
// Different offset bases per block, so word "ab" and the character bigram "ab" never collide.
const WORD_SEED = 0x811c9dc5;
const CHAR_SEED = 0x050c5d1f;
const SPACE = 0x20;
const SENTENCE_START = '\u0002';
const SENTENCE_END = '\u0003';

function fnv(hash: number, code: number): number {
  return Math.imul(hash ^ code, FNV_PRIME);
}

/** 32-bit FNV-1a of `text` (UTF-16 code units) in the given block. */
export function hashFeature(text: string, block: FeatureBlock): number {
  let h = block === WORD_BLOCK ? WORD_SEED : CHAR_SEED;
  for (let i = 0; i < text.length; i++) h = fnv(h, text.charCodeAt(i));
  return h >>> 0;
}

/** The hashed n-grams of one message, repeats included, one list per block. */
export interface NgramHashes {
  readonly word: Uint32Array;
  readonly char: Uint32Array;
  /** The word hashes of the tokens in message order (`hashFeature(token, WORD_BLOCK)`), for word vectors. */
  readonly unigrams: Uint32Array;
}

/** A growable list of hashes, reused between calls. */
class HashList {
  private data = new Uint32Array(512);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Uint32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value >>> 0;
  }

  /** The hashes in insertion order. A copy: the list is reused. */
  copy(): Uint32Array {
    return this.data.slice(0, this.length);
  }

  /** The hashes, sorted ascending so equal n-grams are adjacent. A copy: the list is reused. */
  sortedCopy(): Uint32Array {
    return this.data.slice(0, this.length).sort();
  }
}

const wordList = new HashList();
const charList = new HashList();
const unigramList = new HashList();

function addUnigrams(tokens: readonly string[], out: HashList): void {
  for (const token of tokens) {
    let h = WORD_SEED;
    for (let i = 0; i < token.length; i++) h = fnv(h, token.charCodeAt(i));
    out.push(h);
  }
}

/**
 * Word n-grams of `tokens` with sentence boundary markers (so "hi" opening a message differs from
 * "hi" inside one; unigrams exclude the markers), hashed as the n-gram's words joined by spaces.
 */
function addWordNgrams(tokens: readonly string[], [min, max]: readonly [number, number], out: HashList): void {
  if (min < 1) return;
  const padded = [SENTENCE_START, ...tokens, SENTENCE_END];
  for (let start = 0; start < padded.length; start++) {
    let h = WORD_SEED;
    for (let n = 1; n <= max && start + n <= padded.length; n++) {
      const word = padded[start + n - 1];
      if (n > 1) h = fnv(h, SPACE);
      for (let i = 0; i < word.length; i++) h = fnv(h, word.charCodeAt(i));
      if (n < min) continue;
      if (n === 1 && (start === 0 || start === padded.length - 1)) continue;
      out.push(h);
    }
  }
}

/**
 * Character n-grams of each space-padded word, as scikit-learn's `char_wb` analyser makes them:
 * a padded word shorter than the smallest n still yields itself once.
 */
function addCharNgrams(tokens: readonly string[], [min, max]: readonly [number, number], out: HashList): void {
  if (min < 1) return;
  for (const token of tokens) {
    const length = token.length + 2;
    const code = (i: number) => (i === 0 || i === length - 1 ? SPACE : token.charCodeAt(i - 1));
    if (length < min) {
      let h = CHAR_SEED;
      for (let i = 0; i < length; i++) h = fnv(h, code(i));
      out.push(h);
      continue;
    }
    for (let start = 0; start + min <= length; start++) {
      let h = CHAR_SEED;
      for (let n = 1; n <= max && start + n <= length; n++) {
        h = fnv(h, code(start + n - 1));
        if (n >= min) out.push(h);
      }
    }
  }
}

/** Hashes the word and character n-grams of `text`; each list sorted ascending. */
export function extractNgrams(text: string, config: FeatureConfig): NgramHashes {
  const tokens = tokenize(text);
  wordList.length = 0;
  charList.length = 0;
  unigramList.length = 0;
  addWordNgrams(tokens, config.wordNgrams, wordList);
  addCharNgrams(tokens, config.charNgrams, charList);
  if (config.embeddingWeight > 0) addUnigrams(tokens, unigramList);
  return { word: wordList.sortedCopy(), char: charList.sortedCopy(), unigrams: unigramList.copy() };
}

/** The fitted part of the vectoriser: which hashes are features, their column and idf. */
export interface Vocabulary {
  /** Feature hash of each column. */
  readonly hashes: Uint32Array;
  /** Block of each column. */
  readonly blocks: Uint8Array;
  /** Inverse document frequency of each column. */
  readonly idf: Float32Array;
  /** Idf given to n-grams outside the vocabulary; they count in a vector's norm (see `vectorize`). */
  readonly unknownIdf: number;
}

/** Calls `visit(hash, count)` once per distinct hash of a sorted list. */
function forEachDistinct(sorted: Uint32Array, visit: (hash: number, count: number) => void): void {
  let i = 0;
  while (i < sorted.length) {
    let j = i + 1;
    while (j < sorted.length && sorted[j] === sorted[i]) j++;
    visit(sorted[i], j - i);
    i = j;
  }
}

/** Builds the vocabulary from training messages, keeping n-grams seen in at least `minDf` of them. */
export function fitVocabulary(messages: readonly NgramHashes[], minDf: number): Vocabulary {
  const df = [new Map<number, number>(), new Map<number, number>()];
  for (const m of messages) {
    forEachDistinct(m.word, (h) => df[WORD_BLOCK].set(h, (df[WORD_BLOCK].get(h) ?? 0) + 1));
    forEachDistinct(m.char, (h) => df[CHAR_BLOCK].set(h, (df[CHAR_BLOCK].get(h) ?? 0) + 1));
  }
  const hashes: number[] = [];
  const blocks: number[] = [];
  const idf: number[] = [];
  const n = messages.length;
  for (const block of [WORD_BLOCK, CHAR_BLOCK] as const) {
    const kept = [...df[block].entries()].filter(([, d]) => d >= minDf).sort((a, b) => a[0] - b[0]);
    for (const [hash, d] of kept) {
      hashes.push(hash);
      blocks.push(block);
      // Smoothed idf (as scikit-learn): never zero, so an n-gram in every message still counts a little.
      idf.push(Math.log((1 + n) / (1 + d)) + 1);
    }
  }
  return {
    hashes: Uint32Array.from(hashes),
    blocks: Uint8Array.from(blocks),
    idf: Float32Array.from(idf),
    unknownIdf: Math.log(1 + n) + 1,
  };
}

/**
 * Hash → column lookup: open addressing with linear probing (the hashes are already uniformly
 * spread, so their low bits index the table directly). Each slot is a (hash, column + 1) pair side
 * by side in one array, so a probe reads one cache line; column + 1 = 0 marks an empty slot. One
 * table per block.
 */
export class ColumnIndex {
  private readonly slots: Int32Array;
  private readonly mask: number;

  constructor(vocabulary: Vocabulary) {
    let size = 16;
    while (size < vocabulary.hashes.length * 2) size *= 2;
    this.mask = size - 1;
    this.slots = new Int32Array(size * 2 * 2);
    for (let col = 0; col < vocabulary.hashes.length; col++) {
      const base = vocabulary.blocks[col] === WORD_BLOCK ? 0 : size;
      let at = vocabulary.hashes[col] & this.mask;
      while (this.slots[2 * (base + at) + 1] !== 0) at = (at + 1) & this.mask;
      this.slots[2 * (base + at)] = vocabulary.hashes[col] | 0;
      this.slots[2 * (base + at) + 1] = col + 1;
    }
  }

  /** Column of `hash` in `block`, or -1. */
  get(hash: number, block: FeatureBlock): number {
    const base = block === WORD_BLOCK ? 0 : this.mask + 1;
    const key = hash | 0;
    let at = hash & this.mask;
    for (;;) {
      const slot = 2 * (base + at);
      const column = this.slots[slot + 1];
      if (column === 0) return -1;
      if (this.slots[slot] === key) return column - 1;
      at = (at + 1) & this.mask;
    }
  }
}

/** A sparse row: parallel arrays of column indices and values. */
export interface SparseVector {
  readonly indices: Int32Array;
  readonly values: Float32Array;
}

const embeddingBuffer: { values: Float64Array } = { values: new Float64Array(0) };

/**
 * TF-IDF with sublinear tf (1 + ln tf), each block L2-normalised, the char block scaled by
 * `charBlockWeight`. Unknown n-grams get no column but do count in the norm: otherwise one known
 * n-gram in a message of gibberish would be scaled up to a full-strength vector and look confident.
 * With `embeddings` (and a positive `embeddingWeight`), the word-vector block follows in columns
 * `vocabulary.hashes.length …` + dimensions (see `embedMessage`).
 */
export function vectorize(
  ngrams: NgramHashes,
  vocabulary: Vocabulary,
  columns: ColumnIndex,
  config: FeatureConfig,
  embeddings?: EmbeddingIndex | null,
): SparseVector {
  const dense = embeddings && config.embeddingWeight > 0 ? embeddings.table.dimensions : 0;
  const capacity = ngrams.word.length + ngrams.char.length + dense;
  const indices = new Int32Array(capacity);
  const values = new Float32Array(capacity);
  let size = 0;
  const blocks: ReadonlyArray<readonly [FeatureBlock, Uint32Array, number]> = [
    [WORD_BLOCK, ngrams.word, 1],
    [CHAR_BLOCK, ngrams.char, config.charBlockWeight],
  ];
  for (const [block, sorted, weight] of blocks) {
    const start = size;
    let sumSq = 0;
    forEachDistinct(sorted, (hash, tf) => {
      const col = columns.get(hash, block);
      const v = (1 + Math.log(tf)) * (col < 0 ? vocabulary.unknownIdf : vocabulary.idf[col]);
      sumSq += v * v;
      if (col < 0) return;
      indices[size] = col;
      values[size++] = v;
    });
    if (sumSq > 0) {
      const scale = weight / Math.sqrt(sumSq);
      for (let i = start; i < size; i++) values[i] *= scale;
    }
  }
  if (embeddings && dense > 0) {
    if (embeddingBuffer.values.length !== dense) embeddingBuffer.values = new Float64Array(dense);
    const out = embeddingBuffer.values;
    if (embeddings.embed(ngrams.unigrams, vocabulary, columns, config.embeddingWeight, out)) {
      const first = vocabulary.hashes.length;
      for (let i = 0; i < dense; i++) {
        if (out[i] === 0) continue;
        indices[size] = first + i;
        values[size++] = out[i];
      }
    }
  }
  return { indices: indices.subarray(0, size), values: values.subarray(0, size) };
}
