import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isAttuneError } from '../../core/errors';
import { defaultModelDir, LinearSentimentAnalyzer, loadSentimentAnalyzer, readModelFile } from '../../nlu/sentiment';
import { charKeys, readMessage, wordKeys, type FeatureSpace } from '../../nlu/sentiment/features';
import { NgramTable } from '../../nlu/sentiment/ngram-table';
import { normalizeText } from '../../nlu/sentiment/text-normalizer';
import { tokenize } from '../../nlu/sentiment/tokenizer';
import { MODEL_FILE_NAME } from '../../nlu/sentiment/repo-paths';
import type { SentimentAnalyzer } from '../../nlu/types';

let analyzer: SentimentAnalyzer;
let detailed: LinearSentimentAnalyzer;

beforeAll(async () => {
  analyzer = await loadSentimentAnalyzer();
  detailed = new LinearSentimentAnalyzer(await readModelFile(defaultModelDir()));
});

const score = (text: string): number => analyzer.analyze(text).score;
const cues = (text: string) => analyzer.analyze(text).cues;

describe('the shipped sentiment model', () => {
  it('keeps the score in −1…1 and every cue in 0…1, whatever the input', () => {
    const texts = [
      '',
      '   ',
      '!!!!!!!!!!!!!!!!!!!!',
      'THIS IS THE WORST WORST WORST BANK EVER!!!! FUCKING USELESS 😡😡😡',
      'thank you thank you thank you so so so much, amazing amazing amazing 😍😍😍',
      '😀',
      'a'.repeat(5000),
      'not not not not not happy',
    ];
    for (const text of texts) {
      const reading = analyzer.analyze(text);
      expect(reading.score).toBeGreaterThanOrEqual(-1);
      expect(reading.score).toBeLessThanOrEqual(1);
      for (const value of Object.values(reading.cues)) {
        expect(value).toBeGreaterThanOrEqual(0);
        expect(value).toBeLessThanOrEqual(1);
      }
    }
  });

  it('tells clear complaints, questions and thanks apart', () => {
    expect(detailed.analyzeDetailed('This is the worst bank I have ever dealt with').polarity).toBe('negative');
    expect(detailed.analyzeDetailed('I have been on hold for an hour and nobody has helped me').polarity).toBe('negative');
    expect(detailed.analyzeDetailed('How do I change my PIN?').polarity).toBe('neutral');
    expect(detailed.analyzeDetailed('What are your opening hours on Saturday?').polarity).toBe('neutral');
    expect(detailed.analyzeDetailed('Thanks, that was really helpful!').polarity).toBe('positive');
    expect(detailed.analyzeDetailed('Great service, very quick').polarity).toBe('positive');
  });

  it('flips with negation', () => {
    expect(score('I am happy with the service')).toBeGreaterThan(0);
    expect(score('I am not happy with the service')).toBeLessThan(0);
    expect(score('that was helpful')).toBeGreaterThan(0);
    expect(score("that wasn't helpful at all")).toBeLessThan(0);
    expect(score('the new app is not bad')).toBeGreaterThan(score('the new app is bad'));
  });

  it("never negates an emoji: it is the writer's own feeling, and it ends the clause", () => {
    const negated = (text: string) => tokenize(normalizeText(text)).filter((token) => token.negated).map((token) => token.word);
    expect(negated('not bad 😀 great work')).toEqual(['bad']);
    expect(negated("it didn't work 😡 fix it")).toEqual(['work']);
    expect(negated('no :) thanks')).toEqual([]);
    expect(score("I can't wait 😍")).toBeGreaterThan(0);
    expect(score('not bad at all 😀')).toBeGreaterThan(0);
  });

  it('grows stronger with intensifiers', () => {
    expect(score('the service was really bad')).toBeLessThan(score('the service was bad'));
    expect(score('this is extremely frustrating')).toBeLessThan(score('this is frustrating'));
    expect(score('you were so helpful')).toBeGreaterThan(score('you were helpful'));
  });

  it('reads capitals, "!!!" and swearing as anger in a complaint', () => {
    const calm = cues('my card was declined again').anger;
    expect(cues('MY CARD WAS DECLINED AGAIN').anger).toBeGreaterThan(calm);
    expect(cues('my card was declined again!!!').anger).toBeGreaterThan(calm);
    expect(cues('my fucking card was declined again').anger).toBeGreaterThan(calm);
    expect(cues('MY CARD WAS DECLINED AGAIN!!! FFS').anger).toBeGreaterThan(0.6);
  });

  it('does not read an enthusiastic thank-you as anger', () => {
    expect(cues('THANK YOU SO MUCH!!!').anger).toBeLessThan(0.3);
    expect(score('THANK YOU SO MUCH!!!')).toBeGreaterThan(0.3);
  });

  it('raises anxiety and urgency for a stolen card or fraud', () => {
    const plain = cues('my card arrived');
    const stolen = cues('my card was stolen');
    expect(stolen.anxiety).toBeGreaterThan(plain.anxiety);
    expect(stolen.urgency).toBeGreaterThan(plain.urgency);
    expect(stolen.anxiety).toBeGreaterThan(0.5);
    expect(stolen.urgency).toBeGreaterThan(0.5);
    expect(cues('someone is taking money from my account right now, please help').urgency).toBeGreaterThan(0.6);
    expect(plain.urgency).toBeLessThan(0.3);
  });

  it('raises gratitude for thanks', () => {
    expect(cues('thank you so much').gratitude).toBeGreaterThan(0.7);
    expect(cues('thank you so much').gratitude).toBeGreaterThan(cues('ok').gratitude + 0.5);
    expect(cues('what is my balance').gratitude).toBeLessThan(0.2);
  });

  it('raises confusion when the customer is lost', () => {
    expect(cues("I don't understand what this charge means??").confusion).toBeGreaterThan(cues('I paid the bill').confusion + 0.3);
  });

  it('reads sarcastic praise as negative', () => {
    expect(score("Great, thanks a lot. Now I've missed my mortgage payment.")).toBeLessThan(0);
    expect(score('yeah right, "within 24 hours". It has been a week.')).toBeLessThan(0);
    expect(score('love how I have been on hold for an hour just to be cut off')).toBeLessThan(0);
  });

  it('ignores who is mentioned, links and HTML entities', () => {
    expect(score('@SomeBank thanks for the help &amp; the quick reply http://t.co/abc')).toBeCloseTo(
      score('@OtherBank thanks for the help & the quick reply https://example.com/x'),
      6,
    );
  });
});

