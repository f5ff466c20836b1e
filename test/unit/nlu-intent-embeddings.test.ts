import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EMBEDDING_PACKAGE,
  EmbeddingIndex,
  buildEmbeddingTable,
  embedMessage,
  makeEmbeddingTable,
} from '../../nlu/intent/embeddings';
import {
  ColumnIndex,
  DEFAULT_FEATURE_CONFIG,
  WORD_BLOCK,
  extractNgrams,
  fitVocabulary,
  hashFeature,
  vectorize,
} from '../../nlu/intent/features';

const config = { ...DEFAULT_FEATURE_CONFIG, embeddingWeight: 0.5 };
const D = 4;
const VECTORS: Record<string, number[]> = {
  card: [1, 0, 0, 0],
  refund: [0, 1, 0, 0],
  reimbursement: [0, 0.9, 0.1, 0],
  where: [0, 0, 1, 0],
  my: [0, 0, 0, 1],
};

const table = makeEmbeddingTable(Object.entries(VECTORS), D);
const index = new EmbeddingIndex(table);
const messages = ['where is my card', 'i want a refund', 'refund my card'];
const vocabulary = fitVocabulary(messages.map((m) => extractNgrams(m, config)), 1);
const columns = new ColumnIndex(vocabulary);

function embed(text: string, weight = 1): { out: Float64Array; any: boolean } {
  const out = new Float64Array(D);
  const any = embedMessage(extractNgrams(text, config).unigrams, index, vocabulary, columns, weight, out);
  return { out, any };
}

const norm = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));

describe('word-vector table', () => {
  it('centres and quantises the vectors, keyed by the word-unigram hash', () => {
    expect(table.hashes.length).toBe(5);
    const row = index.get(hashFeature('card', WORD_BLOCK));
    expect(row).toBeGreaterThanOrEqual(0);
    const mean = [0.2, 0.38, 0.22, 0.2];
    for (let i = 0; i < D; i++) expect(index.vectors[row * D + i]).toBeCloseTo(VECTORS.card[i] - mean[i], 2);
    expect(index.get(hashFeature('unknown', WORD_BLOCK))).toBe(-1);
  });

  it('builds from the package file format, keeping wanted words first, then frequent ones', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'attune-embeddings-test-'));
    try {
      const file = join(dir, 'vectors.json');
      const words = ['the', 'Paris', 'card', 'refund', 'bank'];
      const vectors = Object.fromEntries(words.map((w, i) => [w, [i, 1, -i, 2, 9.5, i]]));
      await writeFile(file, JSON.stringify({ precision: 8, dimensions: D, words, vectors }));
      const built = buildEmbeddingTable(['refund', 'zzz'], 2, file);
      // refund (wanted), then the two most frequent lower-case words: the, card ("Paris" is skipped).
      expect(Array.from(built.hashes)).toEqual(['refund', 'the', 'card'].map((w) => hashFeature(w, WORD_BLOCK)));
      expect(built.dimensions).toBe(D);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails with ATTUNE_NLU_DATA_INVALID naming the package when the vectors cannot be read', () => {
    expect(() => buildEmbeddingTable(['card'], 10, '/nowhere/vectors.json')).toThrow(
      expect.objectContaining({ code: 'ATTUNE_NLU_DATA_INVALID', message: expect.stringContaining(EMBEDDING_PACKAGE) }),
    );
  });
});

describe('embedMessage', () => {
  it('gives the L2-normalised idf-weighted mean, scaled by the weight', () => {
    const { out, any } = embed('where my card', 0.5);
    expect(any).toBe(true);
    expect(norm(out)).toBeCloseTo(0.5, 6);
  });

  it('makes near-synonyms close', () => {
    const cos = (a: Float64Array, b: Float64Array) => a.reduce((s, x, i) => s + x * b[i], 0) / (norm(a) * norm(b));
    expect(cos(embed('a refund please').out, embed('a reimbursement please').out)).toBeGreaterThan(0.95);
    expect(cos(embed('a refund please').out, embed('my card please').out)).toBeLessThan(0.5);
  });

  it('weakens the block by the share of idf mass without a vector, and is empty with none', () => {
    expect(norm(embed('card qzxwv plokij').out)).toBeLessThan(0.5);
    const none = embed('qzxwv plokij');
    expect(none.any).toBe(false);
    expect(norm(none.out)).toBe(0);
  });

  it('vectorize appends the block after the n-gram columns', () => {
    const first = vocabulary.hashes.length;
    const v = vectorize(extractNgrams('refund my card', config), vocabulary, columns, config, index);
    const dense = Array.from(v.indices).map((c, i) => [c, v.values[i]] as const).filter(([c]) => c >= first);
    expect(dense.length).toBeGreaterThan(0);
    expect(dense.every(([c]) => c < first + D)).toBe(true);
    expect(norm(dense.map(([, x]) => x))).toBeCloseTo(0.5, 5);
    const without = vectorize(extractNgrams('refund my card', config), vocabulary, columns, config);
    expect(Array.from(without.indices).every((c) => c < first)).toBe(true);
  });
});
