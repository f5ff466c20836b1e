import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isAttuneError } from '../../core/errors';
import { LinearSentimentAnalyzer, loadSentimentAnalyzer, parseModel, serializeModel, trainSentimentModel, writeModelFile } from '../../nlu/sentiment';

// A tiny GoEmotions-shaped corpus (ids index emotions.txt) and a tiny own-examples file, so the
// real training entry point runs end to end in well under a second.
const EMOTIONS = ['anger', 'gratitude', 'joy', 'fear', 'neutral', 'confusion'];
const GO_ROWS: Array<[string, number[]]> = [
  ['this is awful and I hate it', [0]],
  ['terrible, absolutely furious', [0]],
  ['what a horrible thing to do', [0]],
  ['I am so angry about this', [0]],
  ['scared and worried about it', [3]],
  ['thank you so much', [1]],
  ['thanks, that is great', [1, 2]],
  ['love it, wonderful', [2]],
  ['this is brilliant, so happy', [2]],
  ['it is on the table', [4]],
  ['the meeting is at noon', [4]],
  ['he went to the shop', [4]],
  ['what does that mean?', [5]],
];

function tsv(rows: Array<[string, number[]]>): string {
  return rows.map(([text, ids], i) => `${text}\t${ids.join(',')}\tid${i}`).join('\n') + '\n';
}

describe('training the sentiment model', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'attune-sentiment-train-'));
    await writeFile(path.join(dir, 'emotions.txt'), EMOTIONS.join('\n') + '\n');
    await writeFile(path.join(dir, 'train.tsv'), tsv([...GO_ROWS, ...GO_ROWS]));
    await writeFile(path.join(dir, 'dev.tsv'), tsv(GO_ROWS));
    await writeFile(
      path.join(dir, 'own.tsv'),
      [
        '# polarity\tcues\ttext',
        'negative\tanger\tyour bank is useless and awful',
        'negative\tanxiety,urgency\tmy card was stolen, block it now',
        'positive\tgratitude\tthanks for sorting my card',
        'positive\t-\tgreat service, well done',
        'neutral\t-\thow do I change my PIN',
        'neutral\t-\twhat time does the branch open',
      ].join('\n') + '\n',
    );
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const train = () =>
    trainSentimentModel({ goEmotionsDir: dir, ownExamplesFile: path.join(dir, 'own.tsv'), features: { minDfWord: 1, minDfChar: 1 } });

  it('learns a model that tells the classes apart and survives a save and load', async () => {
    const { model } = await train();
    const analyzer = new LinearSentimentAnalyzer(parseModel(serializeModel(model), 'memory'));
    expect(analyzer.analyze('awful, I hate it').score).toBeLessThan(analyzer.analyze('thanks, wonderful').score);
    expect(analyzer.analyze('thank you so much').cues.gratitude).toBeGreaterThan(0.5);

    await writeModelFile(path.join(dir, 'model'), model);
    const loaded = await loadSentimentAnalyzer(path.join(dir, 'model'));
    expect(loaded.analyze('awful, I hate it')).toEqual(analyzer.analyze('awful, I hate it'));
  });

  it('is deterministic: the same inputs give the same model file', async () => {
    const [first, second] = await Promise.all([train(), train()]);
    expect(serializeModel(first.model)).toBe(serializeModel(second.model));
  });

  it('fails with ATTUNE_NLU_DATA_INVALID on malformed training data', async () => {
    const bad = path.join(dir, 'bad.tsv');
    await writeFile(bad, 'sideways\t-\tnot a polarity\n');
    const error: unknown = await trainSentimentModel({ goEmotionsDir: dir, ownExamplesFile: bad }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(isAttuneError(error, 'ATTUNE_NLU_DATA_INVALID')).toBe(true);
  });
});
