/** The trained intent model as plain data: what the model file holds and the classifier runs. */
import type { EmbeddingTable } from './embeddings';
import type { FeatureConfig, Vocabulary } from './features';

/** What training measured on its own held-out slice; kept in the model file for operators. */
export interface TrainingSummary {
  readonly trainedAt: string;
  readonly trainingRows: number;
  /** In-scope rows held out to fit the temperature and pick the threshold. */
  readonly calibrationRows: number;
  /** Held-out accuracy of the top intent, before the out-of-scope threshold. */
  readonly calibrationAccuracy: number;
  /** Held-out accuracy once answers below the threshold count as wrong. */
  readonly calibrationAccuracyWithThreshold: number;
  /** Out-of-scope rows (category `oos`) seen during training; they are never a class. */
  readonly outOfScopeRows: number;
  /** Share of those rows the threshold sends to `oos`; null when there were none. */
  readonly outOfScopeRecall: number | null;
  readonly trainSeconds: number;
}

export interface IntentModel {
  /** Intent names; column c of the weights is `labels[c]`. */
  readonly labels: readonly string[];
  readonly features: FeatureConfig;
  readonly vocabulary: Vocabulary;
  /**
   * Word vectors for the dense block (columns after the vocabulary's); null when the model has
   * none (`features.embeddingWeight` 0).
   */
  readonly embeddings: EmbeddingTable | null;
  /**
   * Feature-major 8-bit weights, `quantized[column * labels.length + c] * scale[column]`, one row
   * per vocabulary column then one per embedding dimension. Stored
   * as they are in the file, so a saved and loaded model predicts exactly what the trained one did.
   */
  readonly weights: QuantizedWeights;
  readonly bias: Float32Array;
  /** Softmax temperature fitted on held-out data. */
  readonly temperature: number;
  /** Top confidence below which the answer is `oos`. */
  readonly threshold: number;
  readonly summary: TrainingSummary;
}

/** 8-bit weights with one scale per feature row: a quarter of the size of float32. */
export interface QuantizedWeights {
  readonly scale: Float32Array;
  readonly quantized: Int8Array;
}

export function quantizeWeights(weights: Float32Array, rows: number, width: number): QuantizedWeights {
  const scale = new Float32Array(rows);
  const quantized = new Int8Array(rows * width);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let c = 0; c < width; c++) max = Math.max(max, Math.abs(weights[r * width + c]));
    scale[r] = max / 127;
    if (max === 0) continue;
    for (let c = 0; c < width; c++) quantized[r * width + c] = Math.round(weights[r * width + c] / scale[r]);
  }
  return { scale, quantized };
}

