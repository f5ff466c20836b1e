/**
 * Light text normalisation shared by training and classification. Both sides must agree exactly,
 * so the model file records `NORMALIZER_VERSION` and refuses to load under a different one.
 */

/** Bump when `normalizeText` or `tokenize` change what they produce. */
export const NORMALIZER_VERSION = 1;

// Irregular negations first: the generic "n't" rule would turn "won't" into "wo not".
const IRREGULAR_CONTRACTIONS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bwon't\b/g, 'will not'],
  [/\bcan't\b/g, 'can not'],
  [/\bcannot\b/g, 'can not'],
  [/\bshan't\b/g, 'shall not'],
  [/\bain't\b/g, 'is not'],
  [/\by'all\b/g, 'you all'],
];

// Negations typed without the apostrophe, common in chat.
const APOSTROPHE_LESS: Readonly<Record<string, string>> = {
  dont: 'do not',
  doesnt: 'does not',
  didnt: 'did not',
  isnt: 'is not',
  wasnt: 'was not',
  hasnt: 'has not',
  havnt: 'have not',
  havent: 'have not',
  cant: 'can not',
  wont: 'will not',
  couldnt: 'could not',
  shouldnt: 'should not',
  wouldnt: 'would not',
  arent: 'are not',
  im: 'i am',
};
const APOSTROPHE_LESS_PATTERN = new RegExp(`\\b(?:${Object.keys(APOSTROPHE_LESS).join('|')})\\b`, 'g');

const REGULAR_CONTRACTIONS: ReadonlyArray<readonly [RegExp, string]> = [
  [/n't\b/g, ' not'],
  [/\bi'm\b/g, 'i am'],
  [/'re\b/g, ' are'],
  [/'ve\b/g, ' have'],
  [/'ll\b/g, ' will'],
  [/\b(i|you|he|she|we|they)'d\b/g, '$1 would'],
  // "it's", "what's", "card's": the possessive and "is" are both fine as a bare stem here.
  [/'s\b/g, ''],
];

/**
 * Lowercases, unifies quotes, expands English contractions, maps every number to `0` and currency
 * symbols to words, and collapses everything else that is not a letter into single spaces.
 */
export function normalizeText(text: string): string {
  let s = text.normalize('NFKC').toLowerCase();
  s = s.replace(/[\u2018\u2019\u201b\u2032`´]/g, "'");
  for (const [pattern, replacement] of IRREGULAR_CONTRACTIONS) s = s.replace(pattern, replacement);
  s = s.replace(APOSTROPHE_LESS_PATTERN, (word) => APOSTROPHE_LESS[word] ?? word);
  for (const [pattern, replacement] of REGULAR_CONTRACTIONS) s = s.replace(pattern, replacement);
  s = s
    .replace(/£/g, ' gbp ')
    .replace(/\$/g, ' usd ')
    .replace(/€/g, ' eur ')
    // Amounts and dates differ per customer; that a number is there is what carries the intent.
    .replace(/\d+(?:[.,]\d+)*/g, ' 0 ')
    .replace(/[^a-z0-9?]+/g, ' ')
    // A question mark is a weak but real cue (questions vs. statements of a problem).
    .replace(/\?+/g, ' ? ');
  return s.trim().replace(/\s+/g, ' ');
}

/** Splits normalised text into word tokens. */
export function tokenize(text: string): string[] {
  const normalized = normalizeText(text);
  return normalized === '' ? [] : normalized.split(' ');
}
