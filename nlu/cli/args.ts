import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './io';

export interface ParsedOptions {
  readonly data: readonly string[];
  readonly out?: string;
  readonly model?: string;
  readonly dataDir?: string;
  readonly sentimentModel?: string;
  readonly extra: readonly string[];
  readonly folds?: string;
  readonly seed?: string;
}

type OptionName = 'data' | 'out' | 'model' | 'data-dir' | 'sentiment-model' | 'extra' | 'folds' | 'seed';

const OPTIONS: Record<OptionName, NonNullable<ParseArgsConfig['options']>[string]> = {
  data: { type: 'string', multiple: true },
  out: { type: 'string' },
  model: { type: 'string' },
  'data-dir': { type: 'string' },
  'sentiment-model': { type: 'string' },
  extra: { type: 'string', multiple: true },
  folds: { type: 'string' },
  seed: { type: 'string' },
};

/** Parses a command's options; options it does not take and stray arguments are usage errors. */
export function parseOptions(command: string, args: readonly string[], accepted: readonly OptionName[]): ParsedOptions {
  try {
    const { values } = parseArgs({
      args: [...args],
      options: Object.fromEntries(accepted.map((name) => [name, OPTIONS[name]])),
      strict: true,
      allowPositionals: false,
    });
    const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
    const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((d): d is string => typeof d === 'string') : []);
    return {
      data: list(values.data),
      extra: list(values.extra),
      folds: text(values.folds),
      seed: text(values.seed),
      out: text(values.out),
      model: text(values.model),
      dataDir: text(values['data-dir']),
      sentimentModel: text(values['sentiment-model']),
    };
  } catch (error) {
    throw new UsageError(`${command}: ${(error as Error).message}`);
  }
}

/** The value of a required option, or a usage error naming it. */
export function required(command: string, name: OptionName, value: string | undefined): string {
  if (value === undefined || value === '') throw new UsageError(`${command}: --${name} is required`);
  return value;
}
