/**
 * Training entry point for the shipped sentiment model. Trains ONLY on GoEmotions (Apache 2.0) and
 * the project's own examples; every choice (band, lexicon share, emphasis, neutral shrink) is fitted on
 * GoEmotions dev plus out-of-fold scores of our own examples — never on the airline tweets. The
 * shipped model is then retrained on GoEmotions train + dev and all our examples.
 * Deterministic: the same inputs give a byte-identical model file.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { blendScore } from './analyzer';
import { datasetsDir, loadGoEmotions, loadOwnExamples, type LabelledText } from './datasets';
import { DEFAULT_FEATURE_CONFIG, FeatureSpace, readMessage, type FeatureConfig, type MessageReading, type SparseVector } from './features';
import {
  CUES,
  DEFAULT_TRAINER_CONFIG,
  POLARITIES,
  trainLinearModel,
  type LinearModel,
  type Polarity,
  type TrainerConfig,
  type TrainingExample,
} from './linear-model';
import { asShipped, type DecisionConfig, type SentimentModel } from './model-file';
import { ownExamplesFile } from './repo-paths';
import type { RuleSignals } from './rules';

export interface TrainOptions {
  /** Folder with GoEmotions `train.tsv`, `dev.tsv`, `emotions.txt`. Default: the shared datasets. */
  readonly goEmotionsDir?: string;
  readonly ownExamplesFile?: string;
  readonly features?: Partial<FeatureConfig>;
  readonly trainer?: Partial<TrainerConfig>;
  /** How much one of our own examples counts against one GoEmotions comment. */
  readonly ownWeight?: number;
  /** GoEmotions says nothing about urgency; its comments count this much as "not urgent". */
  readonly goUrgencyWeight?: number;
  /** Progress lines (the CLI prints them; library callers may ignore them). */
  readonly log?: (line: string) => void;
}

export interface TrainResult {
  readonly model: SentimentModel;
  readonly seconds: number;
}

const DEFAULTS = { ownWeight: 6, goUrgencyWeight: 0.2 };
const LEXICON_WEIGHTS = [0, 0.1, 0.2, 0.3, 0.4];
const EMPHASIS_STEPS = [0, 0.1, 0.2];
const NEUTRAL_SHRINKS = [0, 0.5, 1, 1.5, 2];
const BAND_STEP = 0.02;

interface Row extends LabelledText {
  readonly own: boolean;
}

/** Stable two-way split of our own examples, by text hash. */
function foldOf(text: string): 0 | 1 {
  return (createHash('sha256').update(text).digest()[0] & 1) as 0 | 1;
}

