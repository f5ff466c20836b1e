/**
 * The local intent classifier: TF-IDF word and character n-grams, a multi-class linear SVM,
 * temperature-calibrated confidences and an out-of-scope threshold.
 */
export { ALTERNATIVES, LinearIntentClassifier } from './classifier';
export {
  DEFAULT_INTENT_MODEL_DIR,
  ensureIntentModel,
  projectRoot,
  SHIPPED_TRAINING_FILE_NAMES,
  shippedTrainingFiles,
  type EnsureIntentModelOptions,
  type IntentModelLogger,
} from './ensure-model';
export {
  assignFolds,
  crossValidateIntentModel,
  type ConfusedPair,
  type CrossValidationOptions,
  type CrossValidationReport,
  type FoldResult,
} from './cross-validation';
export { evaluateClassifier, type EvaluationReport, type EvaluationSummary, type IntentMetrics } from './evaluation';
export { DEFAULT_FEATURE_CONFIG, type FeatureConfig } from './features';
export type { IntentModel, TrainingSummary } from './model';
export { INTENT_MODEL_FILE, loadIntentModel, readIntentModel, saveIntentModel } from './model-file';
export { normalizeText, tokenize } from './normalize';
export { trainIntentModel, type TrainOptions } from './train';
export { parseLabelledCsv, readLabelledCsv, readLabelledCsvFiles, type LabelledText } from './training-data';
