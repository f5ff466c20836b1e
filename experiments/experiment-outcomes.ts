/**
 * Outcomes per variant, from what is stored anyway: the conversations that saw each variant
 * (exposures), their escalations (escalation, containment, CSAT), customer turns (complaints) and
 * offer events (acceptance, opt-outs). Computed with aggregation pipelines that run the same on
 * MongoDB and the embedded store (insights/pipelines.ts explains the subset used).
 *
 * Exposures grow with every conversation, so they are never read whole: each variant's are paged
 * (by `_id`, at most `pageSize` at a time) and each page's outcomes are counted and added up. Every
 * query and every `$in` stays the same size however long an experiment runs; the counts add up
 * because a conversation is exposed once per experiment, so pages share no conversation.
 */
import type { Analytics, ExperimentRecord, PipelineStage } from '../storage/ports';
import { wilson, type Proportion } from './statistics';

export interface VariantOutcome {
  readonly variantId: string;
  readonly control: boolean;
  readonly stopped?: { readonly at: Date; readonly reason?: string };
  /** Conversations that saw the variant. */
  readonly conversations: number;
  readonly escalation: Proportion;
  readonly containment: Proportion;
  /** Share of ratings that were 4 or 5, of the rated chats. */
  readonly csatSatisfied: Proportion;
  readonly csatMean?: number;
  readonly offerAcceptance: Proportion;
  /** Conversations with a complaint, a frustration escalation or an opt-out. */
  readonly negative: Proportion;
}

interface Grouped {
  readonly _id: string;
}

/** Conversations per page of exposures: small enough for any `$in`, large enough for few queries. */
export const EXPOSURE_PAGE_SIZE = 500;

const byConversations = (ids: readonly string[]): PipelineStage => ({ $match: { conversationId: { $in: [...ids] } } });
const distinctConversations: PipelineStage = { $group: { _id: '$conversationId' } };

/** Pipelines over `escalations` for a set of conversations. */
export function escalationOutcomePipeline(ids: readonly string[]): PipelineStage[] {
  return [
    byConversations(ids),
    {
      $facet: {
        escalated: [distinctConversations],
        frustrated: [{ $match: { trigger: 'frustration' } }, distinctConversations],
        rated: [{ $match: { csat: { $gte: 1 } } }, { $group: { _id: null, n: { $sum: 1 }, total: { $sum: '$csat' } } }],
        satisfied: [{ $match: { csat: { $gte: 4 } } }, { $count: 'n' }],
      },
    },
  ];
}

export function complaintPipeline(ids: readonly string[]): PipelineStage[] {
  return [byConversations(ids), { $match: { role: 'customer', 'understanding.intent.intent': 'complaint' } }, distinctConversations];
}

export function offerOutcomePipeline(ids: readonly string[]): PipelineStage[] {
  return [
    byConversations(ids),
    {
      $facet: {
        shown: [{ $match: { kind: 'shown' } }, { $count: 'n' }],
        accepted: [{ $match: { kind: 'accepted' } }, { $count: 'n' }],
        optedOut: [{ $match: { kind: 'opted_out' } }, distinctConversations],
      },
    },
  ];
}

interface EscalationFacets {
  escalated: Grouped[];
  frustrated: Grouped[];
  rated: { n: number; total: number }[];
  satisfied: { n: number }[];
}
interface OfferFacets {
  shown: { n: number }[];
  accepted: { n: number }[];
  optedOut: Grouped[];
}

/** `experiment_exposures`: the variant's next page of exposed conversations after `after` (an `_id`). */
export function exposurePagePipeline(experimentId: string, variantId: string, after: string | undefined, pageSize: number): PipelineStage[] {
  return [
    { $match: { experimentId, variantId, ...(after !== undefined && { _id: { $gt: after } }) } },
    { $sort: { _id: 1 } },
    { $limit: pageSize },
    { $project: { _id: 1, conversationId: 1 } },
  ];
}

/** Counts for a set of conversations; the counts of disjoint sets add up. */
interface Tally {
  conversations: number;
  escalated: number;
  rated: number;
  ratingTotal: number;
  satisfied: number;
  offersShown: number;
  offersAccepted: number;
  negative: number;
}

const emptyTally = (): Tally => ({ conversations: 0, escalated: 0, rated: 0, ratingTotal: 0, satisfied: 0, offersShown: 0, offersAccepted: 0, negative: 0 });

async function tallyOf(analytics: Analytics, ids: readonly string[]): Promise<Tally> {
  const [escalations, complaints, offers] = await Promise.all([
    analytics.aggregate<EscalationFacets>('escalations', escalationOutcomePipeline(ids)),
    analytics.aggregate<Grouped>('turns', complaintPipeline(ids)),
    analytics.aggregate<OfferFacets>('offer_events', offerOutcomePipeline(ids)),
  ]);
  const esc = escalations[0] ?? { escalated: [], frustrated: [], rated: [], satisfied: [] };
  const off = offers[0] ?? { shown: [], accepted: [], optedOut: [] };
  return {
    conversations: ids.length,
    escalated: esc.escalated.length,
    rated: esc.rated[0]?.n ?? 0,
    ratingTotal: esc.rated[0]?.total ?? 0,
    satisfied: esc.satisfied[0]?.n ?? 0,
    offersShown: off.shown[0]?.n ?? 0,
    offersAccepted: off.accepted[0]?.n ?? 0,
    negative: new Set([...esc.frustrated, ...complaints, ...off.optedOut].map((g) => g._id)).size,
  };
}

/** The variant's counts, one page of exposures at a time. */
async function variantTally(analytics: Analytics, experimentId: string, variantId: string, pageSize: number): Promise<Tally> {
  const total = emptyTally();
  let after: string | undefined;
  for (;;) {
    const page = await analytics.aggregate<{ _id: string; conversationId: string }>('experiment_exposures', exposurePagePipeline(experimentId, variantId, after, pageSize));
    if (page.length === 0) return total;
    const tally = await tallyOf(analytics, page.map((e) => e.conversationId));
    for (const key of Object.keys(total) as (keyof Tally)[]) total[key] += tally[key];
    if (page.length < pageSize) return total;
    after = page[page.length - 1]._id;
  }
}

/**
 * Outcomes of every variant of the experiment.
 *
 * @param pageSize exposures per query (tests make it small to cross page boundaries)
 */
export async function variantOutcomes(analytics: Analytics, experiment: ExperimentRecord, pageSize = EXPOSURE_PAGE_SIZE): Promise<VariantOutcome[]> {
  return Promise.all(
    experiment.variants.map(async (variant) => {
      const t = await variantTally(analytics, experiment.id, variant.id, pageSize);
      return {
        variantId: variant.id,
        control: variant.id === experiment.controlVariantId,
        stopped: variant.stoppedAt ? { at: variant.stoppedAt, reason: variant.stoppedReason } : undefined,
        conversations: t.conversations,
        escalation: wilson(t.escalated, t.conversations),
        containment: wilson(t.conversations - t.escalated, t.conversations),
        csatSatisfied: wilson(t.satisfied, t.rated),
        csatMean: t.rated > 0 ? round(t.ratingTotal / t.rated) : undefined,
        offerAcceptance: wilson(t.offersAccepted, t.offersShown),
        negative: wilson(t.negative, t.conversations),
      };
    }),
  );
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
