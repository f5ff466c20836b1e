/**
 * The insights dashboard's numbers (DESIGN.md §6, issue 9): containment and escalation per day,
 * escalation reasons, sentiment and frustration trends, queue wait and handle time per pool,
 * CSAT, offer acceptance and opt-outs, and experiment results.
 */
import type { ExperimentResults, ExperimentService } from '../experiments/experiment-service';
import { wilson, type Proportion } from '../experiments/statistics';
import type { Analytics } from '../storage/ports';
import * as pipelines from './pipelines';

export interface DayPoint {
  readonly day: string;
  readonly conversations: number;
  readonly escalated: number;
  readonly escalationRate: number;
  readonly containmentRate: number;
  readonly customerMessages: number;
  readonly sentimentMean?: number;
  readonly frustrationMean?: number;
  readonly frustratedMessages: number;
}

export interface PoolTimes {
  readonly pool: string;
  readonly taken: number;
  readonly waitSecondsMean?: number;
  readonly waitSecondsP90?: number;
  readonly handled: number;
  readonly handleSecondsMean?: number;
}

export interface Insights {
  readonly from: string;
  readonly days: readonly DayPoint[];
  readonly totals: { readonly conversations: number; readonly escalated: number; readonly containment: Proportion };
  readonly escalationTriggers: readonly { readonly trigger: string; readonly count: number }[];
  readonly escalationReasons: readonly { readonly reason: string; readonly count: number }[];
  readonly pools: readonly PoolTimes[];
  readonly csat: { readonly distribution: readonly { readonly score: number; readonly count: number }[]; readonly ratings: number; readonly mean?: number; readonly satisfied: Proportion };
  readonly offers: readonly { readonly offerId: string; readonly shown: number; readonly accepted: number; readonly declined: number; readonly dismissed: number; readonly optedOut: number; readonly acceptance: Proportion }[];
  readonly experiments: readonly ExperimentResults[];
}

const OFFER_KINDS = ['shown', 'accepted', 'declined', 'dismissed', 'opted_out'] as const;

interface Counted {
  readonly _id: string | number | null;
  readonly n: number;
}

export class InsightsService {
  constructor(
    private readonly analytics: Analytics,
    private readonly experiments: ExperimentService,
    /** Frustration at which a message counts as frustrated (the escalation threshold). */
    private readonly frustrationThreshold: number,
  ) {}

