import type { Entity } from '../types';

/** An entity found at a place in the text; `priority` decides overlaps (higher wins). */
export interface Found {
  readonly entity: Entity;
  readonly start: number;
  readonly end: number;
  readonly priority: number;
}

/** Priorities: a card's or account's digits are never also money or a date. */
export const PRIORITY = { card_last4: 5, account_reference: 4, money: 3, date: 2, merchant: 1 } as const;

/** Keeps the highest-priority (then longest, then earliest) of overlapping finds, in text order. */
export function resolveOverlaps(found: readonly Found[]): Found[] {
  const ranked = [...found].sort(
    (a, b) => b.priority - a.priority || b.end - b.start - (a.end - a.start) || a.start - b.start,
  );
  const kept: Found[] = [];
  for (const candidate of ranked) {
    if (kept.every((other) => candidate.end <= other.start || candidate.start >= other.end)) kept.push(candidate);
  }
  return kept.sort((a, b) => a.start - b.start);
}
