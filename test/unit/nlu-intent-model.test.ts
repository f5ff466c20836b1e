import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAttuneError } from '../../core/errors';
import {
  DEFAULT_FEATURE_CONFIG,
  INTENT_MODEL_FILE,
  LinearIntentClassifier,
  ensureIntentModel,
  loadIntentModel,
  saveIntentModel,
  trainIntentModel,
  type IntentModel,
  type LabelledText,
} from '../../nlu/intent';
import { makeEmbeddingTable } from '../../nlu/intent/embeddings';
import { OUT_OF_SCOPE } from '../../nlu/types';

/** A few made-up word vectors: unit tests must not read the 294 MB vector package. */
const EMBEDDINGS = makeEmbeddingTable(
  ['card', 'account', 'rate', 'euros', 'dollars', 'hello', 'hi', 'close', 'delete', 'where', 'weather'].map(
    (word, i) => [word, Array.from({ length: 8 }, (_, d) => Math.sin(i * 7 + d * 3))] as const,
  ),
  8,
);
const TRAIN = {
  calibrationFraction: 0.2,
  features: { ...DEFAULT_FEATURE_CONFIG, embeddingWeight: 1 },
  embeddings: EMBEDDINGS,
};

/** A tiny but not trivial data set: four intents, varied wording, a few out-of-scope rows. */
function syntheticRows(): LabelledText[] {
  const intents: Record<string, { stems: string[]; objects: string[] }> = {
    card_arrival: {
      stems: ['where is my', 'I am still waiting for my', 'when will I get my', 'has my', 'I never received my'],
      objects: ['new card', 'card', 'debit card', 'card in the post', 'replacement card'],
    },
    exchange_rate: {
      stems: ['what is the exchange rate for', 'how much do I get converting to', 'what rate do you use for', 'current rate for', 'show me the conversion rate to'],
      objects: ['euros', 'dollars', 'yen', 'swiss francs', 'pounds'],
    },
    greeting: {
      stems: ['hello', 'hi', 'hey there', 'good morning', 'hiya'],
      objects: ['', 'bot', 'friend', 'team', 'again'],
    },
    terminate_account: {
      stems: ['please close my', 'I want to delete my', 'how do I cancel my', 'shut down my', 'terminate my'],
      objects: ['account', 'bank account', 'profile', 'membership', 'account for good'],
    },
  };
  const rows: LabelledText[] = [];
  for (const [category, { stems, objects }] of Object.entries(intents)) {
    for (const stem of stems) for (const object of objects) rows.push({ text: `${stem} ${object}`.trim(), category });
  }
  for (const text of ['what is the weather tomorrow', 'tell me a joke', 'who won the football']) {
    rows.push({ text, category: OUT_OF_SCOPE });
  }
  return rows;
}

const PROBES = [
  'where is my card',
  'I still have not received my new card',
  'what rate for euros',
  'hello there',
  'close my account please',
  'xqzv plmok wrtyu',
  '',
];

let model: IntentModel;
let dir: string;

beforeAll(() => {
  model = trainIntentModel(syntheticRows(), TRAIN);
});

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attune-intent-test-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('trainIntentModel', () => {
  it('learns the intents (oos rows are not a class)', () => {
    expect([...model.labels]).toEqual(['card_arrival', 'exchange_rate', 'greeting', 'terminate_account']);
    expect(model.summary.outOfScopeRows).toBe(3);
    expect(model.summary.trainingRows).toBe(100);
  });

  it('ranks the right intent first for unseen wordings, with calibrated alternatives', () => {
    const classifier = new LinearIntentClassifier(model);
    const cases: Array<[string, string]> = [
      ['my card still has not arrived', 'card_arrival'],
      ['when do I get my new card', 'card_arrival'],
      ['what is the rate for dollars today', 'exchange_rate'],
      ['hi bot', 'greeting'],
      ['I want to close my bank account', 'terminate_account'],
    ];
    let answered = 0;
    for (const [text, intent] of cases) {
      const prediction = classifier.classify(text);
      expect({ text, top: prediction.alternatives[0].intent }).toEqual({ text, top: intent });
      // Never a wrong guess: the answer is the right intent or "not sure".
      expect([intent, OUT_OF_SCOPE]).toContain(prediction.intent);
      if (prediction.intent === intent) answered++;
      expect(prediction.confidence).toBe(prediction.alternatives[0].confidence);
      const confidences = prediction.alternatives.map((a) => a.confidence);
      expect(confidences).toEqual([...confidences].sort((a, b) => b - a));
      expect(prediction.alternatives).toHaveLength(4);
      expect(confidences.reduce((s, c) => s + c, 0)).toBeCloseTo(1, 6);
    }
    expect(answered).toBeGreaterThanOrEqual(2);
  });

  it('sends gibberish and empty text to oos, still listing its best guesses', () => {
    const classifier = new LinearIntentClassifier(model);
    for (const text of ['xqzv plmok wrtyu', 'zzzzzz qqqq', '']) {
      const prediction = classifier.classify(text);
      expect({ text, intent: prediction.intent }).toEqual({ text, intent: OUT_OF_SCOPE });
      expect(prediction.confidence).toBeLessThan(model.threshold);
      expect(prediction.alternatives.length).toBeGreaterThan(0);
    }
    expect(model.threshold).toBeGreaterThan(1 / model.labels.length);
  });

  it('owes the oos answer for half-known gibberish to the threshold, and for unknown text to having no evidence', () => {
    const noThreshold = new LinearIntentClassifier({ ...model, threshold: 0 });
    // "xqzv plmok wrtyu" shares a few character n-grams with the training data …
    expect(noThreshold.classify('xqzv plmok wrtyu').intent).not.toBe(OUT_OF_SCOPE);
    // … text with no known n-gram at all is never a guess, whatever the threshold.
    expect(noThreshold.classify('zzzzzz qqqq').intent).toBe(OUT_OF_SCOPE);
    expect(noThreshold.classify('').intent).toBe(OUT_OF_SCOPE);
  });

  it('refuses data with fewer than two in-scope intents', () => {
    const rows = [
      { text: 'hello', category: 'greeting' },
      { text: 'weather', category: OUT_OF_SCOPE },
    ];
    expect(() => trainIntentModel(rows)).toThrow(expect.objectContaining({ code: 'ATTUNE_NLU_DATA_INVALID' }));
  });

  it('is deterministic: the same data gives the same model', () => {
    const again = trainIntentModel(syntheticRows(), TRAIN);
    expect(Buffer.from(again.weights.quantized.buffer).equals(Buffer.from(model.weights.quantized.buffer))).toBe(true);
    expect(again.threshold).toBe(model.threshold);
  });
});

