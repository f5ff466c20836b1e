import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_FRUSTRATION_WEIGHTS, FrustrationMeter, CALM, type FrustrationWeights } from '../../escalation/frustration-meter';
import { behaviouralViolations } from '../../escalation/tuning/behaviour-constraints';
import { pairedBootstrap, scoreConversations, type DomainScoredTurn, type ObservedConversation } from '../../escalation/tuning/frustration-evaluation';
import {
  DOMAINS,
  everDissatisfied,
  parseLabelledConversations,
  splitTuneTest,
  userTurns,
  type LabelledConversation,
} from '../../escalation/tuning/labelled-conversations';
import { bestF1Threshold, metricsAt, rocAuc, type ScoredTurn } from '../../escalation/tuning/separation';
import { tunedIsBetter, type WeightsComparison } from '../../escalation/tuning/tune-weights';
import { mulberry32, searchWeights } from '../../escalation/tuning/weight-search';
import type { Understanding } from '../../nlu/types';

const LABELLED_FILE = path.join(__dirname, '..', '..', 'escalation', 'data', 'frustration-labelled.jsonl');
const settings = { frustrationThreshold: 0.7, failedTurnsToEscalate: 3 };

const turns = (positives: readonly number[], negatives: readonly number[]): ScoredTurn[] => [
  ...positives.map((score) => ({ score, positive: true })),
  ...negatives.map((score) => ({ score, positive: false })),
];

describe('separation metrics', () => {
  it('gives AUC 1 for perfect separation, 0 when reversed and 0.5 when everything ties', () => {
    expect(rocAuc(turns([0.9, 0.8], [0.3, 0.1, 0.2]))).toBe(1);
    expect(rocAuc(turns([0.1, 0.2], [0.8, 0.9, 0.7]))).toBe(0);
    expect(rocAuc(turns([0.5, 0.5], [0.5, 0.5, 0.5]))).toBe(0.5);
  });

  it('counts each pair once and a tie between the classes as half', () => {
    // Pairs: 0.9>0.5, 0.9>0.1, 0.4<0.5, 0.4>0.1 → 3 of 4.
    expect(rocAuc(turns([0.9, 0.4], [0.5, 0.1]))).toBe(0.75);
    // Pairs: 0.5=0.5 (half), 0.5>0.2 → 1.5 of 2.
    expect(rocAuc(turns([0.5], [0.5, 0.2]))).toBe(0.75);
  });

  it('has no AUC without both satisfied and dissatisfied turns', () => {
    expect(rocAuc(turns([0.3, 0.9], []))).toBeNaN();
    expect(rocAuc(turns([], [0.3]))).toBeNaN();
  });

  it('computes precision, recall, F1 and false escalations of score ≥ threshold', () => {
    const metrics = metricsAt(turns([0.8, 0.7, 0.3], [0.75, 0.2]), 0.7);
    expect(metrics).toMatchObject({ truePositives: 2, falsePositives: 1, falseNegatives: 1, trueNegatives: 1, falsePositiveRate: 0.5 });
    expect(metrics.precision).toBeCloseTo(2 / 3, 10);
    expect(metrics.recall).toBeCloseTo(2 / 3, 10);
    expect(metrics.f1).toBeCloseTo(2 / 3, 10);
  });

  it('scores nothing flagged as precision 0 and F1 0 rather than NaN', () => {
    expect(metricsAt(turns([0.2], [0.1]), 0.7)).toMatchObject({ truePositives: 0, precision: 0, recall: 0, f1: 0 });
  });

  it('finds the threshold with the best F1', () => {
    const best = bestF1Threshold(turns([0.8, 0.7, 0.3], [0.75, 0.2]));
    expect(best.threshold).toBe(0.3);
    expect(best.f1).toBeCloseTo(6 / 7, 10);
  });

  it('prefers the lower threshold when two give the same F1, to catch more unhappy customers', () => {
    // F1 is 2/3 both at 0.2 (everything flagged) and at 0.9 (only the top turn).
    expect(bestF1Threshold(turns([0.9, 0.2], [0.5, 0.4])).threshold).toBe(0.2);
  });
});

