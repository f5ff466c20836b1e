/** Card last-4 digits and account references (account numbers, sort codes, IBANs). */
import { PRIORITY, type Found } from './spans';

const CARD_PATTERNS: readonly RegExp[] = [
  // "card ending 1234", "ending in 4321", "ends with 1234", "card number ending: 1234"
  /\b(?:card\s+(?:number\s+)?)?end(?:ing|s)\s+(?:in\s+|with\s+|on\s+)?(?:[:#]\s*)?(\d{4})\b/gi,
  // "last four digits 1234", "last 4 digits are 1234"
  /\blast\s+(?:four|4)(?:\s+digits)?(?:\s+(?:are|is|of\s+my\s+card\s+are))?\s*[:#]?\s*(\d{4})\b/gi,
  // masked: "**** 9876", "xxxx-xxxx-xxxx-9876", "•••• 9876", "...9876"
  /(?<![A-Za-z\d])(?:(?:[*xX•]{4}[\s-]?){1,3}|\.{3})(\d{4})\b/g,
];

/** An account word right before the digits: "account 12345678", "acc no. 12345678", "a/c 12345678". */
const ACCOUNT_NUMBER = /\b(?:account|acct|acc|a\/c)(?:\s+(?:number|no\.?|num|#))?\s*[:#]?\s*(\d{6,10})\b/gi;
/** "the account ending 5678" refers to an account, not a card. */
const ACCOUNT_ENDING = /\baccount\s+end(?:ing|s)\s+(?:in\s+|with\s+)?(\d{4})\b/gi;
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

export function findCardsAndAccounts(text: string): Found[] {
  const found: Found[] = [];
  const accountEndings = new Set<number>();
  for (const match of all(ACCOUNT_ENDING, text)) {
    const start = match.index ?? 0;
    accountEndings.add(start + match[0].length);
    found.push({ entity: { kind: 'account_reference', text: match[0], value: match[1] }, start, end: start + match[0].length, priority: PRIORITY.account_reference });
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
