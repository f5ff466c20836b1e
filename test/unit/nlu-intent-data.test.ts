import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseThreshold, fitTemperature, softmax } from '../../nlu/intent/calibration';
import { assignFolds } from '../../nlu/intent/cross-validation';
import { evaluateClassifier, percentile } from '../../nlu/intent/evaluation';
import { parseLabelledCsv, readLabelledCsv, readLabelledCsvFiles } from '../../nlu/intent/training-data';
import { normalizeText } from '../../nlu/intent/normalize';
import { seededRandom } from '../../nlu/intent/sparse-matrix';
import { OUT_OF_SCOPE, type IntentClassifier } from '../../nlu/types';

describe('labelled CSV', () => {
  it('reads RFC 4180 quoting: commas, quotes and newlines inside fields', () => {
    const rows = parseLabelledCsv('text,category\n"Hi, there",greeting\n"He said ""no""\nthen left",deny\nplain,affirm\n');
    expect(rows).toEqual([
      { text: 'Hi, there', category: 'greeting' },
      { text: 'He said "no"\nthen left', category: 'deny' },
      { text: 'plain', category: 'affirm' },
    ]);
  });

  it.each([
    ['a wrong header', 'message,label\nhi,greeting\n'],
    ['a missing column', 'text\nhi\n'],
    ['no data rows', 'text,category\n'],
    ['an empty file', ''],
    ['an empty category', 'text,category\nhi,\n'],
    ['a row with three fields', 'text,category\nhi,greeting,extra\n'],
    ['an unterminated quote', 'text,category\n"hi,greeting\n'],
  ])('rejects %s with ATTUNE_NLU_DATA_INVALID', (_what, content) => {
    expect(() => parseLabelledCsv(content)).toThrow(expect.objectContaining({ code: 'ATTUNE_NLU_DATA_INVALID' }));
  });

  it('reads files and fails on a missing one with ATTUNE_NLU_DATA_INVALID', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'attune-intent-data-'));
    try {
      await writeFile(join(dir, 'a.csv'), 'text,category\nhello,greeting\n');
      await writeFile(join(dir, 'b.csv'), '\ufefftext,category\nbye,goodbye\n');
      expect(await readLabelledCsvFiles([join(dir, 'a.csv'), join(dir, 'b.csv')])).toEqual([
        { text: 'hello', category: 'greeting' },
        { text: 'bye', category: 'goodbye' },
      ]);
      await expect(readLabelledCsv(join(dir, 'missing.csv'))).rejects.toMatchObject({ code: 'ATTUNE_NLU_DATA_INVALID' });
      await expect(readLabelledCsvFiles([])).rejects.toMatchObject({ code: 'ATTUNE_NLU_DATA_INVALID' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('calibration', () => {
  it('softmax gives probabilities that follow the scores and sharpen as the temperature drops', () => {
    const warm = Array.from(softmax([2, 1, 0], 1, new Float64Array(3)));
    const cold = Array.from(softmax([2, 1, 0], 0.1, new Float64Array(3)));
    expect(warm.reduce((a, b) => a + b)).toBeCloseTo(1, 12);
    expect(warm[0]).toBeGreaterThan(warm[1]);
    expect(warm[1]).toBeGreaterThan(warm[2]);
    expect(cold[0]).toBeGreaterThan(0.99);
  });

  it('recovers the temperature that generated the labels', () => {
    const random = seededRandom(1);
    const trueTemperature = 0.5;
    const scores: Float64Array[] = [];
    const labels: number[] = [];
    const p = new Float64Array(4);
    for (let i = 0; i < 4000; i++) {
      const s = Float64Array.from({ length: 4 }, () => random() * 2);
      softmax(s, trueTemperature, p);
      let u = random();
      let label = 0;
      while (label < 3 && u > p[label]) u -= p[label++];
      scores.push(s);
      labels.push(label);
    }
    expect(fitTemperature(scores, Int32Array.from(labels), 0)).toBeCloseTo(trueTemperature, 1);
  });

  it('picks the highest threshold that loses at most the allowed share of right answers', () => {
    const predictions = [
      { confidence: 0.2, correct: false },
      { confidence: 0.3, correct: true },
      { confidence: 0.4, correct: true },
      { confidence: 0.5, correct: false },
      { confidence: 0.9, correct: true },
      ...Array.from({ length: 15 }, () => ({ confidence: 0.95, correct: true })),
    ];
    // 20 predictions, 10% may be lost: 2 right answers (0.3 and 0.4) go, 0.9 stays.
    const threshold = chooseThreshold(predictions, 0.1);
    expect(threshold).toBeGreaterThan(0.4);
    expect(threshold).toBeLessThanOrEqual(0.9);
    // Nothing may be lost: the lowest right answer must still pass.
    expect(chooseThreshold(predictions, 0)).toBe(0.3);
  });
});

describe('evaluateClassifier', () => {
  const answers: Record<string, string> = { a1: 'a', a2: 'a', b1: 'a', b2: 'b', o1: OUT_OF_SCOPE, o2: 'b', a3: OUT_OF_SCOPE };
  const fake: IntentClassifier = {
    classify: (text) => ({
      intent: answers[text],
      confidence: 0.9,
      alternatives: [{ intent: answers[text] === OUT_OF_SCOPE ? 'a' : answers[text], confidence: 0.9 }],
    }),
  };
  const rows = [
    { text: 'a1', category: 'a' },
    { text: 'a2', category: 'a' },
    { text: 'a3', category: 'a' },
    { text: 'b1', category: 'b' },
    { text: 'b2', category: 'b' },
    { text: 'o1', category: OUT_OF_SCOPE },
    { text: 'o2', category: OUT_OF_SCOPE },
  ];

  it('computes accuracy, per-intent and macro F1, and oos recall and precision', () => {
    const { summary, perIntent, inScope } = evaluateClassifier(fake, rows);
    expect(summary.n).toBe(7);
    expect(summary.accuracy).toBeCloseTo(4 / 7, 4);
    // a: P 2/3 R 2/3; b: P 1/2 R 1/2; oos: P 1/2 R 1/2
    expect(perIntent.map((m) => [m.intent, m.f1])).toEqual([
      ['a', 0.6667],
      ['b', 0.5],
      [OUT_OF_SCOPE, 0.5],
    ]);
    expect(summary.macroF1).toBeCloseTo((2 / 3 + 0.5 + 0.5) / 3, 4);
    expect(summary.oosRecall).toBe(0.5);
    expect(summary.oosPrecision).toBe(0.5);
    // in scope: a1 a2 b2 right (3/5); the top intent also gets a3 right (4/5)
    expect(inScope).toEqual({ n: 5, accuracy: 0.6, topIntentAccuracy: 0.8 });
    expect(summary.p99us).toBeGreaterThanOrEqual(summary.p50us);
  });

  it('reports null oos metrics when the data has no oos rows', () => {
    const { summary } = evaluateClassifier(fake, rows.slice(0, 5));
    expect(summary.oosRecall).toBeNull();
    expect(summary.oosPrecision).toBeNull();
  });

  it('uses nearest-rank percentiles', () => {
    const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(new Float64Array(0), 99)).toBe(0);
  });
});

describe('assignFolds', () => {
  it('spreads every category evenly over the folds, the same way for the same seed', () => {
    const rows = [
      ...Array.from({ length: 10 }, (_, i) => ({ text: `a${i}`, category: 'a' })),
      ...Array.from({ length: 7 }, (_, i) => ({ text: `b${i}`, category: 'b' })),
    ];
    const folds = assignFolds(rows, 3, 1);
    for (const category of ['a', 'b']) {
      const sizes = [0, 1, 2].map((f) => rows.filter((row, i) => row.category === category && folds[i] === f).length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
    expect(Array.from(assignFolds(rows, 3, 1))).toEqual(Array.from(folds));
    expect(Array.from(assignFolds(rows, 3, 2))).not.toEqual(Array.from(folds));
  });
});

describe('shipped extra examples (nlu/data/banking77-extra.csv)', () => {
  it('label BANKING77 intents only, repeat no BANKING77 training or test message and no other extra example', async () => {
    const dataDir = join(__dirname, '..', '..', 'nlu', 'data');
    const extra = await readLabelledCsv(join(dataDir, 'banking77-extra.csv'));
    const train = await readLabelledCsv(join(dataDir, 'banking77-train.csv'));
    const categories = new Set(JSON.parse(await readFile(join(dataDir, 'banking77-categories.json'), 'utf8')) as string[]);
    expect(extra.length).toBeGreaterThan(500);
    expect(extra.filter((row) => !categories.has(row.category))).toEqual([]);
    const known = new Set(train.map((row) => normalizeText(row.text)));
    expect(extra.filter((row) => known.has(normalizeText(row.text)))).toEqual([]);
    // Nor a BANKING77 test message: the benchmark would then measure recall of our own rows.
    const test = new Set((await readLabelledCsv(join(dataDir, 'banking77-test.csv'))).map((row) => normalizeText(row.text)));
    expect(extra.filter((row) => test.has(normalizeText(row.text)))).toEqual([]);
    const seen = new Set<string>();
    const repeated = extra.filter((row) => {
      const key = normalizeText(row.text);
      if (seen.has(key)) return true;
      seen.add(key);
      return false;
    });
    expect(repeated).toEqual([]);
  });
});
