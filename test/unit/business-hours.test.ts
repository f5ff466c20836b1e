import { isOpen, nextOpening, parseBusinessHours } from '../../escalation/business-hours';

const london = parseBusinessHours('09:00-17:30', 'Mon-Fri', 'Europe/London');

describe('business hours', () => {
  it('is open on a weekday afternoon in the team timezone and closed at night and at weekends', () => {
    expect(isOpen(london, new Date('2026-11-23T14:00:00Z'))).toBe(true); // Monday 14:00 GMT
    expect(isOpen(london, new Date('2026-11-23T17:30:00Z'))).toBe(false);
    expect(isOpen(london, new Date('2026-11-23T08:59:00Z'))).toBe(false);
    expect(isOpen(london, new Date('2026-11-22T12:00:00Z'))).toBe(false); // Sunday
  });

  it('follows daylight saving time', () => {
    // 1 July, 08:30 UTC is 09:30 in London (BST): open.
    expect(isOpen(london, new Date('2026-07-01T08:30:00Z'))).toBe(true);
  });

  it('finds the next opening after a Friday evening', () => {
    expect(nextOpening(london, new Date('2026-11-27T18:00:00Z')).toISOString()).toBe('2026-11-30T09:00:00.000Z');
  });

  it('parses wrap-around and listed days, and rejects nonsense with a message', () => {
    expect([...parseBusinessHours('08:00-20:00', 'Sat-Mon', 'UTC').days].sort()).toEqual([0, 1, 6]);
    expect([...parseBusinessHours('08:00-20:00', 'Mon,Wed', 'UTC').days].sort()).toEqual([1, 3]);
    expect(() => parseBusinessHours('9-5', 'Mon-Fri', 'UTC')).toThrow(/09:00-17:00/);
    expect(() => parseBusinessHours('09:00-17:00', 'Funday', 'UTC')).toThrow(/weekday/);
    expect(() => parseBusinessHours('09:00-17:00', 'Mon-Fri', 'Mars/Olympus')).toThrow(/timezone/);
  });
});