function conversation(id: string, domain: LabelledConversation['domain'], dissatisfied: readonly boolean[]): LabelledConversation {
  return { id, domain, turns: dissatisfied.flatMap((label, i) => [{ role: 'user' as const, text: `message ${i}`, dissatisfied: label }, { role: 'bot' as const, text: 'reply' }]) };
}

function syntheticSet(): LabelledConversation[] {
  const set: LabelledConversation[] = [];
  DOMAINS.forEach((domain, d) => {
    for (let i = 0; i < 10 + 3 * d; i++) set.push(conversation(`${domain}-${i}`, domain, [false, i % 3 === 0]));
  });
  return set;
}

const ids = (list: readonly LabelledConversation[]) => list.map((c) => c.id).sort();

describe('tune/test split', () => {
  it('is deterministic and does not depend on file order', () => {
    const set = syntheticSet();
    const first = splitTuneTest(set);
    const again = splitTuneTest(set);
    const reversed = splitTuneTest([...set].reverse());
    expect(ids(again.test)).toEqual(ids(first.test));
    expect(ids(reversed.test)).toEqual(ids(first.test));
    expect(ids(reversed.tune)).toEqual(ids(first.tune));
  });

  it('puts every conversation in exactly one part', () => {
    const set = syntheticSet();
    const { tune, test } = splitTuneTest(set);
    expect([...ids(tune), ...ids(test)].sort()).toEqual(ids(set));
  });

  it('keeps 40% of each domain, and of its unhappy conversations, for testing', () => {
    const set = syntheticSet();
    const { test } = splitTuneTest(set, 0.4);
    for (const domain of DOMAINS) {
      for (const unhappy of [false, true]) {
        const inStratum = (c: LabelledConversation) => c.domain === domain && everDissatisfied(c) === unhappy;
        expect([domain, unhappy, test.filter(inStratum).length]).toEqual([domain, unhappy, Math.round(set.filter(inStratum).length * 0.4)]);
      }
    }
  });

  it('refuses a test share that leaves one part empty', () => {
    expect(() => splitTuneTest(syntheticSet(), 1)).toThrow(RangeError);
    expect(() => splitTuneTest(syntheticSet(), 0)).toThrow(RangeError);
  });
});

describe('the labelled conversations file', () => {
  const text = readFileSync(LABELLED_FILE, 'utf8');
  const raw = text.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as { id: unknown; turns: { role: string; dissatisfied?: unknown }[] });

  it('labels every customer turn, and only customer turns', () => {
    const unlabelled = raw.flatMap((c) => c.turns.filter((t) => (t.role === 'user') !== (typeof t.dissatisfied === 'boolean')).map(() => c.id));
    expect(unlabelled).toEqual([]);
  });

  it('has unique ids and parses', () => {
    expect(new Set(raw.map((c) => c.id)).size).toBe(raw.length);
    expect(parseLabelledConversations(text)).toHaveLength(raw.length);
  });

  it('has about 240 conversations of 3 to 8 customer turns, at least a third outside banking', () => {
    const conversations = parseLabelledConversations(text);
    expect(conversations.length).toBeGreaterThanOrEqual(220);
    expect(conversations.filter((c) => userTurns(c).length < 3 || userTurns(c).length > 8).map((c) => c.id)).toEqual([]);
    expect(conversations.filter((c) => c.domain !== 'banking').length / conversations.length).toBeGreaterThanOrEqual(1 / 3);
  });

  it('has happy and unhappy conversations in every domain, so each can be measured', () => {
    const conversations = parseLabelledConversations(text);
    for (const domain of DOMAINS) {
      const inDomain = conversations.filter((c) => c.domain === domain);
      expect([domain, inDomain.some(everDissatisfied), inDomain.some((c) => !everDissatisfied(c))]).toEqual([domain, true, true]);
    }
  });
});