/** The feature vector as training defines it: every word and character n-gram key, looked up by name. */
function referenceVector(features: FeatureSpace, text: string): Map<number, number> {
  const reading = readMessage(text);
  const counts = new Map<string, number>();
  wordKeys(reading.tokens, features.config.wordMaxN, counts);
  charKeys(reading.normalized, features.config.charMin, features.config.charMax, counts);
  const index = new Map(features.keys.map((key, i) => [key, i]));
  const norms = { w: 0, c: 0 };
  const raw = new Map<number, number>();
  for (const [key, count] of counts) {
    const i = index.get(key);
    if (i === undefined) continue;
    const value = (1 + Math.log(count)) * features.idf[i]!;
    raw.set(i, value);
    norms[key[0] as 'w' | 'c'] += value * value;
  }
  const scaled = new Map<number, number>();
  for (const [i, value] of raw) {
    const block = features.keys[i]![0] as 'w' | 'c';
    const weight = block === 'w' ? features.config.wordWeight : features.config.charWeight;
    scaled.set(i, Math.fround((value * weight) / Math.sqrt(norms[block])));
  }
  return scaled;
}

describe('sentiment features', () => {
  it('serves exactly the n-gram features training defines, known n-grams only', async () => {
    const { features } = await readModelFile(defaultModelDir());
    const texts = ['my card still has not arrived!!', 'zxqvbn qqqq jjjj_kkk', 'card_arrival, 2024-05-01 £40', 'Ünïcödé naïve café 😡', 'a'];
    for (const text of texts) {
      const vector = features.vectorize(readMessage(text));
      const served = new Map<number, number>();
      vector.indices.forEach((i, k) => {
        if (i < features.ruleOffset) served.set(i, vector.values[k]!);
      });
      const expected = referenceVector(features, text);
      expect([...served.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [i, value] of expected) expect(served.get(i)).toBeCloseTo(value, 6);
    }
  });

  it('finds n-grams by their characters and tells unknown ones apart', () => {
    const table = new NgramTable(new Map([[' ca', 3], ['card', 7], ['rd ', 9]]));
    expect(table.get(' card ', 0, 3)).toBe(3);
    expect(table.get(' card ', 1, 5)).toBe(7);
    expect(table.get(' card ', 3, 6)).toBe(9);
    expect(table.get(' card ', 1, 4)).toBe(-1);
    expect(table.get('xcardx', 1, 5)).toBe(7);
  });
});

describe('loading a model file', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'attune-sentiment-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function expectInvalid(): Promise<void> {
    const error: unknown = await loadSentimentAnalyzer(dir).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(isAttuneError(error, 'ATTUNE_NLU_MODEL_INVALID')).toBe(true);
  }

  it('fails with ATTUNE_NLU_MODEL_INVALID when the file is missing', async () => {
    await expectInvalid();
  });

  it('fails with ATTUNE_NLU_MODEL_INVALID when the file is not JSON', async () => {
    await writeFile(path.join(dir, MODEL_FILE_NAME), 'not a model {');
    await expectInvalid();
  });

  it('fails with ATTUNE_NLU_MODEL_INVALID when the file is cut short', async () => {
    const shipped = await readFile(path.join(defaultModelDir(), MODEL_FILE_NAME), 'utf8');
    await writeFile(path.join(dir, MODEL_FILE_NAME), shipped.slice(0, shipped.length / 2));
    await expectInvalid();
  });

  it('fails with ATTUNE_NLU_MODEL_INVALID when the weights do not fit the vocabulary', async () => {
    const shipped = JSON.parse(await readFile(path.join(defaultModelDir(), MODEL_FILE_NAME), 'utf8')) as { keys: string[] };
    shipped.keys = shipped.keys.slice(1);
    await writeFile(path.join(dir, MODEL_FILE_NAME), JSON.stringify(shipped));
    await expectInvalid();
  });

  it('fails with ATTUNE_NLU_MODEL_INVALID for another format or version', async () => {
    const shipped = JSON.parse(await readFile(path.join(defaultModelDir(), MODEL_FILE_NAME), 'utf8')) as { version: number };
    shipped.version = 99;
    await writeFile(path.join(dir, MODEL_FILE_NAME), JSON.stringify(shipped));
    await expectInvalid();
  });
});
