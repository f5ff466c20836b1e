/** Classifies one message with a trained linear intent model. */
import { OUT_OF_SCOPE, type IntentClassifier, type IntentPrediction, type IntentScore } from '../types';
import { softmax } from './calibration';
import { EmbeddingIndex } from './embeddings';
import { ColumnIndex, extractNgrams, vectorize } from './features';
import type { IntentModel } from './model';

/** How many intents `alternatives` lists. */
export const ALTERNATIVES = 5;

export class LinearIntentClassifier implements IntentClassifier {
  private readonly columns: ColumnIndex;
  private readonly embeddings: EmbeddingIndex | null;
  // Reused between calls: classify is synchronous, so no two calls share them at once.
  private readonly scores: Float64Array;
  private readonly probabilities: Float64Array;

  constructor(readonly model: IntentModel) {
    if (!model) throw new Error('[LinearIntentClassifier]: Missing parameter. model is required');
    this.columns = new ColumnIndex(model.vocabulary);
    this.embeddings = model.embeddings ? new EmbeddingIndex(model.embeddings) : null;
    this.scores = new Float64Array(model.labels.length);
    this.probabilities = new Float64Array(model.labels.length);
  }

  /**
   * Raw linear scores, one per label, for calibration and evaluation. The array is reused by the
   * next call: copy it to keep it.
   */
  scoreText(text: string): Float64Array {
    return this.score(text).scores;
  }

  /** Scores, and whether the message had any n-gram the model knows. */
  private score(text: string): { scores: Float64Array; known: boolean } {
    const { model, scores } = this;
    const { quantized, scale } = model.weights;
    const classes = model.labels.length;
    const vector = vectorize(
      extractNgrams(text, model.features),
      model.vocabulary,
      this.columns,
      model.features,
      this.embeddings,
    );
    scores.set(model.bias);
    // The 8-bit weights are read as they are stored: a message's rows then span a quarter of the
    // memory a dequantized copy would, which counts once other turns have evicted them from the
    // CPU caches. Math.fround(q × scale) is exactly the float32 weight that copy would hold.
    for (let k = 0; k < vector.indices.length; k++) {
      const column = vector.indices[k];
      const base = column * classes;
      const rowScale = scale[column];
      const v = vector.values[k];
      for (let c = 0; c < classes; c++) scores[c] += Math.fround(quantized[base + c] * rowScale) * v;
    }
    // Known means a known n-gram: the word-vector block (last columns) alone does not count.
    return { scores, known: vector.indices.length > 0 && vector.indices[0] < model.vocabulary.hashes.length };
  }

  /**
   * The best intent with its calibrated confidence and the top alternatives. When the confidence
   * is below the model's threshold, or the message has no n-gram the model has ever seen, the
   * intent is `oos`; `confidence` and `alternatives` still describe the best guesses.
   */
  classify(text: string): IntentPrediction {
    const { model, probabilities } = this;
    const { scores, known } = this.score(text);
    softmax(scores, model.temperature, probabilities);
    const alternatives = topScores(probabilities, model.labels, ALTERNATIVES);
    const best = alternatives[0];
    return {
      intent: known && best.confidence >= model.threshold ? best.intent : OUT_OF_SCOPE,
      confidence: best.confidence,
      alternatives,
    };
  }
}

function topScores(probabilities: Float64Array, labels: readonly string[], k: number): IntentScore[] {
  const top: IntentScore[] = [];
  for (let c = 0; c < probabilities.length; c++) {
    const p = probabilities[c];
    if (top.length === k && p <= top[k - 1].confidence) continue;
    let at = top.length === k ? k - 1 : top.length;
    while (at > 0 && top[at - 1].confidence < p) at--;
    top.splice(at, 0, { intent: labels[c], confidence: p });
    if (top.length > k) top.pop();
  }
  return top;
}
