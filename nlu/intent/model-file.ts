/**
 * Saves and loads the intent model as one binary file:
 *
 *   "ATTUNEIM" | u32 format version | u32 header length | header JSON (UTF-8) | payload
 *
 * The header says what the payload holds and carries its SHA-256. The payload is, in this order:
 * feature hashes (u32 × F), idf (f32 × F), weight scales (f32 × R), bias (f32 × K),
 * feature blocks (u8 × F), weights (i8 × R·K), word-vector hashes (u32 × E), word-vector scales
 * (f32 × E), word vectors (i8 × E·D); all little-endian. R = F + D weight rows (F n-gram columns,
 * then D embedding dimensions; D = 0 without word vectors). Loading checks everything and
 * fails with ATTUNE_NLU_MODEL_INVALID rather than serve a model that is not what was trained.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { AttuneError } from '../../core/errors';
import { LinearIntentClassifier } from './classifier';
import { CHAR_BLOCK } from './features';
import type { IntentModel } from './model';
import { NORMALIZER_VERSION } from './normalize';

export const INTENT_MODEL_FILE = 'intent-model.bin';
const MAGIC = Buffer.from('ATTUNEIM', 'ascii');
// 2: word-vector block (embedding table and its weight rows).
const FORMAT_VERSION = 2;
const PREAMBLE_BYTES = MAGIC.length + 8;

const ngramRange = z
  .tuple([z.number().int().min(0).max(6), z.number().int().min(0).max(6)])
  .readonly();

const headerSchema = z.object({
  normalizerVersion: z.literal(NORMALIZER_VERSION),
  labels: z.array(z.string().min(1)).min(2),
  featureCount: z.number().int().min(1),
  features: z.object({
    wordNgrams: ngramRange,
    charNgrams: ngramRange,
    charBlockWeight: z.number().nonnegative(),
    embeddingWeight: z.number().nonnegative(),
  }),
  /** Rows (words) and dimensions of the word-vector table; both 0 without one. */
  embeddingRows: z.number().int().nonnegative(),
  embeddingDimensions: z.number().int().nonnegative().max(1024),
  unknownIdf: z.number().positive(),
  temperature: z.number().positive(),
  threshold: z.number().min(0).max(1),
  payloadBytes: z.number().int().positive(),
  payloadSha256: z.string().regex(/^[0-9a-f]{64}$/),
  summary: z.object({
    trainedAt: z.string(),
    trainingRows: z.number().int().nonnegative(),
    calibrationRows: z.number().int().nonnegative(),
    calibrationAccuracy: z.number(),
    calibrationAccuracyWithThreshold: z.number(),
    outOfScopeRows: z.number().int().nonnegative(),
    outOfScopeRecall: z.number().nullable(),
    trainSeconds: z.number(),
  }),
});
type Header = z.infer<typeof headerSchema>;

function payloadBytes(features: number, classes: number, words: number, dimensions: number): number {
  const rows = features + dimensions;
  return features * 4 * 2 + rows * 4 + classes * 4 + features + rows * classes + words * (8 + dimensions);
}

function invalid(file: string, why: string, cause?: unknown): AttuneError {
  return new AttuneError(
    'ATTUNE_NLU_MODEL_INVALID',
    `intent model ${file}: ${why}`,
    cause === undefined ? undefined : { cause },
  );
}

