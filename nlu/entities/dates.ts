/**
 * Dates and relative dates via chrono-node (British day/month order: a UK retail bank).
 * Customers mostly talk about what already happened ("I paid on Tuesday"), so a weekday or a
 * day-and-month without a year resolves to the most recent past one, unless the message speaks
 * of the future ("next Friday", "I'll be in on Friday", "schedule it for 3 March").
 */
import * as chrono from 'chrono-node';
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
const FUTURE_HINT = /\b(?:next|coming|will|won't|shall|'ll|going to|gonna|schedule\w*|plan\w*|upcoming|due|from now|in \d+ days?)\b/i;
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

/** Finds dates; `now` is the reference for "yesterday", "last Friday", "3 March". */
export function findDates(text: string, now: Date): Found[] {
  if (!DATE_HINT.test(text)) return [];
  const found: Found[] = [];
  const future = FUTURE_HINT.test(text);
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
    // Calendar days (or months), not instants: chrono puts a date said without a time at noon, and
    // "I paid on 14 March" at 7 am on the 14th is today, not later than now.
    if (guessed && !future && iso(day, hasDay) > iso(today, hasDay)) day = shift(day, onlyWeekday, -1);
    else if (guessed && future && iso(day, hasDay) < iso(today, hasDay)) day = shift(day, onlyWeekday, 1);
    const value = iso(day, hasDay);
    found.push({ entity: { kind: 'date', text: phrase, value }, start: result.index, end: result.index + result.text.length, priority: PRIORITY.date });
  }
  return found;
}
