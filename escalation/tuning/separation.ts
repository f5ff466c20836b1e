/**
 * How well a score separates dissatisfied customer turns from satisfied ones: ROC AUC over every
 * threshold, and precision / recall / F1 of "score ≥ threshold" at one threshold.
 */

/** One scored customer turn: `positive` means the customer was dissatisfied at that point. */
export interface ScoredTurn {
  readonly score: number;
  readonly positive: boolean;
}

export interface ThresholdMetrics {
  readonly threshold: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  readonly trueNegatives: number;
  /** 0 when nothing reaches the threshold (no flagged turn can be right). */
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** Share of satisfied turns at or over the threshold: false escalations. */
  readonly falsePositiveRate: number;
}

/**
 * ROC AUC: the probability that a random dissatisfied turn scores higher than a random satisfied
 * one, ties counting half (Mann–Whitney U). 1 is perfect separation, 0.5 is chance.
 * @returns NaN when either class is empty (the AUC is undefined there)
 */
export function rocAuc(turns: readonly ScoredTurn[]): number {
  const positives = turns.filter((turn) => turn.positive).length;
  const negatives = turns.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  // Rank-sum with average ranks for ties: O(n log n) instead of comparing every pair.
  const sorted = [...turns].sort((a, b) => a.score - b.score);
  let positiveRankSum = 0;
  for (let start = 0; start < sorted.length; ) {
    let end = start;
    while (end < sorted.length && sorted[end]!.score === sorted[start]!.score) end++;
    const averageRank = (start + 1 + end) / 2;
    for (let i = start; i < end; i++) if (sorted[i]!.positive) positiveRankSum += averageRank;
    start = end;
  }
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Precision, recall and F1 of flagging every turn whose score is at or over `threshold`. */
export function metricsAt(turns: readonly ScoredTurn[], threshold: number): ThresholdMetrics {
  let truePositives = 0;
  let falsePositives = 0;
  let falseNegatives = 0;
  let trueNegatives = 0;
  for (const turn of turns) {
    const flagged = turn.score >= threshold;
    if (turn.positive && flagged) truePositives++;
    else if (turn.positive) falseNegatives++;
    else if (flagged) falsePositives++;
    else trueNegatives++;
  }
  const precision = ratio(truePositives, truePositives + falsePositives);
  const recall = ratio(truePositives, truePositives + falseNegatives);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return {
    threshold,
    truePositives,
    falsePositives,
    falseNegatives,
    trueNegatives,
    precision,
    recall,
    f1,
    falsePositiveRate: ratio(falsePositives, falsePositives + trueNegatives),
  };
}

/**
 * The threshold with the best F1 among the observed scores (the lowest one on a tie, so more
 * dissatisfied customers are caught). Turns with no dissatisfied example give F1 0 everywhere.
 */
export function bestF1Threshold(turns: readonly ScoredTurn[]): ThresholdMetrics {
  const candidates = [...new Set(turns.map((turn) => turn.score))].sort((a, b) => a - b);
  let best = metricsAt(turns, Number.POSITIVE_INFINITY);
  for (const threshold of candidates) {
    const metrics = metricsAt(turns, threshold);
    if (metrics.f1 > best.f1) best = metrics;
  }
  return best;
}

function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}
