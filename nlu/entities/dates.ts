/**
 * Dates and relative dates via chrono-node (British day/month order: a UK retail bank).
 * Customers mostly talk about what already happened ("I paid on Tuesday"), so a weekday or a
 * day-and-month without a year resolves to the most recent past one, unless the date's own clause
 * speaks of the future ("next Friday", "I'll be in on Friday", "schedule it for 3 March"): the rest
 * of the message does not count ("I paid on Monday, when will it arrive?").
 */
import * as chrono from 'chrono-node';
import type { CustomerClock } from '../types';
import { dateReferenceFor } from './customer-clock';
import { PRIORITY, type Found } from './spans';

/**
 * Cheap gate: chrono (~0.1 ms a message) only runs when the text could hold a date at all. Whole
 * words only, so everyday banking words ("money", "declined", "market", "satisfied") do not wake it.
 */
const DATE_HINT = new RegExp(
  [
    '\\d',
    '\\b(?:yesterday|today|tonight|tomorrow|tmrw?|ago|last|next|this|days?|weeks?|weekends?|months?|years?|fortnights?)\\b',
    '\\b(?:mon|tues?|wed(?:s|nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?s?\\b',
    '\\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\b',
  ].join('|'),
  'i',
);
/**
 * Tense markers, for the words in a date's own clause. Three kinds, in this order where they start at
 * the same place: a clause break (punctuation or a conjunction); a word that looks ahead ("will",
 * "'ll", "next", "schedule", "due"; with a passive's participle, so "will be declined" is one
 * future); a word that looks back ("was", "paid", "ago", any "-ed" verb; "the payment on …" is a
 * past transaction). "was due", "were going to" are plans that have passed: the future word does not
 * count after was/were.
 */
const TENSE = new RegExp(
  [
    String.raw`(?<clause>[.!?;,]|\b(?:and|but|because|so|when|while|if|though|although)\b)`,
    String.raw`(?<future>(?<!\b(?:was|were|wasn['’]t|weren['’]t)\s+)` +
      String.raw`(?:\b(?:will|won['’]t|shall|going\s+to|gonna|next|coming|upcoming|schedul\w*|plan\w*|due|from\s+now)\b|['’]ll\b)` +
      String.raw`(?:\s+(?:not\s+)?(?:be|get|have\s+been)\s+\w+)?)`,
    String.raw`(?<past>\b(?:was|were|wasn['’]t|weren['’]t|had|hadn['’]t|did|didn['’]t|last|ago|yesterday|` +
      String.raw`paid|sent|made|took|went|came|got|gave|spent|bought|lost|left|withdrew|used|(?!hundred\b)\w{2,}[^\We]ed|` +
      String.raw`(?:payments?|transactions?|charges?|transfers?|purchases?|withdrawals?|debits?)\s+(?:on|of|from|dated))\b)`,
  ].join('|'),
  'gi',
);
/** How far back a date's clause is looked for: a sentence or two, never the whole of a long message. */
const CLAUSE_REACH = 120;
/** "now", "a second ago", "at 5pm": a moment, not a date the customer means. */
const NOT_A_DATE = /^(?:(?:right )?now|just now|a (?:second|moment|minute|few (?:seconds|minutes)) ago|\d+ (?:seconds?|minutes?|hours?) ago)$/i;

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

/** A calendar day, held as midnight UTC so that no time zone or clock change can move it. */
function calendarDay(year: number, month: number, day: number): Date {
  return new Date(Date.UTC(year, month - 1, day));
}

/** "2025-03-14", or "2025-03" when only the month is known. */
function iso(day: Date, withDay: boolean): string {
  const month = `${day.getUTCFullYear()}-${pad(day.getUTCMonth() + 1)}`;
  return withDay ? `${month}-${pad(day.getUTCDate())}` : month;
}

/** Moves a guessed day one week (weekday only) or one year, back or forward. */
function shift(day: Date, byWeek: boolean, direction: 1 | -1): Date {
  return byWeek
    ? calendarDay(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate() + 7 * direction)
    : calendarDay(day.getUTCFullYear() + direction, day.getUTCMonth() + 1, day.getUTCDate());
}

/**
 * Whether the date at text[start, end) is about the future: the tense marker nearest to it, in the
 * date itself or in the words before it back to the start of its clause. Customers mostly say what
 * already happened, so no marker means the past. "I paid on Monday, when will it arrive?" is about
 * last Monday; "I will be in the branch on Friday" about the coming one.
 */
function speaksOfFuture(text: string, start: number, end: number): boolean {
  const from = Math.max(0, start - CLAUSE_REACH);
  let future = false;
  for (const match of text.slice(from, end).matchAll(TENSE)) {
    const { clause, past } = match.groups ?? {};
    // A comma inside the date ("Friday, 3 March") does not end its clause.
    if (clause !== undefined) future = future && from + (match.index ?? 0) >= start;
    else future = past === undefined;
  }
  return future;
}

/**
 * Finds dates; `clock` is the reference for "yesterday", "last Friday", "3 March": the customer's
 * clock (their calendar day), or a Date read in the server's time zone.
 */
export function findDates(text: string, clock: Date | CustomerClock): Found[] {
  if (!DATE_HINT.test(text)) return [];
  const now = dateReferenceFor(clock);
  const found: Found[] = [];
  const today = calendarDay(now.getFullYear(), now.getMonth() + 1, now.getDate());
  for (const result of chrono.en.GB.parse(text, now)) {
    const { start } = result;
    const phrase = result.text.trim();
    if (NOT_A_DATE.test(phrase)) continue;
    const hasDay = start.isCertain('day') || start.isCertain('weekday');
    if (!hasDay && !start.isCertain('month')) continue; // a bare time of day
    // chrono's own fields: its date() applies now's UTC offset to the day found, which is a day off
    // near midnight when the clocks change in between ("3 days ago" at 00:30 on 31 March).
    const [year, month, dayOfMonth] = [start.get('year'), start.get('month'), start.get('day')];
    if (year === null || month === null || dayOfMonth === null) continue;
    let day = calendarDay(year, month, dayOfMonth);
    const onlyWeekday = start.isCertain('weekday') && !start.isCertain('day');
    const noYear = start.isCertain('day') && !start.isCertain('year') && start.isCertain('month');
    const guessed = onlyWeekday || noYear || !start.isCertain('year');
    const future = guessed && speaksOfFuture(text, result.index, result.index + result.text.length);
    // Calendar days (or months), not instants: chrono puts a date said without a time at noon, and
    // "I paid on 14 March" at 7 am on the 14th is today, not later than now.
    if (guessed && !future && iso(day, hasDay) > iso(today, hasDay)) day = shift(day, onlyWeekday, -1);
    else if (future && iso(day, hasDay) < iso(today, hasDay)) day = shift(day, onlyWeekday, 1);
    const value = iso(day, hasDay);
    found.push({ entity: { kind: 'date', text: phrase, value }, start: result.index, end: result.index + result.text.length, priority: PRIORITY.date });
  }
  return found;
}
