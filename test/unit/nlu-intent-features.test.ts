import {
  CHAR_BLOCK,
  ColumnIndex,
  DEFAULT_FEATURE_CONFIG,
  WORD_BLOCK,
  extractNgrams,
  fitVocabulary,
  hashFeature,
  vectorize,
  type SparseVector,
} from '../../nlu/intent/features';
import { normalizeText, tokenize } from '../../nlu/intent/normalize';

const config = DEFAULT_FEATURE_CONFIG;

function blockNorm(vector: SparseVector, vocabularyBlocks: Uint8Array, block: number): number {
  let sum = 0;
  vector.indices.forEach((col, i) => {
    if (vocabularyBlocks[col] === block) sum += vector.values[i] ** 2;
  });
  return Math.sqrt(sum);
}

describe('normalizeText / tokenize', () => {
  it('lowercases, expands contractions and drops punctuation', () => {
    expect(normalizeText("I CAN'T find my card’s PIN, and it won't work!")).toBe(
      'i can not find my card pin and it will not work',
    );
    expect(normalizeText("I'm sure they've gone; you're right, didnt it?")).toBe(
      'i am sure they have gone you are right did not it ?',
    );
  });

  it('maps every number to 0 and currency symbols to words', () => {
    expect(normalizeText('I was charged £12.50 twice on 03/04, not $3')).toBe(
      'i was charged gbp 0 twice on 0 0 not usd 0',
    );
  });

  it('gives no tokens for empty or punctuation-only text', () => {
    expect(tokenize('')).toEqual([]);
    expect(tokenize('  ...!!! ')).toEqual([]);
    expect(tokenize('Where is my card?')).toEqual(['where', 'is', 'my', 'card', '?']);
  });
});

describe('extractNgrams', () => {
  it('hashes word unigrams and bigrams, with sentence markers only inside bigrams', () => {
    const { word } = extractNgrams('my card', config);
    const has = (text: string) => word.includes(hashFeature(text, WORD_BLOCK));
    expect(has('my')).toBe(true);
    expect(has('card')).toBe(true);
    expect(has('my card')).toBe(true);
    expect(has('\u0002 my')).toBe(true);
    expect(has('card \u0003')).toBe(true);
    expect(has('\u0002')).toBe(false);
    // unigrams my, card; bigrams <s> my, my card, card </s>
    expect(word.length).toBe(5);
  });

  it('makes word-boundary character n-grams of 2 to 5 characters', () => {
    const { char } = extractNgrams('card', config);
    const has = (text: string) => char.includes(hashFeature(text, CHAR_BLOCK));
    for (const gram of [' c', 'ca', 'rd ', ' card', 'card ', 'ard ']) expect(has(gram)).toBe(true);
    expect(has(' card ')).toBe(false); // 6 characters
    expect(has('c')).toBe(false); // 1 character
    // " card " has 6 characters: 5 bigrams + 4 trigrams + 3 four-grams + 2 five-grams
    expect(char.length).toBe(14);
  });

  it('keeps the two blocks apart and returns each list sorted', () => {
    expect(hashFeature('ab', WORD_BLOCK)).not.toBe(hashFeature('ab', CHAR_BLOCK));
    const { word, char } = extractNgrams('please block my card now please', config);
    for (const list of [word, char]) expect([...list]).toEqual([...list].sort((a, b) => a - b));
    // "please" appears twice, so its unigram hash appears twice
    expect(word.filter((h) => h === hashFeature('please', WORD_BLOCK)).length).toBe(2);
  });
});

describe('vocabulary and vectorize', () => {
  const texts = ['my card has not arrived', 'my card is lost', 'what is the exchange rate'];
  const ngrams = texts.map((t) => extractNgrams(t, config));
  const vocabulary = fitVocabulary(ngrams, 1);
  const columns = new ColumnIndex(vocabulary);

  it('finds every training n-gram and nothing else', () => {
    expect(columns.get(hashFeature('card', WORD_BLOCK), WORD_BLOCK)).toBeGreaterThanOrEqual(0);
    expect(columns.get(hashFeature('card', WORD_BLOCK), CHAR_BLOCK)).toBe(-1);
    expect(columns.get(hashFeature('zebra', WORD_BLOCK), WORD_BLOCK)).toBe(-1);
  });

  it('gives rarer n-grams a higher idf', () => {
    const idf = (text: string) => vocabulary.idf[columns.get(hashFeature(text, WORD_BLOCK), WORD_BLOCK)];
    expect(idf('exchange')).toBeGreaterThan(idf('card'));
  });

  it('drops n-grams seen in fewer than minDf messages', () => {
    const pruned = fitVocabulary(ngrams, 2);
    const prunedColumns = new ColumnIndex(pruned);
    expect(prunedColumns.get(hashFeature('my card', WORD_BLOCK), WORD_BLOCK)).toBeGreaterThanOrEqual(0);
    expect(prunedColumns.get(hashFeature('exchange', WORD_BLOCK), WORD_BLOCK)).toBe(-1);
    expect(pruned.hashes.length).toBeLessThan(vocabulary.hashes.length);
  });

  it('L2-normalises each block of a known message', () => {
    const v = vectorize(extractNgrams('my card is lost', config), vocabulary, columns, config);
    expect(blockNorm(v, vocabulary.blocks, WORD_BLOCK)).toBeCloseTo(1, 5);
    expect(blockNorm(v, vocabulary.blocks, CHAR_BLOCK)).toBeCloseTo(1, 5);
  });

  it('lets unknown n-grams shrink the known ones instead of dropping them silently', () => {
    const v = vectorize(extractNgrams('card qzxwv plokij', config), vocabulary, columns, config);
    expect(v.indices.length).toBeGreaterThan(0);
    expect(blockNorm(v, vocabulary.blocks, WORD_BLOCK)).toBeLessThan(0.6);
    expect(blockNorm(v, vocabulary.blocks, CHAR_BLOCK)).toBeLessThan(0.6);
  });
});
