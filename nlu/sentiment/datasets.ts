/**
 * Readers for the sentiment corpora. GoEmotions (Apache 2.0) and the project's own examples may
 * train what ships; the airline tweets (CC BY-NC-SA) are read only to measure.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse';
import { AttuneError } from '../../core/errors';
import { CUES, POLARITIES, type Cue, type Polarity } from './linear-model';
import { ownExamplesFile } from './repo-paths';

export interface LabelledText {
  readonly text: string;
  readonly polarity: Polarity;
  /** Cues the example shows; `undefined` when the source says nothing about cues. */
  readonly cues?: ReadonlySet<Cue>;
}

/** Default location of the shared datasets; override with ATTUNE_DATASETS_DIR. */
export function datasetsDir(): string {
  return process.env.ATTUNE_DATASETS_DIR ?? '/work/shared/datasets';
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    throw new AttuneError('ATTUNE_NLU_DATA_INVALID', `cannot read ${file}`, { cause });
  }
}

// The sentiment grouping of Demszky et al. (2020); "ambiguous" emotions count as neutral.
const GO_POSITIVE = new Set([
  'admiration', 'amusement', 'approval', 'caring', 'desire', 'excitement', 'gratitude', 'joy', 'love',
  'optimism', 'pride', 'relief',
]);
const GO_NEGATIVE = new Set([
  'anger', 'annoyance', 'disappointment', 'disapproval', 'disgust', 'embarrassment', 'fear', 'grief',
  'nervousness', 'remorse', 'sadness',
]);
const GO_CUES: Readonly<Record<string, Cue>> = {
  anger: 'anger',
  annoyance: 'anger',
  fear: 'anxiety',
  nervousness: 'anxiety',
  confusion: 'confusion',
  gratitude: 'gratitude',
  relief: 'gratitude',
};

/** negative if any negative emotion, else positive if any positive, else neutral. */
export function goEmotionsPolarity(emotions: readonly string[]): Polarity {
  if (emotions.some((emotion) => GO_NEGATIVE.has(emotion))) return 'negative';
  if (emotions.some((emotion) => GO_POSITIVE.has(emotion))) return 'positive';
  return 'neutral';
}

export function goEmotionsCues(emotions: readonly string[]): Set<Cue> {
  const cues = new Set<Cue>();
  for (const emotion of emotions) {
    const cue = GO_CUES[emotion];
    if (cue !== undefined) cues.add(cue);
  }
  return cues;
}

/** One GoEmotions split (`train`, `dev` or `test`) from `dir` (the folder with emotions.txt). */
export async function loadGoEmotions(dir: string, split: 'train' | 'dev' | 'test'): Promise<LabelledText[]> {
  const names = (await readText(path.join(dir, 'emotions.txt'))).split('\n').map((line) => line.trim()).filter(Boolean);
  const rows: LabelledText[] = [];
  const lines = (await readText(path.join(dir, `${split}.tsv`))).split('\n');
  lines.forEach((line, number) => {
    if (line.trim() === '') return;
    const [text, ids] = line.split('\t');
    const emotions = (ids ?? '').split(',').map((id) => names[Number(id)]);
    if (text === undefined || ids === undefined || emotions.some((emotion) => emotion === undefined)) {
      throw new AttuneError('ATTUNE_NLU_DATA_INVALID', `${split}.tsv line ${number + 1}: expected text<TAB>emotion ids`);
    }
    rows.push({ text, polarity: goEmotionsPolarity(emotions), cues: goEmotionsCues(emotions) });
  });
  return rows;
}

/** The project's own examples: `polarity<TAB>cues<TAB>text`, `#` comments. */
export async function loadOwnExamples(file: string = ownExamplesFile()): Promise<LabelledText[]> {
  const rows: LabelledText[] = [];
  (await readText(file)).split('\n').forEach((line, number) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    const [polarity, cueList, text] = line.split('\t');
    const cues = cueList === '-' ? [] : (cueList ?? '').split(',');
    if (
      text === undefined ||
      !(POLARITIES as readonly string[]).includes(polarity) ||
      cues.some((cue) => !(CUES as readonly string[]).includes(cue))
    ) {
      throw new AttuneError('ATTUNE_NLU_DATA_INVALID', `${file} line ${number + 1}: expected polarity<TAB>cues<TAB>text`);
    }
    rows.push({ text, polarity: polarity as Polarity, cues: new Set(cues as Cue[]) });
  });
  return rows;
}

/** Twitter US Airline Sentiment (`tweets.csv`): for measurement only, never for training. */
export async function loadAirlineTweets(file: string): Promise<LabelledText[]> {
  const records = await new Promise<Record<string, string>[]>((resolve, reject) => {
    readText(file).then((content) => {
      parse(content, { columns: true, skip_empty_lines: true, relax_column_count: false }, (error, output: Record<string, string>[]) => {
        if (error) reject(new AttuneError('ATTUNE_NLU_DATA_INVALID', `${file}: ${error.message}`, { cause: error }));
        else resolve(output);
      });
    }, reject);
  });
  return records.map((record, row) => {
    const polarity = record.airline_sentiment;
    if (!(POLARITIES as readonly string[]).includes(polarity) || typeof record.text !== 'string') {
      throw new AttuneError('ATTUNE_NLU_DATA_INVALID', `${file} row ${row}: bad airline_sentiment or text`);
    }
    return { text: record.text, polarity: polarity as Polarity };
  });
}