/** Serialises a model to the bytes of an intent model file. */
export function encodeIntentModel(model: IntentModel): Buffer {
  const features = model.vocabulary.hashes.length;
  const classes = model.labels.length;
  const table = model.embeddings;
  const words = table ? table.hashes.length : 0;
  const dimensions = table ? table.dimensions : 0;
  const payload = Buffer.alloc(payloadBytes(features, classes, words, dimensions));
  let at = 0;
  for (const part of [
    model.vocabulary.hashes,
    model.vocabulary.idf,
    model.weights.scale,
    model.bias,
    model.vocabulary.blocks,
    model.weights.quantized,
    ...(table ? [table.hashes, table.scale, table.quantized] : []),
  ]) {
    const bytes = Buffer.from(part.buffer, part.byteOffset, part.byteLength);
    bytes.copy(payload, at);
    at += bytes.length;
  }
  const header: Header = {
    normalizerVersion: NORMALIZER_VERSION,
    labels: [...model.labels],
    featureCount: features,
    features: model.features,
    unknownIdf: model.vocabulary.unknownIdf,
    embeddingRows: words,
    embeddingDimensions: dimensions,
    temperature: model.temperature,
    threshold: model.threshold,
    payloadBytes: payload.length,
    payloadSha256: createHash('sha256').update(payload).digest('hex'),
    summary: model.summary,
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const preamble = Buffer.alloc(PREAMBLE_BYTES);
  MAGIC.copy(preamble, 0);
  preamble.writeUInt32LE(FORMAT_VERSION, MAGIC.length);
  preamble.writeUInt32LE(headerBytes.length, MAGIC.length + 4);
  return Buffer.concat([preamble, headerBytes, payload]);
}

// Copies, so each typed array is aligned and owns its memory.
function take<T>(payload: Buffer, at: number, bytes: number, make: (buffer: ArrayBuffer) => T): T {
  const copy = new ArrayBuffer(bytes);
  new Uint8Array(copy).set(payload.subarray(at, at + bytes));
  return make(copy);
}

/** Parses the bytes of an intent model file; `file` only names it in errors. */
export function decodeIntentModel(bytes: Buffer, file = INTENT_MODEL_FILE): IntentModel {
  if (bytes.length < PREAMBLE_BYTES || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw invalid(file, 'not an attune intent model (bad magic bytes)');
  }
  const version = bytes.readUInt32LE(MAGIC.length);
  if (version !== FORMAT_VERSION) throw invalid(file, `format version ${version}, expected ${FORMAT_VERSION}`);
  const headerLength = bytes.readUInt32LE(MAGIC.length + 4);
  if (PREAMBLE_BYTES + headerLength > bytes.length) throw invalid(file, 'truncated header');
  let header: Header;
  try {
    const json: unknown = JSON.parse(bytes.subarray(PREAMBLE_BYTES, PREAMBLE_BYTES + headerLength).toString('utf8'));
    header = headerSchema.parse(json);
  } catch (error) {
    throw invalid(file, `bad header (${(error as Error).message.slice(0, 300)})`, error);
  }
  const payload = bytes.subarray(PREAMBLE_BYTES + headerLength);
  const features = header.featureCount;
  const classes = header.labels.length;
  const words = header.embeddingRows;
  const dimensions = header.embeddingDimensions;
  if (new Set(header.labels).size !== classes) throw invalid(file, 'duplicate intent labels');
  if ((words === 0) !== (dimensions === 0) || (dimensions > 0) !== (header.features.embeddingWeight > 0)) {
    throw invalid(file, 'word-vector table does not match the feature configuration');
  }
  const expected = payloadBytes(features, classes, words, dimensions);
  if (payload.length !== header.payloadBytes || payload.length !== expected) {
    throw invalid(file, `payload is ${payload.length} bytes, expected ${expected}`);
  }
  if (createHash('sha256').update(payload).digest('hex') !== header.payloadSha256) {
    throw invalid(file, 'payload checksum mismatch (file corrupted)');
  }
  let at = 0;
  const next = <T>(n: number, make: (buffer: ArrayBuffer) => T): T => {
    const value = take(payload, at, n, make);
    at += n;
    return value;
  };
  const hashes = next(features * 4, (b) => new Uint32Array(b));
  const idf = next(features * 4, (b) => new Float32Array(b));
  const scale = next((features + dimensions) * 4, (b) => new Float32Array(b));
  const bias = next(classes * 4, (b) => new Float32Array(b));
  const blocks = next(features, (b) => new Uint8Array(b));
  const quantized = next((features + dimensions) * classes, (b) => new Int8Array(b));
  const wordHashes = next(words * 4, (b) => new Uint32Array(b));
  const wordScale = next(words * 4, (b) => new Float32Array(b));
  const vectors = next(words * dimensions, (b) => new Int8Array(b));
  for (const array of [idf, scale, bias, wordScale]) {
    if (!array.every(Number.isFinite)) throw invalid(file, 'non-finite numbers in the payload');
  }
  if (!blocks.every((b) => b <= CHAR_BLOCK)) throw invalid(file, 'unknown feature block');
  return {
    labels: header.labels,
    features: header.features,
    vocabulary: { hashes, blocks, idf, unknownIdf: header.unknownIdf },
    embeddings: dimensions > 0 ? { dimensions, hashes: wordHashes, scale: wordScale, quantized: vectors } : null,
    weights: { scale, quantized },
    bias,
    temperature: header.temperature,
    threshold: header.threshold,
    summary: header.summary,
  };
}

/**
 * Writes `model` to `<dir>/intent-model.bin`, creating `dir`. The file is written aside and
 * renamed into place, so a process loading it at the same time never sees half a model.
 */
export async function saveIntentModel(model: IntentModel, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, INTENT_MODEL_FILE);
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, encodeIntentModel(model));
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return file;
}

/** Reads and validates `<dir>/intent-model.bin`. Fails with ATTUNE_NLU_MODEL_INVALID. */
export async function readIntentModel(dir: string): Promise<IntentModel> {
  const file = join(dir, INTENT_MODEL_FILE);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw invalid(file, `cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, error);
  }
  return decodeIntentModel(bytes, file);
}

/** Loads the model in `dir` as a ready classifier. Fails with ATTUNE_NLU_MODEL_INVALID. */
export async function loadIntentModel(dir: string): Promise<LinearIntentClassifier> {
  return new LinearIntentClassifier(await readIntentModel(dir));
}
