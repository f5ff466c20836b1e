/**
 * The insights as MongoDB aggregation pipelines: plain objects run by the MongoDB driver on
 * MongoDB and by mingo on the embedded store.
 *
 * They keep to what every lane runs identically, including the wire-protocol test server: `$match`
 * (ranges, `$in`, nested paths), `$group` on one field path with `$sum`, `$facet`, `$unwind`,
 * `$count`, `$sort`, `$project` of plain fields. Expression operators (`$dateToString`,
 * `$subtract`, `$cond`) and `$avg` are not in that subset, so days are `$facet` branches with a
 * date range each, averages are sums and counts divided afterwards, and durations are computed
 * from the projected timestamps.
 */
import type { PipelineStage } from '../storage/ports';

export const DAY_MS = 24 * 60 * 60 * 1000;

/** Midnight UTC of each day from `from` (inclusive), `days` of them. */
export function dayStarts(from: Date, days: number): Date[] {
  const start = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
  return Array.from({ length: days }, (_, i) => new Date(start + i * DAY_MS));
}

export const dayKey = (day: Date): string => day.toISOString().slice(0, 10);

/**
 * The first day's start: the facets count only their own days anyway, and a leading match on it
 * lets a store skip older turns before they are read (MongoDB's index, the embedded turn log's scan).
 */
const earliest = (days: readonly Date[]): Date => new Date(Math.min(...days.map((day) => day.getTime())));

const inDay = (field: string, day: Date): PipelineStage => ({ $match: { [field]: { $gte: day, $lt: new Date(day.getTime() + DAY_MS) } } });

/** `conversations`: conversations started per day. */
export function conversationsPerDay(days: readonly Date[]): PipelineStage[] {
  return [{ $facet: Object.fromEntries(days.map((day) => [dayKey(day), [inDay('startedAt', day), { $count: 'n' }]])) }];
}

/** `escalations`: conversations escalated per day (a conversation escalated twice counts once). */
export function escalatedPerDay(days: readonly Date[]): PipelineStage[] {
  return [{ $facet: Object.fromEntries(days.map((day) => [dayKey(day), [inDay('createdAt', day), { $group: { _id: '$conversationId' } }, { $count: 'n' }]])) }];
}

/** `turns`: customer messages per day with summed sentiment and frustration (means afterwards). */
export function moodPerDay(days: readonly Date[]): PipelineStage[] {
  return [
    { $match: { role: 'customer', at: { $gte: earliest(days) } } },
    {
      $facet: Object.fromEntries(
        days.map((day) => [
          dayKey(day),
          [inDay('at', day), { $group: { _id: null, n: { $sum: 1 }, sentiment: { $sum: '$understanding.sentiment.score' }, frustration: { $sum: '$frustration.score' } } }],
        ]),
      ),
    },
  ];
}

/** `turns`: frustrated customer messages per day (frustration at or above the threshold). */
export function frustratedPerDay(days: readonly Date[], threshold: number): PipelineStage[] {
  return [{ $match: { role: 'customer', at: { $gte: earliest(days) }, 'frustration.score': { $gte: threshold } } }, { $facet: Object.fromEntries(days.map((day) => [dayKey(day), [inDay('at', day), { $count: 'n' }]])) }];
}

/** `escalations`: why chats went to people — the trigger, and every named reason. */
export function escalationReasons(from: Date): PipelineStage[] {
  return [
    { $match: { createdAt: { $gte: from } } },
    {
      $facet: {
        triggers: [{ $group: { _id: '$trigger', n: { $sum: 1 } } }, { $sort: { n: -1, _id: 1 } }],
        reasons: [{ $unwind: '$reasons' }, { $group: { _id: '$reasons.name', n: { $sum: 1 } } }, { $sort: { n: -1, _id: 1 } }],
      },
    },
  ];
}

/** `escalations`: the timestamps wait and handle times are computed from, for chats an agent took. */
export function escalationTimes(from: Date): PipelineStage[] {
  return [{ $match: { createdAt: { $gte: from }, assignedAt: { $gte: new Date(0) } } }, { $project: { _id: 1, pool: 1, createdAt: 1, assignedAt: 1, endedAt: 1 } }];
}

/** `escalations`: CSAT ratings by score. */
export function csatDistribution(from: Date): PipelineStage[] {
  return [{ $match: { createdAt: { $gte: from }, csat: { $gte: 1 } } }, { $group: { _id: '$csat', n: { $sum: 1 } } }, { $sort: { _id: 1 } }];
}

/** `offer_events`: per offer, how often it was shown, accepted, declined, dismissed, opted out of. */
export function offerOutcomes(from: Date, kinds: readonly string[]): PipelineStage[] {
  return [
    { $match: { at: { $gte: from } } },
    { $facet: Object.fromEntries(kinds.map((kind) => [kind, [{ $match: { kind } }, { $group: { _id: '$offerId', n: { $sum: 1 } } }, { $sort: { _id: 1 } }]])) },
  ];
}
