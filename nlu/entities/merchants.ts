/**
 * Merchant names: a small list of well-known merchants (found anywhere, in any case), plus the
 * pattern "<payment word> at/from/to/with <Capitalised Name>" for merchants we do not know.
 */
import { PRIORITY, type Found } from './spans';

/**
 * Canonical names. Entries marked `ambiguous` are also everyday words ("Next", "Three", "Apple"):
 * they only count capitalised and right after "at/from/to/with/by".
 */
const KNOWN: ReadonlyArray<{ readonly name: string; readonly aliases?: readonly string[]; readonly ambiguous?: boolean }> = [
  { name: 'Tesco' }, { name: "Sainsbury's", aliases: ['sainsburys', 'sainsbury'] }, { name: 'Asda' },
  { name: 'Morrisons' }, { name: 'Aldi' }, { name: 'Lidl' }, { name: 'Waitrose' }, { name: 'Co-op', aliases: ['coop'] },
  { name: 'M&S', aliases: ['marks and spencer', 'marks & spencer', 'm and s'] }, { name: 'Iceland', ambiguous: true },
  { name: 'Amazon', aliases: ['amazon prime', 'amzn', 'amazon marketplace'] }, { name: 'eBay' }, { name: 'PayPal' },
  { name: 'Uber Eats', aliases: ['ubereats'] }, { name: 'Uber' }, { name: 'Deliveroo' }, { name: 'Just Eat', aliases: ['justeat'] },
  { name: 'Netflix' }, { name: 'Spotify' }, { name: 'Disney+', aliases: ['disney plus'] }, { name: 'Apple', ambiguous: true },
  { name: 'App Store', aliases: ['itunes'] }, { name: 'Google Play' }, { name: 'Google', ambiguous: true },
  { name: 'Starbucks' }, { name: 'Costa', ambiguous: true }, { name: 'Pret', aliases: ['pret a manger'] }, { name: 'Greggs' },
  { name: "McDonald's", aliases: ['mcdonalds', 'maccies'] }, { name: 'KFC' }, { name: "Nando's", aliases: ['nandos'] },
  { name: "Domino's", aliases: ['dominos'] }, { name: 'Boots', ambiguous: true }, { name: 'Argos' }, { name: 'Currys' },
  { name: 'John Lewis' }, { name: 'Next', ambiguous: true }, { name: 'Primark' }, { name: 'IKEA' }, { name: 'Zara' },
  { name: 'H&M' }, { name: 'ASOS' }, { name: 'Etsy' }, { name: 'Shein' }, { name: 'Temu' }, { name: 'Shell', ambiguous: true },
  { name: 'BP' }, { name: 'Esso' }, { name: 'Trainline' }, { name: 'TfL', aliases: ['transport for london'] },
  { name: 'Ryanair' }, { name: 'easyJet' }, { name: 'British Airways' }, { name: 'Airbnb' }, { name: 'Booking.com' },
  { name: 'Steam' , ambiguous: true }, { name: 'PlayStation', aliases: ['psn'] }, { name: 'Xbox' }, { name: 'Vodafone' },
  { name: 'EE', ambiguous: true }, { name: 'O2' }, { name: 'Three', ambiguous: true }, { name: 'Sky', ambiguous: true },
  { name: 'BT' }, { name: 'Virgin Media' }, { name: 'British Gas' }, { name: 'Octopus Energy' }, { name: 'Western Union' },
  { name: 'Wise', ambiguous: true }, { name: 'Revolut' }, { name: 'Klarna' }, { name: 'Deliveroo' },
];

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface Matcher {
  readonly name: string;
  readonly ambiguous: boolean;
  /** The name and its aliases as regex alternatives, longest first. */
  readonly spellings: string;
  readonly pattern: RegExp;
}

/**
 * Ambiguous names: capitalised as written, and only after a preposition of payment.
 * "Apple Pay", "Google Pay" are ways to pay, not merchants.
 */
