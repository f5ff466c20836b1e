/** Word tokens for the sentiment model and rules, with negation scope marked. */
import { EMOJI_WORDS } from './text-normalizer';

export interface Token {
  /** Lower-cased word, digits folded to 0 ("£12.50" → "0"), or a punctuation run ("!!", "?"). */
  readonly word: string;
  /** The token as written (case kept), for the capitals rule. */
  readonly raw: string;
  /** True when a negator ("not", "never", "don't") governs this word. */
  readonly negated: boolean;
}

const TOKEN_PATTERN = /@user|[A-Za-z]+(?:'[A-Za-z]+)*|\d+(?:[.,]\d+)*[kKmM]?|[!?]+|[.,;:]|[£$€]/g;

/** Words that negate what follows, up to the end of the clause. */
export const NEGATORS: ReadonlySet<string> = new Set([
  'not', 'no', 'never', 'none', 'nobody', 'nothing', 'nowhere', 'neither', 'nor', 'cannot', 'without',
  'hardly', 'barely', 'dont', 'doesnt', 'didnt', 'isnt', 'arent', 'wasnt', 'werent', 'wont', 'wouldnt',
  'cant', 'couldnt', 'shouldnt', 'havent', 'hasnt', 'hadnt', 'aint', 'nope', 'nah', 'noone',
]);

/** Words that end a negation scope even without punctuation. */
const SCOPE_BREAKERS: ReadonlySet<string> = new Set(['but', 'however', 'although', 'though', 'yet', 'and', 'so']);

/** How many words a negator governs at most: "not happy", "not very happy", "not at all happy". */
const NEGATION_REACH = 3;

export function isNegator(word: string): boolean {
  return NEGATORS.has(word) || word.endsWith("n't");
}

function fold(raw: string): string {
  const lower = raw.toLowerCase();
  if (/^\d/.test(lower)) return '0';
  return lower;
}

/** Splits normalised text into tokens and marks the words a negator governs. */
export function tokenize(normalized: string): Token[] {
  const tokens: Token[] = [];
  let reach = 0;
  for (const match of normalized.matchAll(TOKEN_PATTERN)) {
    const raw = match[0];
    const word = fold(raw);
    const isPunct = /^[!?.,;:]/.test(word);
    // An emoji is the writer's own feeling, said after the clause: "not bad 😀" is happy, and it
    // ends the clause like a full stop ("didn't work 😡 call me").
    if (isPunct || SCOPE_BREAKERS.has(word) || EMOJI_WORDS.has(word)) {
      reach = 0;
      tokens.push({ word, raw, negated: false });
      continue;
    }
    if (isNegator(word)) {
      tokens.push({ word, raw, negated: false });
      reach = NEGATION_REACH;
      continue;
    }
    tokens.push({ word, raw, negated: reach > 0 });
    if (reach > 0) reach -= 1;
  }
  return tokens;
}