async function sha256Of(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

function toExample(row: Row, x: TrainingExample['x'], ownWeight: number, goUrgencyWeight: number): TrainingExample {
  const cues = new Uint8Array(CUES.length);
  const cueWeights = new Float32Array(CUES.length);
  CUES.forEach((cue, c) => {
    cues[c] = row.cues?.has(cue) ? 1 : 0;
    cueWeights[c] = row.own ? ownWeight : cue === 'urgency' ? goUrgencyWeight : 1;
  });
  return { x, polarity: POLARITIES.indexOf(row.polarity), cues, weight: row.own ? ownWeight : 1, cueWeights };
}

/** One training text, read and vectorised once and shared by every model trained below. */
interface Prepared {
  readonly row: Row;
  readonly reading: MessageReading;
  readonly x: SparseVector;
}

function train(items: readonly Prepared[], dimension: number, options: TrainOptions): LinearModel {
  const ownWeight = options.ownWeight ?? DEFAULTS.ownWeight;
  const goUrgencyWeight = options.goUrgencyWeight ?? DEFAULTS.goUrgencyWeight;
  const examples = items.map((item) => toExample(item.row, item.x, ownWeight, goUrgencyWeight));
  return asShipped(trainLinearModel(examples, dimension, { ...DEFAULT_TRAINER_CONFIG, ...options.trainer }));
}

interface Scored {
  readonly gold: Polarity;
  readonly polarity: readonly number[];
  readonly signals: RuleSignals;
}

function score(items: readonly Prepared[], linear: LinearModel): Scored[] {
  return items.map((item) => ({ gold: item.row.polarity, polarity: linear.predict(item.x).polarity, signals: item.reading.signals }));
}

/** Macro-F1 of the band decision, without allocating: it runs for every point of the grid. */
function bandMacroF1(gold: Int8Array, scores: Float64Array, low: number, high: number): number {
  const tp = [0, 0, 0];
  const predicted = [0, 0, 0];
  const actual = [0, 0, 0];
  for (let i = 0; i < gold.length; i += 1) {
    const p = scores[i] <= low ? 0 : scores[i] >= high ? 2 : 1;
    predicted[p] += 1;
    actual[gold[i]] += 1;
    if (p === gold[i]) tp[p] += 1;
  }
  let sum = 0;
  for (let k = 0; k < 3; k += 1) sum += predicted[k] + actual[k] === 0 ? 0 : (2 * tp[k]) / (predicted[k] + actual[k]);
  return sum / 3;
}

/**
 * Fits the lexicon share, emphasis and neutral band that maximise the mean of the macro-F1 on
 * GoEmotions dev and on our out-of-fold examples (each set counts the same, whatever its size).
 */
export function fitDecision(goDev: readonly Scored[], ownDev: readonly Scored[]): { decision: DecisionConfig; f1: Record<string, number> } {
  const goGold = Int8Array.from(goDev, (s) => POLARITIES.indexOf(s.gold));
  const ownGold = Int8Array.from(ownDev, (s) => POLARITIES.indexOf(s.gold));
  let best = { objective: -1, decision: { lexiconWeight: 0, emphasis: 0, neutralShrink: 0, neutralLow: -0.2, neutralHigh: 0.2 }, go: 0, own: 0 };
  for (const neutralShrink of NEUTRAL_SHRINKS) for (const lexiconWeight of LEXICON_WEIGHTS) {
    for (const emphasis of EMPHASIS_STEPS) {
      const probe: DecisionConfig = { lexiconWeight, emphasis, neutralShrink, neutralLow: 0, neutralHigh: 0 };
      const goScores = Float64Array.from(goDev, (s) => blendScore(s.polarity, s.signals, probe));
      const ownScores = Float64Array.from(ownDev, (s) => blendScore(s.polarity, s.signals, probe));
      for (let i = 0; i <= 45; i += 1) {
        const low = Math.round((-0.8 + i * BAND_STEP) * 100) / 100;
        for (let j = 0; j <= 45; j += 1) {
          const high = Math.round((-0.1 + j * BAND_STEP) * 100) / 100;
          if (high <= low) continue;
          const go = bandMacroF1(goGold, goScores, low, high);
          const own = ownDev.length === 0 ? go : bandMacroF1(ownGold, ownScores, low, high);
          const objective = (go + own) / 2;
          if (objective > best.objective + 1e-12) {
            best = { objective, decision: { lexiconWeight, emphasis, neutralShrink, neutralLow: low, neutralHigh: high }, go, own };
          }
        }
      }
    }
  }
  return { decision: best.decision, f1: { goemotionsDev: round4(best.go), ownOutOfFold: round4(best.own) } };
}

function round4(value: number): number {
  return Math.round(value * 10000) / 10000;
}

/** Trains the sentiment model from GoEmotions and our own examples (see the module comment). */
export async function trainSentimentModel(options: TrainOptions = {}): Promise<TrainResult> {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const goDir = options.goEmotionsDir ?? path.join(datasetsDir(), 'goemotions');
  const ownFile = options.ownExamplesFile ?? ownExamplesFile();
  const [goTrain, goDev, own] = await Promise.all([loadGoEmotions(goDir, 'train'), loadGoEmotions(goDir, 'dev'), loadOwnExamples(ownFile)]);
  log(`data: GoEmotions train ${goTrain.length}, dev ${goDev.length}; own ${own.length}`);

  // Vocabulary and IDF are label-free statistics: fitting them once on every training text keeps
  // training within its time budget, and the tuning models then share the shipped feature space.
  const rows: Row[] = [
    ...goTrain.map((r) => ({ ...r, own: false })),
    ...goDev.map((r) => ({ ...r, own: false })),
    ...own.map((r) => ({ ...r, own: true })),
  ];
  const readings = rows.map((row) => readMessage(row.text));
  const features = FeatureSpace.fit(readings, { ...DEFAULT_FEATURE_CONFIG, ...options.features });
  const prepared: Prepared[] = rows.map((row, i) => ({ row, reading: readings[i], x: features.vectorize(readings[i]) }));
  const goTrainItems = prepared.slice(0, goTrain.length);
  const goDevItems = prepared.slice(goTrain.length, goTrain.length + goDev.length);
  const ownItems = prepared.slice(goTrain.length + goDev.length);
  const folds = [0, 1].map((fold) => ownItems.filter((item) => foldOf(item.row.text) === fold));
  log(`features: ${features.dimension}, ${((performance.now() - started) / 1000).toFixed(1)} s`);

  // Two-fold cross-fitting: each tuning model sees GoEmotions train and one half of our examples
  // and scores the other half, so every one of our examples is scored out of sample.
  const tuningA = train([...goTrainItems, ...folds[0]], features.dimension, options);
  const tuningB = train([...goTrainItems, ...folds[1]], features.dimension, options);
  log(`tuning models trained, ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const { decision, f1 } = fitDecision(score(goDevItems, tuningA), [...score(folds[1], tuningA), ...score(folds[0], tuningB)]);
  log(`decision: ${JSON.stringify(decision)}; dev macro-F1 ${JSON.stringify(f1)}`);

  const final = { features, linear: train(prepared, features.dimension, options) };
  const seconds = (performance.now() - started) / 1000;
  log(`final model trained, ${seconds.toFixed(1)} s total`);

  return {
    seconds,
    model: {
      features: final.features,
      linear: final.linear,
      decision,
      provenance: {
        trainedOn: { goemotionsTrain: goTrain.length, goemotionsDev: goDev.length, ownExamples: own.length },
        inputsSha256: {
          'goemotions/train.tsv': await sha256Of(path.join(goDir, 'train.tsv')),
          'goemotions/dev.tsv': await sha256Of(path.join(goDir, 'dev.tsv')),
          'nlu/data/sentiment-examples.tsv': await sha256Of(ownFile),
        },
        devMacroF1: f1,
      },
    },
  };
}
