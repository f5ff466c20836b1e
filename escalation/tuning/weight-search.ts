/**
 * Searches frustration weights: coordinate ascent on a 0.01 grid (so the weights that are
 * evaluated are exactly the ones that would ship, rounded to 2 decimals), restarted from
 * seeded random points. Deterministic for a seed and an evaluation budget.
 */
import type { FrustrationWeights } from '../frustration-meter';
import { seededRandom } from '../../core/seeded-random';

export type WeightName = keyof FrustrationWeights;

export interface WeightRange {
  readonly min: number;
  readonly max: number;
}

/**
 * What the search may change, and within which bounds. `timeElapsed` and `repeatContact` are not
 * searched: recorded chats carry neither timestamps nor a customer's earlier contacts, so the
 * data says nothing about them. Signal weights keep a floor of 0.01 so every signal still shows
 * up as a reason agents can read.
 */
export const SEARCH_RANGES: Readonly<Partial<Record<WeightName, WeightRange>>> = {
  decay: { min: 0.5, max: 0.9 },
  negativeSentiment: { min: 0.01, max: 0.6 },
  anger: { min: 0.01, max: 0.6 },
  failedTurn: { min: 0.01, max: 0.4 },
  repeatedIntent: { min: 0.01, max: 0.5 },
  rephrasedRequest: { min: 0.01, max: 0.5 },
  correction: { min: 0.01, max: 0.5 },
  curtReply: { min: 0.01, max: 0.5 },
  sarcasm: { min: 0.01, max: 0.6 },
  humanRequest: { min: 0.01, max: 0.6 },
  complaint: { min: 0.01, max: 0.6 },
};

export interface SearchOptions {
  readonly seed: number;
  /** Candidate weight sets to evaluate at most (repeats are remembered, not re-evaluated). */
  readonly maxEvaluations: number;
  /** A safety stop; the evaluation budget is what keeps runs reproducible. */
  readonly maxMilliseconds: number;
  /** Random restarts after the first climb from `start`. */
  readonly restarts: number;
  readonly ranges?: Readonly<Partial<Record<WeightName, WeightRange>>>;
}

export interface SearchResult {
  readonly weights: FrustrationWeights;
  readonly objective: number;
  readonly startObjective: number;
  readonly evaluations: number;
  readonly restartsRun: number;
  readonly stoppedBy: 'converged' | 'evaluations' | 'time';
  readonly milliseconds: number;
}

/** Step sizes tried on each coordinate, coarse to fine. */
const STEPS = [0.16, 0.08, 0.04, 0.02, 0.01];
/** An improvement smaller than this is noise from floating point, not a better weight set. */
const EPSILON = 1e-9;
const RANDOM_START_TRIES = 200;

/**
 * Maximises `objective` over the weights named in `ranges`, starting from `start` and then from
 * seeded random points. Candidates `allowed` rejects are never evaluated; `start` must be allowed.
 */
export function searchWeights(
  start: FrustrationWeights,
  objective: (weights: FrustrationWeights) => number,
  allowed: (weights: FrustrationWeights) => boolean,
  options: SearchOptions,
): SearchResult {
  const ranges = options.ranges ?? SEARCH_RANGES;
  const names = (Object.keys(ranges) as WeightName[]).filter((name) => ranges[name] !== undefined);
  const random = mulberry32(options.seed);
  const began = Date.now();
  const memo = new Map<string, number>();
  let stoppedBy: SearchResult['stoppedBy'] = 'converged';

  const evaluate = (weights: FrustrationWeights): number | undefined => {
    const key = names.map((name) => weights[name].toFixed(2)).join(',');
    const known = memo.get(key);
    if (known !== undefined) return known;
    if (memo.size >= options.maxEvaluations) {
      stoppedBy = 'evaluations';
      return undefined;
    }
    if (Date.now() - began > options.maxMilliseconds) {
      stoppedBy = 'time';
      return undefined;
    }
    const value = objective(weights);
    memo.set(key, value);
    return value;
  };

  if (!allowed(start)) throw new Error('the starting weights break a constraint the search must keep');
  const startObjective = evaluate(start);
  if (startObjective === undefined) throw new Error('the search budget does not allow a single evaluation');
  let best = { weights: start, objective: startObjective };
  let restartsRun = 0;

  for (let restart = 0; restart <= options.restarts && stoppedBy === 'converged'; restart++) {
    const from = restart === 0 ? start : randomAllowedPoint(start, names, ranges, random, allowed);
    if (!from) continue;
    if (restart > 0) restartsRun++;
    let current: FrustrationWeights = from;
    let currentObjective = evaluate(current);
    if (currentObjective === undefined) break;
    let improved = true;
    while (improved && stoppedBy === 'converged') {
      improved = false;
      for (const name of shuffled(names, random)) {
        const range = ranges[name]!;
        for (const step of STEPS) {
          let movedThisStep = false;
          for (const direction of [1, -1]) {
            const value = round2(Math.min(range.max, Math.max(range.min, current[name] + direction * step)));
            if (value === current[name]) continue;
            const candidate: FrustrationWeights = { ...current, [name]: value };
            if (!allowed(candidate)) continue;
            const candidateObjective = evaluate(candidate);
            if (candidateObjective === undefined) break;
            if (candidateObjective > currentObjective + EPSILON) {
              current = candidate;
              currentObjective = candidateObjective;
              improved = true;
              movedThisStep = true;
              break;
            }
          }
          if (movedThisStep || stoppedBy !== 'converged') break;
        }
        if (stoppedBy !== 'converged') break;
      }
    }
    if (currentObjective > best.objective + EPSILON) best = { weights: current, objective: currentObjective };
  }

  return { weights: best.weights, objective: best.objective, startObjective, evaluations: memo.size, restartsRun, stoppedBy, milliseconds: Date.now() - began };
}

function randomAllowedPoint(
  base: FrustrationWeights,
  names: readonly WeightName[],
  ranges: Readonly<Partial<Record<WeightName, WeightRange>>>,
  random: () => number,
  allowed: (weights: FrustrationWeights) => boolean,
): FrustrationWeights | undefined {
  for (let attempt = 0; attempt < RANDOM_START_TRIES; attempt++) {
    const point: Record<string, number> = { ...base };
    for (const name of names) {
      const range = ranges[name]!;
      point[name] = round2(range.min + random() * (range.max - range.min));
    }
    const candidate = point as unknown as FrustrationWeights;
    if (allowed(candidate)) return candidate;
  }
  return undefined;
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/** Weights as they would ship: two decimals. */
export function roundWeights(weights: FrustrationWeights): FrustrationWeights {
  return Object.fromEntries(Object.entries(weights).map(([name, value]) => [name, round2(value)])) as unknown as FrustrationWeights;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** The seeded PRNG searches use (mulberry32). */
export const mulberry32 = seededRandom;
