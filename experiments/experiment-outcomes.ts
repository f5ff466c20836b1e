/**
 * Outcomes per variant, from what is stored anyway: the conversations that saw each variant
 * (exposures), their escalations (escalation, containment, CSAT), customer turns (complaints) and
 * offer events (acceptance, opt-outs). Computed with aggregation pipelines that run the same on
 * MongoDB and the embedded store (insights/pipelines.ts explains the subset used).
 */
import type { Analytics, ExperimentExposure, ExperimentRecord, PipelineStage } from '../storage/ports';
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

export async function variantOutcomes(analytics: Analytics, experiment: ExperimentRecord, exposures: readonly ExperimentExposure[]): Promise<VariantOutcome[]> {
  return Promise.all(
    experiment.variants.map(async (variant) => {
      const ids = exposures.filter((e) => e.variantId === variant.id).map((e) => e.conversationId);
      const [escalations, complaints, offers] = await Promise.all([
        analytics.aggregate<EscalationFacets>('escalations', escalationOutcomePipeline(ids)),
        analytics.aggregate<Grouped>('turns', complaintPipeline(ids)),
        analytics.aggregate<OfferFacets>('offer_events', offerOutcomePipeline(ids)),
      ]);
      const esc = escalations[0] ?? { escalated: [], frustrated: [], rated: [], satisfied: [] };
      const off = offers[0] ?? { shown: [], accepted: [], optedOut: [] };
      const escalated = esc.escalated.length;
      const rated = esc.rated[0]?.n ?? 0;
      const negativeIds = new Set([...esc.frustrated, ...complaints, ...off.optedOut].map((g) => g._id));
      return {
        variantId: variant.id,
        control: variant.id === experiment.controlVariantId,
        stopped: variant.stoppedAt ? { at: variant.stoppedAt, reason: variant.stoppedReason } : undefined,
        conversations: ids.length,
        escalation: wilson(escalated, ids.length),
        containment: wilson(ids.length - escalated, ids.length),
        csatSatisfied: wilson(esc.satisfied[0]?.n ?? 0, rated),
        csatMean: rated > 0 ? round((esc.rated[0]?.total ?? 0) / rated) : undefined,
        offerAcceptance: wilson(off.accepted[0]?.n ?? 0, off.shown[0]?.n ?? 0),
        negative: wilson(negativeIds.size, ids.length),
      };
    }),
  );
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
