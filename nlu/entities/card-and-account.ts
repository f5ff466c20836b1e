/** Card last-4 digits and account references (account numbers, sort codes, IBANs). */
import { CURRENCY_NEXT } from './money';
import { PRIORITY, type Found } from './spans';

/** Four digits that end a reference, unless a currency follows: "ending 1500 pounds" is money. */
const LAST4 = String.raw`(\d{4})\b(?!${CURRENCY_NEXT})`;

/**
 * "card ending 1234", "ends with 1234", "card number ending: 1234". Without "card" in front, only
 * when a card is in view (see cardInView): "my loan ends in 2027" is a year.
 */
const ENDING = new RegExp(String.raw`\b(?:card\s+(?:number\s+)?)?end(?:ing|s)\s+(?:in\s+|with\s+|on\s+)?(?:[:#]\s*)?${LAST4}`, 'gi');
const CARD_PATTERNS: readonly RegExp[] = [
  // "last four digits 1234", "last 4 digits are 1234"
  new RegExp(String.raw`\blast\s+(?:four|4)(?:\s+digits)?(?:\s+(?:are|is|of\s+my\s+card\s+are))?\s*[:#]?\s*${LAST4}`, 'gi'),
  // masked: "**** 9876", "xxxx-xxxx-xxxx-9876", "•••• 9876"; dots only right after "card": "card ...9876"
  new RegExp(String.raw`(?<![A-Za-z\d])(?:[*xX•]{4}[\s-]?){1,3}${LAST4}`, 'g'),
  new RegExp(String.raw`\bcard(?:\s+(?:number|ending|ends))?\s*(?:\.{3}|…)\s?${LAST4}`, 'gi'),
];
/** Right before "ending"/"ends": a card named ("visa ending"), picked out ("the one ending") or referred to ("it ends"). */
const CARD_JUST_BEFORE = /\b(?:visa|mastercard|amex|debit|credit|one(?:\s+(?:that|which))?|(?<pronoun>it|that|which))\s+$/i;
const CARD_WORD = /\b(?:cards?|visa|mastercard|amex)\b/i;

/** An account word right before the digits: "account 12345678", "acc no. 12345678", "a/c 12345678". */
const ACCOUNT_NUMBER = new RegExp(String.raw`\b(?:account|acct|acc|a\/c)(?:\s+(?:number|no\.?|num|#))?\s*[:#]?\s*(\d{6,10})\b(?!${CURRENCY_NEXT})`, 'gi');
/** "the account ending 5678" refers to an account, not a card. */
const ACCOUNT_ENDING = new RegExp(String.raw`\baccount\s+end(?:ing|s)\s+(?:in\s+|with\s+)?${LAST4}`, 'gi');
const SORT_CODE = /\bsort\s*code\s*[:#]?\s*(\d{2})[-\s]?(\d{2})[-\s]?(\d{2})\b/gi;
const IBAN = /\b([A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,3})?)\b/g;

/** ISO 13616 check: move the first four characters to the end, letters to numbers, mod 97 = 1. */
export function isValidIban(candidate: string): boolean {
  const iban = candidate.replace(/\s/g, '').toUpperCase();
  if (iban.length < 15 || iban.length > 34) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const digits = /\d/.test(ch) ? ch : String(ch.charCodeAt(0) - 55);
    for (const digit of digits) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

function all(pattern: RegExp, text: string): RegExpMatchArray[] {
  return [...text.matchAll(pattern)];
}

/**
 * Whether "ending 1234" at `start` is a card's: "card ending", "visa ending", "the one ending", "my
 * card, it ends in" or "I lost my card. It ends in", or a card named earlier in the same sentence
 * ("the card I lost ends in 1234"). "my loan ends in 2027" is not.
 */
function cardInView(text: string, match: RegExpMatchArray, start: number): boolean {
  if (/^card/i.test(match[0])) return true;
  const before = text.slice(0, start);
  const justBefore = CARD_JUST_BEFORE.exec(before);
  if (justBefore !== null) return justBefore.groups?.pronoun === undefined || CARD_WORD.test(before);
  const sentenceStart = Math.max(before.lastIndexOf('. '), before.lastIndexOf('? '), before.lastIndexOf('! '), before.lastIndexOf('\n'));
  return CARD_WORD.test(before.slice(sentenceStart + 1));
}

export function findCardsAndAccounts(text: string): Found[] {
  const found: Found[] = [];
  const accountEndings = new Set<number>();
  for (const match of all(ACCOUNT_ENDING, text)) {
    const start = match.index ?? 0;
    accountEndings.add(start + match[0].length);
    found.push({ entity: { kind: 'account_reference', text: match[0], value: match[1] }, start, end: start + match[0].length, priority: PRIORITY.account_reference });
  }
  for (const match of all(ENDING, text)) {
    const start = match.index ?? 0;
    const end = start + match[0].length;
    if (accountEndings.has(end) || !cardInView(text, match, start)) continue;
    found.push({ entity: { kind: 'card_last4', text: match[0].trim(), value: match[1] }, start, end, priority: PRIORITY.card_last4 });
  }
  for (const pattern of CARD_PATTERNS) {
    for (const match of all(pattern, text)) {
      const start = match.index ?? 0;
      const end = start + match[0].length;
      if (accountEndings.has(end)) continue;
      found.push({ entity: { kind: 'card_last4', text: match[0].trim(), value: match[1] }, start, end, priority: PRIORITY.card_last4 });
    }
  }
  for (const match of all(ACCOUNT_NUMBER, text)) {
    const start = match.index ?? 0;
    found.push({ entity: { kind: 'account_reference', text: match[0], value: match[1] }, start, end: start + match[0].length, priority: PRIORITY.account_reference });
  }
  for (const match of all(SORT_CODE, text)) {
    const start = match.index ?? 0;
    const value = `${match[1]}-${match[2]}-${match[3]}`;
    found.push({ entity: { kind: 'account_reference', text: match[0], value }, start, end: start + match[0].length, priority: PRIORITY.account_reference });
  }
  for (const match of all(IBAN, text)) {
    if (!isValidIban(match[1])) continue;
    const start = match.index ?? 0;
    const value = match[1].replace(/\s/g, '').toUpperCase();
    found.push({ entity: { kind: 'account_reference', text: match[0], value }, start, end: start + match[0].length, priority: PRIORITY.account_reference });
  }
  return found;
}