describe('model file', () => {
  it('round-trips: the loaded model predicts exactly what the trained one does', async () => {
    const trained = new LinearIntentClassifier(model);
    await saveIntentModel(model, dir);
    const loaded = await loadIntentModel(dir);
    for (const text of PROBES) expect(loaded.classify(text)).toEqual(trained.classify(text));
    expect(loaded.model.threshold).toBe(model.threshold);
    expect(loaded.model.temperature).toBe(model.temperature);
  });

  it.each([
    ['a flipped payload byte', (b: Buffer) => { b[b.length - 10] ^= 0xff; }],
    ['bad magic bytes', (b: Buffer) => { b.write('NOTMODEL', 0, 'ascii'); }],
    ['a future format version', (b: Buffer) => { b.writeUInt32LE(99, 8); }],
    ['the old format version 1 (no word vectors)', (b: Buffer) => { b.writeUInt32LE(1, 8); }],
    ['a mangled header', (b: Buffer) => { b.write('}}}}', 20, 'ascii'); }],
  ])('rejects a file with %s (ATTUNE_NLU_MODEL_INVALID)', async (_what, corrupt) => {
    const file = await saveIntentModel(model, dir);
    const bytes = await readFile(file);
    corrupt(bytes);
    await writeFile(file, bytes);
    await expect(loadIntentModel(dir)).rejects.toMatchObject({ code: 'ATTUNE_NLU_MODEL_INVALID' });
  });

  it('rejects a truncated file and a missing one', async () => {
    const file = await saveIntentModel(model, dir);
    const bytes = await readFile(file);
    await writeFile(file, bytes.subarray(0, bytes.length - 100));
    await expect(loadIntentModel(dir)).rejects.toMatchObject({ code: 'ATTUNE_NLU_MODEL_INVALID' });
    await expect(loadIntentModel(join(dir, 'nowhere'))).rejects.toMatchObject({ code: 'ATTUNE_NLU_MODEL_INVALID' });
  });

  it('is compact: one byte per weight', async () => {
    const file = await saveIntentModel(model, dir);
    const features = model.vocabulary.hashes.length;
    const { dimensions, hashes } = EMBEDDINGS;
    const weightBytes = (features + dimensions) * model.labels.length;
    const vectorBytes = hashes.length * (dimensions + 8) + dimensions * 4;
    expect(model.embeddings?.hashes.length).toBe(hashes.length);
    expect((await stat(file)).size).toBeLessThan(weightBytes + features * 13 + vectorBytes + 4096);
  });
});

describe('ensureIntentModel', () => {
  async function writeCsv(rows: LabelledText[]): Promise<string> {
    const file = join(dir, 'train.csv');
    const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
    await writeFile(file, ['text,category', ...rows.map((r) => `${quote(r.text)},${r.category}`)].join('\n'));
    return file;
  }

  it('trains and saves a model when there is none, then loads it without retraining', async () => {
    const csv = await writeCsv(syntheticRows());
    const modelDir = join(dir, 'model');
    const first = await ensureIntentModel(modelDir, [csv], { train: TRAIN });
    expect(first.classify('where is my new card').intent).toBe('card_arrival');
    const written = await stat(join(modelDir, INTENT_MODEL_FILE));
    // Training data gone: a second call can only succeed by loading the saved model.
    const second = await ensureIntentModel(modelDir, [join(dir, 'missing.csv')]);
    expect(second.classify('where is my new card')).toEqual(first.classify('where is my new card'));
    expect((await stat(join(modelDir, INTENT_MODEL_FILE))).mtimeMs).toBe(written.mtimeMs);
  });

  it('retrains over an invalid model file', async () => {
    const csv = await writeCsv(syntheticRows());
    const modelDir = join(dir, 'model');
    await saveIntentModel(model, modelDir);
    await writeFile(join(modelDir, INTENT_MODEL_FILE), 'garbage');
    const warnings: string[] = [];
    const logger = { info: () => undefined, warn: (_d: object, message: string) => warnings.push(message) };
    const classifier = await ensureIntentModel(modelDir, [csv], { logger, train: TRAIN });
    expect(classifier.classify('hello friend').intent).toBe('greeting');
    expect(warnings).toHaveLength(1);
    await expect(loadIntentModel(modelDir)).resolves.toBeDefined();
  });

  it('fails with ATTUNE_NLU_DATA_INVALID when it must train and the data is missing', async () => {
    const error: unknown = await ensureIntentModel(join(dir, 'model'), [join(dir, 'missing.csv')]).catch((e: unknown) => e);
    expect(isAttuneError(error, 'ATTUNE_NLU_DATA_INVALID')).toBe(true);
  });
});