describe('parseLabelledConversations', () => {
  const good = JSON.stringify(conversation('a', 'retail', [false, true, false]));

  it('rejects an unlabelled customer turn, naming the line', () => {
    const unlabelled = JSON.stringify({ id: 'b', domain: 'retail', turns: [{ role: 'user', text: 'hi' }] });
    expect(() => parseLabelledConversations(`${good}\n${unlabelled}\n`)).toThrow(/line 2/);
  });

  it('rejects a duplicated id', () => {
    expect(() => parseLabelledConversations(`${good}\n\n${good}`)).toThrow(/id a already used on line 1/);
  });

  it('rejects a label on a bot turn and an unknown domain', () => {
    const labelledBot = JSON.stringify({ id: 'c', domain: 'retail', turns: [{ role: 'user', text: 'hi', dissatisfied: false }, { role: 'bot', text: 'hello', dissatisfied: false }] });
    const unknownDomain = JSON.stringify({ ...conversation('d', 'retail', [false]), domain: 'insurance' });
    expect(() => parseLabelledConversations(labelledBot)).toThrow(/line 1/);
    expect(() => parseLabelledConversations(unknownDomain)).toThrow(/domain/);
  });
});

describe('behaviour the search must keep', () => {
  it('holds for the shipped default weights', () => {
    expect(behaviouralViolations(DEFAULT_FRUSTRATION_WEIGHTS, settings)).toEqual([]);
  });

  it('catches weights that would upset a calm customer or let frustration linger', () => {
    expect(behaviouralViolations({ ...DEFAULT_FRUSTRATION_WEIGHTS, failedTurn: 0.35 }, settings)).toContain('a calm customer with one misunderstanding stays under 0.3');
    expect(behaviouralViolations({ ...DEFAULT_FRUSTRATION_WEIGHTS, decay: 0.9 }, settings)).toContain('three good turns halve frustration');
  });

  it('catches weights that would escalate a furious customer too early or too late', () => {
    expect(behaviouralViolations({ ...DEFAULT_FRUSTRATION_WEIGHTS, anger: 0.5 }, settings)).toContain('a furious customer is not escalated on the first message');
    expect(behaviouralViolations({ ...DEFAULT_FRUSTRATION_WEIGHTS, anger: 0.05, negativeSentiment: 0.05, failedTurn: 0.05 }, settings)).toContain(
      'a furious customer escalates on frustration before the third failure',
    );
  });
});

describe('searchWeights', () => {
  // A smooth toy objective with its peak at decay 0.62, anger 0.41.
  const toy = (w: FrustrationWeights) => -((w.decay - 0.62) ** 2) - (w.anger - 0.41) ** 2;
  const ranges = { decay: { min: 0.5, max: 0.9 }, anger: { min: 0.01, max: 0.6 } };
  const options = { seed: 7, maxEvaluations: 5000, maxMilliseconds: 60_000, restarts: 2, ranges };

  it('climbs to the best weights on the 0.01 grid, and only moves the weights it is given', () => {
    const result = searchWeights(DEFAULT_FRUSTRATION_WEIGHTS, toy, () => true, options);
    expect(result.weights).toEqual({ ...DEFAULT_FRUSTRATION_WEIGHTS, decay: 0.62, anger: 0.41 });
    expect(result.stoppedBy).toBe('converged');
  });

  it('gives the same answer for the same seed', () => {
    const bumpy = (w: FrustrationWeights) => Math.sin(w.decay * 40) + Math.cos(w.anger * 30);
    const first = searchWeights(DEFAULT_FRUSTRATION_WEIGHTS, bumpy, () => true, options);
    const again = searchWeights(DEFAULT_FRUSTRATION_WEIGHTS, bumpy, () => true, options);
    expect(again).toMatchObject({ weights: first.weights, objective: first.objective, evaluations: first.evaluations });
  });

  it('never evaluates weights the constraint rejects, and stays in range', () => {
    const seen: FrustrationWeights[] = [];
    const allowed = (w: FrustrationWeights) => w.anger <= 0.35;
    const result = searchWeights(DEFAULT_FRUSTRATION_WEIGHTS, (w) => (seen.push(w), toy(w)), allowed, options);
    expect(seen.filter((w) => !allowed(w) || w.decay < 0.5 || w.decay > 0.9)).toEqual([]);
    expect(result.weights.anger).toBe(0.35);
  });

  it('stops at the evaluation budget', () => {
    const result = searchWeights(DEFAULT_FRUSTRATION_WEIGHTS, toy, () => true, { ...options, maxEvaluations: 5 });
    expect(result).toMatchObject({ evaluations: 5, stoppedBy: 'evaluations' });
  });
});

