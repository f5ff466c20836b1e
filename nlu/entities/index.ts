/**
 * Banking entities in one customer message: money, dates, card last-4 digits, account references
 * and merchants. Rule-based and synchronous (tens of microseconds per message). Where finds
 * overlap, a card's or account's digits win: they are never also money or a date.
 */
import type { CustomerClock, Entity } from '../types';
import { findCardsAndAccounts } from './card-and-account';
import { findDates } from './dates';
import { findMerchants } from './merchants';
import { findMoney } from './money';
import { resolveOverlaps, type Found } from './spans';

export { isValidIban } from './card-and-account';

function blank(text: string, found: readonly Found[]): string {
  let out = text;
  for (const { start, end } of found) out = out.slice(0, start) + ' '.repeat(end - start) + out.slice(end);
  return out;
}

/**
 * Extracts entities in the order they appear.
 * @param now reference for relative dates ("yesterday", "last Friday"): the customer's clock, or a
 *   Date read in the server's time zone; defaults to the current time
 */
export function extractEntities(text: string, now: Date | CustomerClock = new Date()): Entity[] {
  if (text.length === 0) return [];
  // Each finder sees the text with what the stronger ones found blanked out (same length, so
  // offsets hold): "card ending 2024 … on 3 March" must not become the year 2024, nor "£15 on
  // 3 March" the 15th.
  const numbers = findCardsAndAccounts(text);
  const afterNumbers = blank(text, numbers);
  const money = findMoney(afterNumbers);
  const afterMoney = blank(afterNumbers, money);
  const found = [...numbers, ...money, ...findDates(afterMoney, now), ...findMerchants(afterMoney)];
  return resolveOverlaps(found).map((item) => item.entity);
}