function merchantPattern(spellings: string, ambiguous: boolean, global: boolean): RegExp {
  return ambiguous
    ? new RegExp(`(?<=\\b(?:at|from|to|with|by|in)\\s+)(?:${spellings})(?![\\w&+])(?!\\s+Pay\\b)`, global ? 'g' : '')
    : new RegExp(`(?<![\\w&])(?:${spellings})(?![\\w&+])(?!\\s+Pay\\b)`, global ? 'gi' : 'i');
}

const MATCHERS: readonly Matcher[] = KNOWN.map(({ name, aliases = [], ambiguous = false }) => {
  const spellings = [name, ...aliases].sort((a, b) => b.length - a.length).map(escape).join('|');
  return { name, ambiguous, spellings, pattern: merchantPattern(spellings, ambiguous, true) };
});

/**
 * Every known spelling in one pattern per kind: most messages name no known merchant, and one
 * pass over the text says so instead of one pass per merchant. It matches wherever one of
 * MATCHERS would (same lookarounds, all the alternatives).
 */
const ANY_KNOWN: readonly RegExp[] = [false, true].map((ambiguous) =>
  merchantPattern(MATCHERS.filter((m) => m.ambiguous === ambiguous).map((m) => m.spellings).join('|'), ambiguous, false),
);

/**
 * "paid at Northside Garage", "refund from Bloom & Wild", "charged by Acme Ltd". Unknown names
 * need a payment word before them and capitals; "to <Name>" is left out on purpose (usually a
 * person: "payment to Sarah"), and so is "with <Name>" (usually a way to pay: "with Apple Pay").
 */
const PAYMENT_CONTEXT =
  /\b(?:paid|pay|paying|payment|payments|purchase|purchased|bought|spent|spend|charge|charged|charges|transaction|debit|debited|refund|refunded|subscription|order|ordered|bill|billed|shopping)\b[^.!?]{0,30}?\b(?:at|from|by)\s+([\w'&.+-]+(?:\s+[\w'&.+-]+){0,3})/gi;

const NAME_WORD = /^(?:[A-Z0-9][\w'&.+-]*|&)$/;
const CONNECTOR = /^(?:&|of|and)$/;

/** The leading run of capitalised words ("Bloom & Wild of £25" → "Bloom & Wild"). */
function leadingName(words: string): string {
  const name: string[] = [];
  for (const word of words.split(/\s+/)) {
    if (NAME_WORD.test(word) || (name.length > 0 && CONNECTOR.test(word))) name.push(word);
    else break;
  }
  while (name.length > 0 && CONNECTOR.test(name[name.length - 1])) name.pop();
  return name.join(' ').replace(/[.,'-]+$/, '');
}

/** Capitalised words that are not merchants. */
const NOT_MERCHANTS = new Set([
  'I', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday', 'January', 'February', 'March',
  'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December', 'Christmas', 'Easter',
  'The', 'My', 'A', 'An', 'This', 'That', 'It', 'Me', 'You', 'We', 'They', 'Him', 'Her', 'Mum', 'Dad', 'Savings',
  'Current', 'Account', 'ATM', 'Visa', 'Mastercard', 'PIN', 'UK', 'US', 'EU', 'Europe', 'London', 'Please', 'Thanks',
]);

export function findMerchants(text: string): Found[] {
  const found: Found[] = [];
  const namesKnown = ANY_KNOWN.some((pattern) => pattern.test(text));
  for (const { name, pattern } of namesKnown ? MATCHERS : []) {
    for (const match of text.matchAll(pattern)) {
      const start = match.index ?? 0;
      found.push({ entity: { kind: 'merchant', text: match[0], value: name }, start, end: start + match[0].length, priority: PRIORITY.merchant });
    }
  }
  for (const match of text.matchAll(PAYMENT_CONTEXT)) {
    const name = leadingName(match[1]);
    if (name === '' || /^\d/.test(name) || / Pay$/.test(name) || NOT_MERCHANTS.has(name.split(' ')[0])) continue;
    const start = (match.index ?? 0) + match[0].length - match[1].length;
    // A known merchant at the same place wins the overlap by being found first with the same priority
    // and its canonical spelling; an unknown one keeps the customer's spelling.
    found.push({ entity: { kind: 'merchant', text: name, value: name }, start, end: start + name.length, priority: PRIORITY.merchant - 0.5 });
  }
  return found;
}
