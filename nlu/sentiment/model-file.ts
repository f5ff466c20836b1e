/**
 * The sentiment model on disk: one JSON file with the vocabulary, IDF weights, int8-quantised
 * weights (one scale per output), and the decision settings fitted on development data.
 * Anything that does not match the schema fails with ATTUNE_NLU_MODEL_INVALID.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AttuneError } from '../../core/errors';
import { FeatureSpace, RULE_FEATURES, type FeatureConfig } from './features';
import { LinearModel, OUTPUTS } from './linear-model';
import { MODEL_FILE_NAME } from './repo-paths';

export const MODEL_FORMAT = 'attune-sentiment';
export const MODEL_VERSION = 1;

/** How the analyser turns model probabilities and rule signals into a score and a class. */
export interface DecisionConfig {
  /** Share of the lexicon valence in the score (the model's P(pos) − P(neg) has the rest). */
  readonly lexiconWeight: number;
  /** How much each emphasis signal (intensifier, capitals, "!!!") stretches the score. */
  readonly emphasis: number;
  /** Exponent of (1 − P(neutral)) that shrinks the model's P(pos) − P(neg) (0 = no shrink). */
  readonly neutralShrink: number;
  /** Scores strictly between these two are neutral. */
  readonly neutralLow: number;
  readonly neutralHigh: number;
}

/** Where the model came from, for the README and the bench. */
export interface Provenance {
  readonly trainedOn: Readonly<Record<string, number>>;
  readonly inputsSha256: Readonly<Record<string, string>>;
  readonly devMacroF1: Readonly<Record<string, number>>;
}

export interface SentimentModel {
  readonly features: FeatureSpace;
  readonly linear: LinearModel;
  readonly decision: DecisionConfig;
  readonly provenance: Provenance;
}

const finite = z.number().refine(Number.isFinite, 'must be finite');

const fileSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  version: z.literal(MODEL_VERSION),
  features: z.object({
    wordMaxN: z.number().int().min(1).max(4),
    charMin: z.number().int().min(1).max(8),
    charMax: z.number().int().min(1).max(8),
    minDfWord: z.number().int().min(1),
    minDfChar: z.number().int().min(1),
    maxWordFeatures: z.number().int().min(0),
    maxCharFeatures: z.number().int().min(0),
    wordWeight: finite,
    charWeight: finite,
    ruleWeight: finite,
  }),
  ruleFeatures: z.array(z.string()),
  keys: z.array(z.string()),
  idf: z.string(),
  weightScales: z.array(finite).length(OUTPUTS),
  weights: z.string(),
  bias: z.array(finite).length(OUTPUTS),
  decision: z.object({
    lexiconWeight: finite.min(0).max(1),
    emphasis: finite.min(0).max(1),
    neutralShrink: finite.min(0).max(4),
    neutralLow: finite.min(-1).max(1),
    neutralHigh: finite.min(-1).max(1),
  }),
  provenance: z.object({
    trainedOn: z.record(z.string(), z.number()),
    inputsSha256: z.record(z.string(), z.string()),
    devMacroF1: z.record(z.string(), z.number()),
  }),
});

type ModelFile = z.infer<typeof fileSchema>;

function invalid(source: string, why: string, cause?: unknown): AttuneError {
  return new AttuneError('ATTUNE_NLU_MODEL_INVALID', `sentiment model ${source}: ${why}`, { cause });
}

function float32ToBase64(values: Float32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

function base64ToFloat32(text: string, length: number, source: string, what: string): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== length * 4) throw invalid(source, `${what} has ${bytes.length} bytes, expected ${length * 4}`);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i += 1) out[i] = bytes.readFloatLE(i * 4);
  if (!out.every(Number.isFinite)) throw invalid(source, `${what} holds a non-finite number`);
  return out;
}

/** Int8 quantisation with one scale per output: a quarter of the size, no measurable loss. */
function quantise(weights: Float32Array): { scales: number[]; data: string } {
  const scales = new Array<number>(OUTPUTS).fill(0);
  for (let at = 0; at < weights.length; at += 1) {
    const k = at % OUTPUTS;
    scales[k] = Math.max(scales[k], Math.abs(weights[at]));
  }
  for (let k = 0; k < OUTPUTS; k += 1) scales[k] = scales[k] === 0 ? 1 : Math.fround(scales[k] / 127);
  const data = Buffer.alloc(weights.length);
  for (let at = 0; at < weights.length; at += 1) data.writeInt8(Math.round(weights[at] / scales[at % OUTPUTS]), at);
  return { scales, data: data.toString('base64') };
}

function dequantise(text: string, scales: readonly number[], length: number, source: string): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== length) throw invalid(source, `weights have ${bytes.length} values, expected ${length}`);
  const out = new Float32Array(length);
  for (let at = 0; at < length; at += 1) out[at] = bytes.readInt8(at) * scales[at % OUTPUTS];
  return out;
}

/** Rounds the model's weights through the on-disk quantisation, so tuning sees what ships. */
export function asShipped(linear: LinearModel): LinearModel {
  const { scales, data } = quantise(linear.weights);
  return new LinearModel(linear.dimension, dequantise(data, scales, linear.weights.length, 'memory'), linear.bias);
}

export function serializeModel(model: SentimentModel): string {
  const { scales, data } = quantise(model.linear.weights);
  const file: ModelFile = {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    features: { ...model.features.config },
    ruleFeatures: [...RULE_FEATURES],
    keys: [...model.features.keys],
    idf: float32ToBase64(model.features.idf),
    weightScales: scales,
    weights: data,
    bias: Array.from(model.linear.bias),
    decision: { ...model.decision },
    provenance: {
      trainedOn: { ...model.provenance.trainedOn },
      inputsSha256: { ...model.provenance.inputsSha256 },
      devMacroF1: { ...model.provenance.devMacroF1 },
    },
  };
  // One key per line keeps diffs of a retrained model readable; the blobs stay on one line each.
  return `${JSON.stringify(file, null, 0).replace(/,"(?=[a-zA-Z]+":)/g, ',\n"')}\n`;
}

/** Parses and checks a model file's text; `source` names it in errors. */
export function parseModel(text: string, source: string): SentimentModel {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw invalid(source, 'is not JSON', cause);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) throw invalid(source, parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
  const file = parsed.data;
  if (file.ruleFeatures.join(',') !== RULE_FEATURES.join(',')) throw invalid(source, 'was trained with different rule features');
  if (file.decision.neutralLow > file.decision.neutralHigh) throw invalid(source, 'neutral band is inverted');
  if (new Set(file.keys).size !== file.keys.length) throw invalid(source, 'vocabulary has duplicate keys');
  const config: FeatureConfig = file.features;
  const features = new FeatureSpace(config, file.keys, base64ToFloat32(file.idf, file.keys.length, source, 'idf'));
  const weights = dequantise(file.weights, file.weightScales, features.dimension * OUTPUTS, source);
  const linear = new LinearModel(features.dimension, weights, Float32Array.from(file.bias));
  return { features, linear, decision: file.decision, provenance: file.provenance };
}

export async function readModelFile(dir: string): Promise<SentimentModel> {
  const file = path.join(dir, MODEL_FILE_NAME);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw invalid(file, 'cannot be read', cause);
  }
  return parseModel(text, file);
}

/** Writes atomically (temp file + rename) so a reader never sees half a model. */
export async function writeModelFile(dir: string, model: SentimentModel): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, MODEL_FILE_NAME);
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, serializeModel(model), 'utf8');
  await rename(temp, file);
  return file;
}
