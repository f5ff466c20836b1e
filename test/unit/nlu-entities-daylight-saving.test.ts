/**
 * @jest-environment ./test/support/london-time-environment.ts
 */
import { extractEntities } from '../../nlu/entities';
import type { CustomerClock, Entity } from '../../nlu/types';

// Relative dates near midnight after the clocks change: now and the day meant have different UTC
// offsets, and the customer's calendar day must not slip.
function dateIn(text: string, now: Date | CustomerClock): Entity['value'] | undefined {
  return extractEntities(text, now).find((entity) => entity.kind === 'date')?.value;
}

// 00:30 BST on Monday 31 March 2025; the clocks went forward on Sunday 30 March.
const afterSpringForward = new Date(2025, 2, 31, 0, 30);
// 23:30 GMT on Sunday 26 October 2025; the clocks went back that morning.
const afterFallBack = new Date(2025, 9, 26, 23, 30);

describe('relative dates across a clock change (Europe/London)', () => {
  it('runs on London time', () => {
    // Without it every case below would pass on a UTC machine, fix or no fix.
    expect(afterSpringForward.getTimezoneOffset()).toBe(-60);
    expect(afterFallBack.getTimezoneOffset()).toBe(0);
  });

  it.each([
    ['3 days ago', '00:30 on Mon 31 Mar', '2025-03-28', afterSpringForward],
    ['I paid two weeks ago', '00:30 on Mon 31 Mar', '2025-03-17', afterSpringForward],
    ['it went out a week ago', '00:30 on Mon 31 Mar', '2025-03-24', afterSpringForward],
    ['I paid yesterday', '00:30 on Mon 31 Mar', '2025-03-30', afterSpringForward],
    ['3 days ago', '23:30 on Sun 26 Oct', '2025-10-23', afterFallBack],
    ['I paid two weeks ago', '23:30 on Sun 26 Oct', '2025-10-12', afterFallBack],
    ['I paid yesterday', '23:30 on Sun 26 Oct', '2025-10-25', afterFallBack],
  ])('"%s" at %s → %s', (text, _when, iso, now) => {
    expect(dateIn(text, now)).toBe(iso);
  });

  it("resolves in the customer's calendar, not London's, when their clock is known", () => {
    // 00:30 BST on Monday 31 March in London is 16:30 PDT on Sunday 30 March in Los Angeles.
    expect(dateIn('I paid yesterday', { at: afterSpringForward, timeZone: 'America/Los_Angeles' })).toBe('2025-03-29');
    expect(dateIn('I paid yesterday', { at: afterSpringForward, utcOffsetMinutes: -420 })).toBe('2025-03-29');
    // 23:30 GMT on Sunday 26 October is 10:30 AEDT on Monday 27 October in Sydney.
    expect(dateIn('3 days ago', { at: afterFallBack, timeZone: 'Australia/Sydney' })).toBe('2025-10-24');
  });
});