function understood(intent: string, confidence: number, sentiment = 0, anger = 0): Understanding {
  return { intent: { intent, confidence, alternatives: [] }, entities: [], sentiment: { score: sentiment, cues: { anger, anxiety: 0, urgency: 0, confusion: 0, gratitude: 0 } } };
}

describe('scoreConversations', () => {
  const angry = { text: 'this is useless', understanding: understood('oos', 0.1, -0.8, 0.8), dissatisfied: true };
  const fine = { text: 'ok thanks', understanding: understood('thanks', 0.99, 0.9), dissatisfied: false };
  const observed: ObservedConversation[] = [
    { id: 'one', domain: 'travel', turns: [angry, angry, fine] },
    { id: 'two', domain: 'banking', turns: [angry] },
  ];

  it('replays the meter turn by turn, and starts every conversation calm', () => {
    const meter = new FrustrationMeter();
    const first = meter.perceive(CALM, angry);
    const second = meter.perceive(first.state, angry);
    const scored = scoreConversations(observed, DEFAULT_FRUSTRATION_WEIGHTS);
    expect(scored.map((t) => [t.conversationId, t.score, t.positive])).toEqual([
      ['one', first.perception.score, true],
      ['one', second.perception.score, true],
      ['one', meter.perceive(second.state, fine).perception.score, false],
      ['two', first.perception.score, true],
    ]);
  });
});

describe('comparing default and tuned weights on held-out data', () => {
  const scored = (scores: readonly number[]): DomainScoredTurn[] =>
    scores.map((score, i) => ({ score, positive: i % 2 === 0, conversationId: `c${Math.floor(i / 2)}`, domain: 'retail' }));

  it('gives an interval of exactly 0 when both weight sets score alike', () => {
    const same = scored([0.9, 0.1, 0.4, 0.5, 0.8, 0.2]);
    expect(pairedBootstrap(same, same, rocAuc, mulberry32(1), 200)).toEqual({ estimate: 0, low: 0, high: 0 });
  });

  it('shows a clear improvement as an interval above 0', () => {
    const before = scored([0.4, 0.6, 0.3, 0.5, 0.45, 0.7, 0.2, 0.25]);
    const after = scored([0.9, 0.1, 0.8, 0.2, 0.85, 0.3, 0.7, 0.6]);
    const interval = pairedBootstrap(before, after, rocAuc, mulberry32(1), 500);
    expect(interval.estimate).toBeGreaterThan(0.5);
    expect(interval.low).toBeGreaterThan(0);
  });

  const separationWith = (auc: number) => ({ turns: 10, dissatisfiedTurns: 3, auc, atThreshold: metricsAt([], 0.7), atBestThreshold: metricsAt([], 0.7) });
  const comparison = (tunedAll: number, tunedNonBanking: number): WeightsComparison => {
    const groups = (all: number, nonBanking: number) => ({
      all: separationWith(all),
      banking: separationWith(all),
      'non-banking': separationWith(nonBanking),
      retail: separationWith(nonBanking),
      telecom: separationWith(nonBanking),
      travel: separationWith(nonBanking),
    });
    return { default: groups(0.8, 0.8), tuned: groups(tunedAll, tunedNonBanking) };
  };

  it('adopts tuned weights only when they are better and rank no worse outside banking', () => {
    expect(tunedIsBetter(comparison(0.85, 0.82), { default: 1, tuned: 1.1 })).toBe(true);
    expect(tunedIsBetter(comparison(0.85, 0.79), { default: 1, tuned: 1.1 })).toBe(false);
    expect(tunedIsBetter(comparison(0.85, 0.82), { default: 1, tuned: 0.9 })).toBe(false);
  });
});