  /** The last `days` days up to and including `until`'s day (UTC). */
  async compute(days: number, until = new Date()): Promise<Insights> {
    const starts = pipelines.dayStarts(new Date(until.getTime() - (days - 1) * pipelines.DAY_MS), days);
    const from = starts[0];
    const [conversations, escalated, mood, frustrated, reasons, times, csat, offers, experimentList] = await Promise.all([
      this.analytics.aggregate<Record<string, { n: number }[]>>('conversations', pipelines.conversationsPerDay(starts)),
      this.analytics.aggregate<Record<string, { n: number }[]>>('escalations', pipelines.escalatedPerDay(starts)),
      this.analytics.aggregate<Record<string, { n: number; sentiment: number; frustration: number }[]>>('turns', pipelines.moodPerDay(starts)),
      this.analytics.aggregate<Record<string, { n: number }[]>>('turns', pipelines.frustratedPerDay(starts, this.frustrationThreshold)),
      this.analytics.aggregate<{ triggers: Counted[]; reasons: Counted[] }>('escalations', pipelines.escalationReasons(from)),
      this.analytics.aggregate<{ pool: string; createdAt: Date; assignedAt: Date; endedAt?: Date | null }>('escalations', pipelines.escalationTimes(from)),
      this.analytics.aggregate<Counted>('escalations', pipelines.csatDistribution(from)),
      this.analytics.aggregate<Record<string, Counted[]>>('offer_events', pipelines.offerOutcomes(from, OFFER_KINDS)),
      this.experiments.list(),
    ]);
    const count = (facets: Record<string, { n: number }[]> | undefined, key: string) => facets?.[key]?.[0]?.n ?? 0;
    const dayPoints = starts.map((start): DayPoint => {
      const key = pipelines.dayKey(start);
      const started = count(conversations[0], key);
      const esc = count(escalated[0], key);
      const m = mood[0]?.[key]?.[0];
      return {
        day: key,
        conversations: started,
        escalated: esc,
        escalationRate: ratio(esc, started),
        containmentRate: started === 0 ? 0 : ratio(Math.max(0, started - esc), started),
        customerMessages: m?.n ?? 0,
        sentimentMean: m && m.n > 0 ? round(m.sentiment / m.n) : undefined,
        frustrationMean: m && m.n > 0 ? round(m.frustration / m.n) : undefined,
        frustratedMessages: count(frustrated[0], key),
      };
    });
    const totalConversations = dayPoints.reduce((s, d) => s + d.conversations, 0);
    const totalEscalated = dayPoints.reduce((s, d) => s + d.escalated, 0);
    const ratings = csat.reduce((s, c) => s + c.n, 0);
    const ratingSum = csat.reduce((s, c) => s + Number(c._id) * c.n, 0);
    const experimentResults = await Promise.all(experimentList.filter((e) => e.status !== 'draft').map((e) => this.experiments.results(e.id)));
    return {
      from: from.toISOString(),
      days: dayPoints,
      totals: { conversations: totalConversations, escalated: totalEscalated, containment: wilson(Math.max(0, totalConversations - totalEscalated), totalConversations) },
      escalationTriggers: (reasons[0]?.triggers ?? []).map((t) => ({ trigger: String(t._id), count: t.n })),
      escalationReasons: (reasons[0]?.reasons ?? []).map((r) => ({ reason: String(r._id), count: r.n })),
      pools: poolTimes(times),
      csat: {
        distribution: csat.map((c) => ({ score: Number(c._id), count: c.n })),
        ratings,
        mean: ratings > 0 ? round(ratingSum / ratings) : undefined,
        satisfied: wilson(csat.filter((c) => Number(c._id) >= 4).reduce((s, c) => s + c.n, 0), ratings),
      },
      offers: offerRows(offers[0] ?? {}),
      experiments: experimentResults,
    };
  }
}

function poolTimes(rows: readonly { pool: string; createdAt: Date; assignedAt: Date; endedAt?: Date | null }[]): PoolTimes[] {
  const pools = [...new Set(rows.map((r) => r.pool))].sort();
  return pools.map((pool) => {
    const mine = rows.filter((r) => r.pool === pool);
    const waits = mine.map((r) => (new Date(r.assignedAt).getTime() - new Date(r.createdAt).getTime()) / 1000).sort((a, b) => a - b);
    const handles = mine.filter((r) => r.endedAt).map((r) => (new Date(r.endedAt as Date).getTime() - new Date(r.assignedAt).getTime()) / 1000);
    return {
      pool,
      taken: mine.length,
      waitSecondsMean: waits.length > 0 ? round(mean(waits)) : undefined,
      waitSecondsP90: waits.length > 0 ? round(waits[Math.min(waits.length - 1, Math.ceil(waits.length * 0.9) - 1)]) : undefined,
      handled: handles.length,
      handleSecondsMean: handles.length > 0 ? round(mean(handles)) : undefined,
    };
  });
}

function offerRows(facets: Record<string, Counted[]>): Insights['offers'] {
  const ids = [...new Set(Object.values(facets).flat().map((c) => String(c._id)))].sort();
  const n = (kind: string, id: string) => facets[kind]?.find((c) => String(c._id) === id)?.n ?? 0;
  return ids.map((offerId) => ({
    offerId,
    shown: n('shown', offerId),
    accepted: n('accepted', offerId),
    declined: n('declined', offerId),
    dismissed: n('dismissed', offerId),
    optedOut: n('opted_out', offerId),
    acceptance: wilson(n('accepted', offerId), n('shown', offerId)),
  }));
}

const mean = (values: readonly number[]) => values.reduce((s, v) => s + v, 0) / values.length;
const ratio = (a: number, b: number) => (b === 0 ? 0 : round(a / b));
function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
