/** The statistics experiment reports and the guardrail use: counts with intervals, not bare means. */

/** z for a two-sided 95% interval. */
export const Z_95 = 1.959964;
/** z for a one-sided test at 95% confidence. */
export const Z_ONE_SIDED_95 = 1.644854;

/** A rate with its count and Wilson score interval (honest at small n and at 0% or 100%). */
export interface Proportion {
  readonly successes: number;
  readonly trials: number;
  /** successes / trials; 0 when there are no trials. */
  readonly rate: number;
  readonly low: number;
  readonly high: number;
}

export function wilson(successes: number, trials: number, z = Z_95): Proportion {
  if (trials <= 0) return { successes: 0, trials: 0, rate: 0, low: 0, high: 1 };
  const p = successes / trials;
  const z2 = z * z;
  const centre = (p + z2 / (2 * trials)) / (1 + z2 / trials);
  const margin = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / (1 + z2 / trials);
  return { successes, trials, rate: p, low: Math.max(0, centre - margin), high: Math.min(1, centre + margin) };
}

/**
 * One-sided two-proportion z statistic for "the variant's rate is higher than control's" (pooled
 * standard error). Positive when the variant is worse on a bad-outcome rate.
 */
export function zHigherThan(variant: Pick<Proportion, 'successes' | 'trials'>, control: Pick<Proportion, 'successes' | 'trials'>): number {
  if (variant.trials === 0 || control.trials === 0) return 0;
  const pooled = (variant.successes + control.successes) / (variant.trials + control.trials);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / variant.trials + 1 / control.trials));
  if (se === 0) return 0;
  return (variant.successes / variant.trials - control.successes / control.trials) / se;
}
