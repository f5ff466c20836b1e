/** Money amounts with a currency: "£50", "50 GBP", "$1,200.50", "20 euros", "€3.5k", "50p". */
import { PRIORITY, type Found } from './spans';

const SYMBOLS: Readonly<Record<string, string>> = { '£': 'GBP', $: 'USD', '€': 'EUR', '¥': 'JPY', '₹': 'INR' };

const WORDS: ReadonlyArray<readonly [RegExp, string, number]> = [
  [/^(?:pounds?|quid|sterling|gbp)$/i, 'GBP', 1],
  [/^(?:pence|p)$/i, 'GBP', 0.01],
  [/^(?:dollars?|bucks|usd)$/i, 'USD', 1],
  [/^(?:cents?)$/i, 'USD', 0.01],
  [/^(?:euros?|eur)$/i, 'EUR', 1],
  [/^(?:yen|jpy)$/i, 'JPY', 1],
  [/^(?:francs?|chf)$/i, 'CHF', 1],
  [/^(?:cad|aud|nzd|sek|nok|dkk|pln|inr|cny|hkd|sgd|zar|aed|try|mxn)$/i, '', 1],
];

/**
 * A pattern's letters in either case. The money patterns are case-sensitive, because "m" (million)
 * and the "M" of "M&S" differ; words and currency codes are spelled through this instead.
 */
function eitherCase(pattern: string): string {
  return pattern.replace(/[a-z]/g, (letter) => `[${letter}${letter.toUpperCase()}]`);
}

/**
 * An amount: "1,000.50" or "1.000,50" (thousands grouped by one mark, decimals after the other),
 * "1.000.000", "2.50" or "2,50". "1.999" is left out: a thousand and more, or not quite two? The
 * amount must end where the digits do: "$1.999" or "£1,0000" is no amount at all, never $1.99 or £1.
 */
const AMOUNT = String.raw`(\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d{1,3}(?:\.\d{3})+,\d{1,2}|\d{1,3}(?:\.\d{3}){2,}|\d+(?:[.,]\d{1,2})?)(?![.,]?\d)`;
/**
 * "k", "K", "m", "M" glued to the digits ("£5M"), "bn", "thousand", "million", "grand". Never a
 * merchant: "£5 M&S", "£5 m&s", "£5 m and s" are five pounds. The letter must end the word: "£5 milk".
 */
const MULTIPLIER = String.raw`(k|K|(?:m|(?<=\d)M)(?!\s?&|\s+and\s+s\b)|${eitherCase('bn|thousand|million|grand')})(?![\w&])`;
const NUMBER = String.raw`${AMOUNT}(?:\s?${MULTIPLIER})?`;
const CODES = eitherCase(String.raw`gbp|usd|eur|jpy|chf|cad|aud|nzd|sek|nok|dkk|pln|inr|cny|hkd|sgd|zar|aed|try|mxn`);
const UNIT_WORDS = eitherCase(String.raw`pounds?|quid|sterling|pence|p|dollars?|bucks|cents?|euros?|yen|francs?`);
/** Not inside another number ("1.500", "1,500"); after an ellipsis is fine ("what?...1500 pounds"). */
const NUMBER_STARTS = String.raw`(?<![\d£$€¥₹])(?<!(?:^|[^.])[.,])`;

/**
 * A currency right after a number: "1500 pounds", "20 EUR", "50 €". Such a number is an amount, never
 * a card's or an account's digits. A symbol or code that starts the next amount does not count:
 * "card ending 1234 £50".
 */
export const CURRENCY_NEXT = String.raw`\s?(?:(?:[£$€¥₹]|(?:${CODES})\b)(?!\s?\d)|(?:${UNIT_WORDS})\b)`;

/** "£50", "$1,200.50", "€3.5k", "US$ 20". */
const SYMBOL_FIRST = new RegExp(String.raw`(?:${eitherCase('us')})?([£$€¥₹])\s?${NUMBER}`, 'g');
/** "GBP 50", "EUR 3.5k". */
const CODE_FIRST = new RegExp(String.raw`\b(${CODES})\s?${NUMBER}`, 'g');
/** "50 GBP", "20 euros", "50p", "3 grand". */
const NUMBER_FIRST = new RegExp(String.raw`${NUMBER_STARTS}${NUMBER}\s?(${CODES}|${UNIT_WORDS})\b`, 'g');
/** "3 grand" has no currency word; in a UK bank it means pounds. */
const GRAND = new RegExp(String.raw`${NUMBER_STARTS}${AMOUNT}\s?${eitherCase('grand')}\b`, 'g');

const MULTIPLIERS: Readonly<Record<string, number>> = { k: 1e3, thousand: 1e3, grand: 1e3, m: 1e6, million: 1e6, bn: 1e9 };

/** The last mark before one or two final digits is the decimal point; any other mark groups thousands. */
function amountOf(digits: string, multiplier: string | undefined): number {
  const decimals = /[.,](\d{1,2})$/.exec(digits);
  const whole = (decimals === null ? digits : digits.slice(0, decimals.index)).replace(/[.,]/g, '');
  const base = Number(decimals === null ? whole : `${whole}.${decimals[1]}`);
  const scale = multiplier === undefined ? 1 : (MULTIPLIERS[multiplier.toLowerCase()] ?? 1);
  return Math.round(base * scale * 100) / 100;
}

function currencyOfWord(word: string): { currency: string; scale: number } {
  for (const [pattern, currency, scale] of WORDS) {
    if (pattern.test(word)) return { currency: currency === '' ? word.toUpperCase() : currency, scale };
  }
  return { currency: word.toUpperCase(), scale: 1 };
}

function money(text: string, start: number, amount: number, currency: string): Found {
  return {
    entity: { kind: 'money', text, value: { amount, currency } },
    start,
    end: start + text.length,
    priority: PRIORITY.money,
  };
}

export function findMoney(text: string): Found[] {
  const found: Found[] = [];
  for (const match of text.matchAll(SYMBOL_FIRST)) {
    found.push(money(match[0], match.index ?? 0, amountOf(match[2], match[3]), SYMBOLS[match[1]]));
  }
  for (const match of text.matchAll(CODE_FIRST)) {
    found.push(money(match[0], match.index ?? 0, amountOf(match[2], match[3]), match[1].toUpperCase()));
  }
  for (const match of text.matchAll(NUMBER_FIRST)) {
    const unit = match[3];
    // "p" only counts glued to the number ("50p"), never "5 p"; and "2 p.m." is a time.
    if (/^p$/i.test(unit) && (/\s/.test(match[0]) || /^\.m/i.test(text.slice((match.index ?? 0) + match[0].length)))) continue;
    const { currency, scale } = currencyOfWord(unit);
    found.push(money(match[0], match.index ?? 0, Math.round(amountOf(match[1], match[2]) * scale * 100) / 100, currency));
  }
  for (const match of text.matchAll(GRAND)) {
    found.push(money(match[0], match.index ?? 0, amountOf(match[1], 'grand'), 'GBP'));
  }
  return found;
}
