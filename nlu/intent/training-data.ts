/** Reads labelled messages from CSV files with the header `text,category` (RFC 4180). */
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { AttuneError } from '../../core/errors';

/** One labelled message. The category `oos` marks a message the bot should not answer. */
export interface LabelledText {
  readonly text: string;
  readonly category: string;
}

function dataError(message: string, cause?: unknown): AttuneError {
  return new AttuneError('ATTUNE_NLU_DATA_INVALID', message, cause === undefined ? undefined : { cause });
}

/**
 * Parses CSV text whose first row is exactly `text,category`. Fails with ATTUNE_NLU_DATA_INVALID
 * on a wrong header, a malformed row, an empty text or category, or no rows at all.
 */
export function parseLabelledCsv(content: string, source = 'CSV'): LabelledText[] {
  let records: string[][];
  try {
    records = parse(content, { bom: true, skip_empty_lines: true, relax_column_count: false }) as string[][];
  } catch (error) {
    throw dataError(`${source}: not valid CSV (${(error as Error).message})`, error);
  }
  const [header, ...body] = records;
  if (!header || header.length !== 2 || header[0].trim() !== 'text' || header[1].trim() !== 'category') {
    throw dataError(`${source}: the header must be "text,category", found "${(header ?? []).join(',')}"`);
  }
  if (body.length === 0) throw dataError(`${source}: no data rows`);
  return body.map(([text, category], i) => {
    const row = { text: text.trim(), category: category.trim() };
    if (row.text === '' || row.category === '') {
      throw dataError(`${source}: data row ${i + 1} has an empty text or category`);
    }
    return row;
  });
}

/** Reads and parses one labelled CSV file. */
export async function readLabelledCsv(file: string): Promise<LabelledText[]> {
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (error) {
    throw dataError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, error);
  }
  return parseLabelledCsv(content, file);
}

/** Reads several labelled CSV files, in order, into one list. */
export async function readLabelledCsvFiles(files: readonly string[]): Promise<LabelledText[]> {
  if (files.length === 0) throw dataError('no data files given');
  const parts = await Promise.all(files.map(readLabelledCsv));
  return parts.flat();
}
