/**
 * The reference time for relative dates in the customer's calendar. chrono (dates.ts) reads the
 * calendar fields of its reference Date in the server's time zone, so the reference handed to it
 * is a Date whose server-local fields are the customer's wall clock: at 23:00 on Friday in UTC−8
 * it says Friday 23:00, even on a UTC server where it is already Saturday.
 */
import type { CustomerClock } from '../types';

/** Real offsets run from UTC−12:00 to UTC+14:00; anything outside is a client's mistake. */
const MAX_OFFSET_MINUTES = 14 * 60;

/** Zones customers name are few; the cap only bounds what odd strings from clients can cost. */
const MAX_CACHED_ZONES = 512;

/** One formatter per IANA zone (constructing one costs far more than using it); null: not a zone. */
const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatterFor(timeZone: string): Intl.DateTimeFormat | null {
  let formatter = formatters.get(timeZone);
  if (formatter !== undefined) return formatter;
  try {
    formatter = new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23' });
  } catch {
    formatter = null; // RangeError: not a time zone this runtime knows
  }
  if (formatters.size >= MAX_CACHED_ZONES) formatters.clear();
  formatters.set(timeZone, formatter);
  return formatter;
}

/** The customer's wall clock as server-local fields, or undefined when their offset and zone are unknown or invalid. */
function customerWallClock(clock: CustomerClock): Date | undefined {
  const { at, utcOffsetMinutes, timeZone } = clock;
  if (typeof utcOffsetMinutes === 'number' && Number.isInteger(utcOffsetMinutes) && Math.abs(utcOffsetMinutes) <= MAX_OFFSET_MINUTES) {
    const shifted = new Date(at.getTime() + utcOffsetMinutes * 60_000);
    return new Date(shifted.getUTCFullYear(), shifted.getUTCMonth(), shifted.getUTCDate(), shifted.getUTCHours(), shifted.getUTCMinutes(), shifted.getUTCSeconds());
  }
  if (typeof timeZone !== 'string' || timeZone === '') return undefined;
  const formatter = formatterFor(timeZone);
  if (!formatter) return undefined;
  const fields: Record<string, number> = {};
  for (const part of formatter.formatToParts(at)) if (part.type !== 'literal') fields[part.type] = Number(part.value);
  const { year, month, day, hour, minute, second } = fields;
  if (year === undefined || month === undefined || day === undefined) return undefined;
  return new Date(year, month - 1, day, hour ?? 0, minute ?? 0, second ?? 0);
}

/**
 * The reference Date for "yesterday", "last Friday", "3 March": read in the server's time zone,
 * its fields are the customer's date and time. A Date is taken as it is (the server's time).
 */
export function dateReferenceFor(clock: Date | CustomerClock): Date {
  if (clock instanceof Date) return clock;
  return customerWallClock(clock) ?? clock.at;
}
