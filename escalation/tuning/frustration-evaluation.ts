/**
 * Scores labelled conversations with a frustration meter and measures the separation of
 * dissatisfied from satisfied customer turns, overall and per domain.
 *
 * The recognizer's reading of a message does not depend on the weights, so it is computed once
 * (`observeConversations`) and the meter alone is replayed for every candidate weight set.
 */
import type { Recognizer } from '../../nlu/recognizer';
import type { Understanding } from '../../nlu/types';
import { CALM, FrustrationMeter, type FrustrationWeights } from '../frustration-meter';
import { userTurns, type Domain, type LabelledConversation } from './labelled-conversations';
import { bestF1Threshold, metricsAt, rocAuc, type ScoredTurn, type ThresholdMetrics } from './separation';

export interface ObservedTurn {
  readonly text: string;
  readonly understanding: Understanding;
  readonly dissatisfied: boolean;
}

export interface ObservedConversation {
  readonly id: string;
  readonly domain: Domain;
  readonly turns: readonly ObservedTurn[];
}

export interface DomainScoredTurn extends ScoredTurn {
  readonly conversationId: string;
  readonly domain: Domain;
}

/** Runs every customer turn through the recognizer once. Bot turns are dropped: the meter never sees them. */
export function observeConversations(conversations: readonly LabelledConversation[], recognizer: Recognizer): ObservedConversation[] {
  return conversations.map((conversation) => ({
    id: conversation.id,
    domain: conversation.domain,
    turns: userTurns(conversation).map((turn) => ({ text: turn.text, understanding: recognizer.understand(turn.text), dissatisfied: turn.dissatisfied })),
  }));
}

/** The meter's score after every customer turn, each conversation starting calm. */
export function scoreConversations(conversations: readonly ObservedConversation[], weights: FrustrationWeights): DomainScoredTurn[] {
  const meter = new FrustrationMeter(weights);
  const scored: DomainScoredTurn[] = [];
  for (const conversation of conversations) {
    let state = CALM;
    for (const turn of conversation.turns) {
      const result = meter.perceive(state, { text: turn.text, understanding: turn.understanding });
      state = result.state;
      scored.push({ score: result.perception.score, positive: turn.dissatisfied, conversationId: conversation.id, domain: conversation.domain });
    }
  }
  return scored;
}

export interface Separation {
  readonly turns: number;
  readonly dissatisfiedTurns: number;
  /** NaN when the group has no turn of one class. */
  readonly auc: number;
  readonly atThreshold: ThresholdMetrics;
  readonly atBestThreshold: ThresholdMetrics;
}

export function separation(turns: readonly ScoredTurn[], threshold: number): Separation {
  return {
    turns: turns.length,
    dissatisfiedTurns: turns.filter((turn) => turn.positive).length,
    auc: rocAuc(turns),
    atThreshold: metricsAt(turns, threshold),
    atBestThreshold: bestF1Threshold(turns),
  };
}

export type GroupName = 'all' | 'banking' | 'non-banking' | Domain;

/** Separation overall, for banking against everything else, and for each domain. */
export function separationByGroup(turns: readonly DomainScoredTurn[], threshold: number): Record<GroupName, Separation> {
  const of = (keep: (turn: DomainScoredTurn) => boolean) => separation(turns.filter(keep), threshold);
  return {
    all: of(() => true),
    banking: of((turn) => turn.domain === 'banking'),
    'non-banking': of((turn) => turn.domain !== 'banking'),
    retail: of((turn) => turn.domain === 'retail'),
    telecom: of((turn) => turn.domain === 'telecom'),
    travel: of((turn) => turn.domain === 'travel'),
  };
}

export interface ObjectiveSettings {
  readonly threshold: number;
  /** Subtracted per unit of false-escalation rate (satisfied turns at or over the threshold). */
  readonly falseEscalationPenalty: number;
  /** Added per unit of F1 at the threshold, so dissatisfied turns still reach it. */
  readonly f1Bonus: number;
}

/**
 * What the search maximises: ranking quality (AUC) over all domains, plus F1 at the threshold
 * the bot escalates at, minus a penalty for satisfied customers pushed over that threshold.
 */
export function tuningObjective(turns: readonly ScoredTurn[], settings: ObjectiveSettings): number {
  const atThreshold = metricsAt(turns, settings.threshold);
  return rocAuc(turns) + settings.f1Bonus * atThreshold.f1 - settings.falseEscalationPenalty * atThreshold.falsePositiveRate;
}

/** How often each reason fires on satisfied and on dissatisfied turns: which signals mislead. */
export function signalFiring(conversations: readonly ObservedConversation[], weights: FrustrationWeights): Record<string, { satisfied: number; dissatisfied: number }> {
  const meter = new FrustrationMeter(weights);
  const firing: Record<string, { satisfied: number; dissatisfied: number }> = {};
  for (const conversation of conversations) {
    let state = CALM;
    for (const turn of conversation.turns) {
      const result = meter.perceive(state, { text: turn.text, understanding: turn.understanding });
      state = result.state;
      for (const reason of result.perception.reasons) {
        const counts = (firing[reason.name] ??= { satisfied: 0, dissatisfied: 0 });
        if (turn.dissatisfied) counts.dissatisfied++;
        else counts.satisfied++;
      }
    }
  }
  return firing;
}

export interface Interval {
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
}

/**
 * A 95% interval for `statistic(b) − statistic(a)` by resampling whole conversations (turns of one
 * conversation are not independent). `a` and `b` score the same turns in the same order.
 * Deterministic for a seed.
 */
export function pairedBootstrap(
  a: readonly DomainScoredTurn[],
  b: readonly DomainScoredTurn[],
  statistic: (turns: readonly ScoredTurn[]) => number,
  random: () => number,
  resamples = 2000,
): Interval {
  if (a.length !== b.length) throw new RangeError('both weight sets must score the same turns');
  const byConversation = new Map<string, number[]>();
  a.forEach((turn, index) => {
    const indices = byConversation.get(turn.conversationId) ?? [];
    indices.push(index);
    byConversation.set(turn.conversationId, indices);
  });
  const groups = [...byConversation.values()];
  const differences: number[] = [];
  for (let r = 0; r < resamples; r++) {
    const sampleA: ScoredTurn[] = [];
    const sampleB: ScoredTurn[] = [];
    for (let g = 0; g < groups.length; g++) {
      for (const index of groups[Math.floor(random() * groups.length)]!) {
        sampleA.push(a[index]!);
        sampleB.push(b[index]!);
      }
    }
    const difference = statistic(sampleB) - statistic(sampleA);
    if (Number.isFinite(difference)) differences.push(difference);
  }
  differences.sort((x, y) => x - y);
  const at = (q: number) => differences[Math.min(differences.length - 1, Math.floor(q * differences.length))] ?? Number.NaN;
  return { estimate: statistic(b) - statistic(a), low: at(0.025), high: at(0.975) };
}
