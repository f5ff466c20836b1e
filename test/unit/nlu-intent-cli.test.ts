import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { main } from '../../nlu/cli';
import type { CliIo } from '../../nlu/cli/io';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function run(argv: string[], stdin = ''): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdin: Readable.from([stdin]),
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

const TRAINING_CSV = [
  'text,category',
  ...['where is my card', 'my card has not arrived', 'when will my new card come', 'still waiting for my card', 'has my card been sent', 'is my card in the post']
    .map((t) => `${t},card_arrival`),
  ...['what is the exchange rate', 'rate for euros please', 'how much is a dollar in pounds', 'what rate do you convert at', 'exchange rate for yen', 'euro conversion rate']
    .map((t) => `${t},exchange_rate`),
  ...['hello', 'hi there', 'good morning', 'hey', 'hiya bot', 'hello again'].map((t) => `${t},greeting`),
  '"what\'s the weather, today",oos',
].join('\n');

const EVAL_CSV = ['text,category', 'where is my new card,card_arrival', 'rate for dollars,exchange_rate', 'hi,greeting', 'qwxz vbnm,oos'].join('\n');

let dir: string;
let trainCsv: string;
let evalCsv: string;

const savedEmbeddings = process.env.ATTUNE_NLU_EMBEDDINGS;

afterAll(() => {
  if (savedEmbeddings === undefined) delete process.env.ATTUNE_NLU_EMBEDDINGS;
  else process.env.ATTUNE_NLU_EMBEDDINGS = savedEmbeddings;
});

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attune-intent-cli-'));
  // A tiny vector file in the package's format: unit tests must not read the 294 MB package.
  const words = ['card', 'new', 'rate', 'euros', 'hello', 'hi', 'where'];
  const vectors = Object.fromEntries(words.map((w, i) => [w, [Math.sin(i), Math.cos(i), i % 2, 1, 0, i]]));
  process.env.ATTUNE_NLU_EMBEDDINGS = join(dir, 'vectors.json');
  await writeFile(process.env.ATTUNE_NLU_EMBEDDINGS, JSON.stringify({ dimensions: 4, words, vectors }));
  trainCsv = join(dir, 'train.csv');
  evalCsv = join(dir, 'eval.csv');
  await writeFile(trainCsv, TRAINING_CSV);
  await writeFile(evalCsv, EVAL_CSV);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('nlu command line: bad input', () => {
  it.each([
    ['no command', [], /usage: nlu/],
    ['an unknown command', ['fly'], /unknown command "fly"/],
    ['train without --out', ['train', '--data', 'x.csv'], /--out is required/],
    ['train without --data', ['train', '--out', 'x'], /--data/],
    ['an option the command does not take', ['eval', '--model', 'm', '--data', 'x.csv', '--out', 'y'], /Unknown option '--out'/],
    ['a stray argument', ['analyze', 'hello'], /positional argument/],
    ['cv without --data', ['cv'], /--data/],
    ['cv with one fold', ['cv', '--data', 'x.csv', '--folds', '1'], /--folds must be an integer ≥ 2/],
    ['cv with a seed that is not a number', ['cv', '--data', 'x.csv', '--seed', 'abc'], /--seed must be an integer/],
  ])('exits 2 with a usage message for %s', async (_what, argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it('exits 1 naming the missing file', async () => {
    const missing = join(dir, 'missing.csv');
    const result = await run(['train', '--data', missing, '--out', join(dir, 'model')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(missing);
    expect(result.stderr).toContain('ATTUNE_NLU_DATA_INVALID');
  });

  it.each([
    ['a wrong header', 'message,label\nhi,greeting\n', /header must be "text,category"/],
    ['no rows', 'text,category\n', /no data rows/],
  ])('exits 1 for training data with %s', async (_what, content, message) => {
    await writeFile(trainCsv, content);
    const result = await run(['train', '--data', trainCsv, '--out', join(dir, 'model')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
  });

  it('exits 1 when the model is missing', async () => {
    const result = await run(['eval', '--model', join(dir, 'none'), '--data', evalCsv]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ATTUNE_NLU_MODEL_INVALID');
  });
});

describe('nlu command line: train, eval, analyze', () => {
  it('trains a model, evaluates it with a JSON last line, and analyses stdin', async () => {
    const modelDir = join(dir, 'model');
    const trained = await run(['train', '--data', trainCsv, '--out', modelDir]);
    expect(trained.stderr).not.toMatch(/error/i);
    expect(trained.code).toBe(0);
    expect(trained.stdout).toMatch(/intents\s+3/);

    const evaluated = await run(['eval', '--model', modelDir, '--data', evalCsv]);
    expect(evaluated.code).toBe(0);
    const lines = evaluated.stdout.trimEnd().split('\n');
    const summary: unknown = JSON.parse(lines[lines.length - 1]);
    expect(Object.keys(summary as object)).toEqual(['n', 'accuracy', 'macroF1', 'oosRecall', 'oosPrecision', 'p50us', 'p99us']);
    expect(summary).toMatchObject({ n: 4, oosRecall: 1 });
    expect(summary).toEqual(
      expect.objectContaining({
        accuracy: expect.any(Number),
        macroF1: expect.any(Number),
        oosPrecision: expect.any(Number),
        p50us: expect.any(Number),
        p99us: expect.any(Number),
      }),
    );
    // The per-intent table names every category in the data.
    for (const intent of ['card_arrival', 'exchange_rate', 'greeting', 'oos']) expect(evaluated.stdout).toContain(intent);

    const inScopeOnly = join(dir, 'in-scope.csv');
    await writeFile(inScopeOnly, 'text,category\nhello,greeting\n');
    const noOos = await run(['eval', '--model', modelDir, '--data', inScopeOnly]);
    const last = noOos.stdout.trimEnd().split('\n').pop() ?? '';
    expect(JSON.parse(last)).toMatchObject({ n: 1, oosRecall: null, oosPrecision: null });

    const analyzed = await run(['analyze', '--model', modelDir], 'where is my card\n\nhello there\n');
    expect(analyzed.code).toBe(0);
    const outputs = analyzed.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(outputs).toHaveLength(2);
    expect(outputs[0]).toMatchObject({ text: 'where is my card', intent: { alternatives: expect.any(Array) } });
    expect(outputs.map((o) => (o.intent as { alternatives: Array<{ intent: string }> }).alternatives[0].intent)).toEqual([
      'card_arrival',
      'greeting',
    ]);
  });
});

describe('nlu command line: cv', () => {
  it('cross-validates the --data rows, trains every fold on the --extra rows too, and ends with a JSON line', async () => {
    const extraCsv = join(dir, 'extra.csv');
    await writeFile(extraCsv, ['text,category', 'my card is still not here,card_arrival', 'bye for now,goodbye', 'goodbye,goodbye', '"tell me a joke",oos'].join('\n'));
    const result = await run(['cv', '--data', trainCsv, '--extra', extraCsv, '--folds', '2', '--seed', '3']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/fold 0 {2}n=9/);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^fold 0 {2}n=9 /);
    expect(lines[1]).toMatch(/^fold 1 {2}n=9 /);
    expect(result.stdout).toContain('most-confused pairs');
    const summary = JSON.parse(lines[lines.length - 1]) as Record<string, unknown>;
    expect(summary).toMatchObject({ folds: 2, seed: 3, perFold: [expect.any(Number), expect.any(Number)] });
    // Both oos rows (one from --data, one from --extra) are measured, never scored as a fold.
    expect(summary.outOfScopeRecall).toEqual(expect.any(Number));
    expect(summary.topIntentAccuracy).toBeGreaterThan(0.5);
  });
});
