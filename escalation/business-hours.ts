/**
 * Business hours of the human team, in the team's timezone (not the server's, not the customer's),
 * so "is anyone there?" has one answer wherever the bot runs.
 */
export interface BusinessHours {
  /** IANA timezone, e.g. `Europe/London`. */
  readonly timezone: string;
  /** Opening and closing minute of the day, e.g. 9:00 → 540, 17:30 → 1050. */
  readonly opensAt: number;
  readonly closesAt: number;
  /** Open weekdays, 0 = Sunday … 6 = Saturday. */
  readonly days: ReadonlySet<number>;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Parses `09:00-17:30` and `Mon-Fri` / `Mon,Wed,Sat` (the configuration's format). */
export function parseBusinessHours(hours: string, days: string, timezone: string): BusinessHours {
  const time = /^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$/.exec(hours.trim());
  if (!time) throw new Error(`business hours must look like 09:00-17:00, got "${hours}"`);
  const [opensAt, closesAt] = [Number(time[1]) * 60 + Number(time[2]), Number(time[3]) * 60 + Number(time[4])];
  if (opensAt >= closesAt || closesAt > 24 * 60) throw new Error(`business hours must open before they close within one day, got "${hours}"`);
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: timezone });
  } catch {
    throw new Error(`unknown timezone "${timezone}"`);
  }
  return { timezone, opensAt, closesAt, days: parseDays(days) };
}

function parseDays(days: string): ReadonlySet<number> {
  const index = (name: string) => {
    const i = WEEKDAYS.findIndex((day) => day.toLowerCase() === name.trim().slice(0, 3).toLowerCase());
    if (i < 0) throw new Error(`unknown weekday "${name}" (use Mon, Tue, …)`);
    return i;
  };
  const open = new Set<number>();
  for (const part of days.split(',')) {
    const [from, to] = part.split('-');
    if (from === undefined || from.trim() === '') throw new Error(`business days must look like Mon-Fri, got "${days}"`);
    if (to === undefined) {
      open.add(index(from));
      continue;
    }
    for (let day = index(from), end = index(to); ; day = (day + 1) % 7) {
      open.add(day);
      if (day === end) break;
    }
  }
  return open;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timezone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timezone, formatter);
  }
  return formatter;
}

interface LocalMinute {
  readonly day: number;
  readonly minute: number;
}

/** The last answer per timezone: every turn asks about "now", and it holds for the whole minute. */
const lastLocalMinute = new Map<string, { readonly epochMinute: number; readonly local: LocalMinute }>();

/** Weekday and minute of the day at `at` in the team's timezone. */
function localMinute(hours: BusinessHours, at: Date): LocalMinute {
  // Timezone offsets are whole minutes, so one UTC minute is one local minute.
  const epochMinute = Math.floor(at.getTime() / 60_000);
  const last = lastLocalMinute.get(hours.timezone);
  if (last?.epochMinute === epochMinute) return last.local;
  const parts = formatterFor(hours.timezone).formatToParts(at);
  const get = (type: string) => parts.find((part) => part.type === type)?.value ?? '0';
  const local = { day: WEEKDAYS.indexOf(get('weekday')), minute: Number(get('hour')) * 60 + Number(get('minute')) };
  lastLocalMinute.set(hours.timezone, { epochMinute, local });
  return local;
}

export function isOpen(hours: BusinessHours, at: Date): boolean {
  const { day, minute } = localMinute(hours, at);
  return hours.days.has(day) && minute >= hours.opensAt && minute < hours.closesAt;
}

/** The next moment the team is open (now, if open), to the minute; searches up to 8 days ahead. */
export function nextOpening(hours: BusinessHours, at: Date): Date {
  if (isOpen(hours, at)) return at;
  const step = 60_000;
  let candidate = new Date(Math.ceil(at.getTime() / step) * step);
  for (let i = 0; i < 8 * 24 * 60; i++) {
    const { day, minute } = localMinute(hours, candidate);
    if (hours.days.has(day) && minute === hours.opensAt) return candidate;
    candidate = new Date(candidate.getTime() + step);
  }
  throw new Error('business hours never open');
}

/** "Monday at 09:00" in the team's timezone: how the customer is told when a person is back. */
export function describeOpening(hours: BusinessHours, at: Date): string {
  const text = new Intl.DateTimeFormat('en-GB', { timeZone: hours.timezone, weekday: 'long', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
  return text.replace(' ', ' at ');
}
