/**
 * The content team's command line:
 *
 *   npm run content -- lint [dir]
 *   npm run content -- preview <template> [--tone <t> | --mood <m>] [--channel <c>] [--locale <l>] [--profile <id>] [--dir <dir>]
 *
 * `lint` prints one line per problem (`file:line severity code template: message`) and exits 1 when
 * any is an error. `preview` prints what the customer would see, rendered through the same
 * ContentLibrary and channel shaping as the bot.
 */
import path from 'node:path';
import { loadConfig } from '../config/app-config';
import { isAttuneError } from '../core/errors';
import { findProjectRoot } from '../core/project-root';
import { runMain } from '../core/run-main';
import { isTone, type Tone } from '../personalization/tone';
import { createStore } from '../storage/create-store';
import type { CustomerProfile } from '../storage/ports';
import { readContentFiles } from './content-files';
import { ContentLibrary } from './content-library';
import { formatProblem, hasErrors, lintContent } from './content-lint';
import { MOOD_TONES, previewAsText, previewReply, type Mood } from './content-preview';
import { UsageError, type Writable } from '../core/command-line';

const USAGE = `usage:
  npm run content -- lint [dir]
  npm run content -- preview <template> [--tone neutral|empathetic|reassuring|warm | --mood ${Object.keys(MOOD_TONES).join('|')}]
                                        [--channel webchat|sms|…] [--locale en] [--profile <customer id>] [--dir <content dir>] [--json]

lint     checks every <dir>/<locale>/*.lg (default: the project's content folder); exit 1 on errors.
preview  renders a template as the customer would see it; --profile reads the customer from the store.
`;

export async function main(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env, out: Writable = process.stdout, err: Writable = process.stderr): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'lint') return await lint(rest, env, out);
    if (command === 'preview') return await preview(rest, env, out, err);
    if (command === undefined || command === 'help' || command === '--help') {
      out.write(USAGE);
      return command === undefined ? 2 : 0;
    }
    throw new UsageError(`unknown command "${command}"`);
  } catch (error) {
    if (error instanceof UsageError) {
      err.write(`content: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (isAttuneError(error)) {
      err.write(`content: ${error.code}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

function settings(env: Readonly<Record<string, string | undefined>>) {
  return loadConfig(env, findProjectRoot());
}

async function lint(args: readonly string[], env: Readonly<Record<string, string | undefined>>, out: Writable): Promise<number> {
  if (args.length > 1) throw new UsageError('lint takes at most one folder');
  const config = settings(env);
  const dir = args[0] ? path.resolve(args[0]) : config.contentDir;
  const files = await readContentFiles(dir);
  if (files.length === 0) throw new UsageError(`no <locale>/*.lg files in ${dir}`);
  const problems = lintContent(files, { defaultLocale: config.defaultLocale });
  const shown = path.relative(process.cwd(), dir) || '.';
  for (const problem of problems) out.write(`${formatProblem(problem, `${shown}/`)}\n`);
  const errors = problems.filter((p) => p.severity === 'error').length;
  out.write(`${files.length} files, ${errors} error(s), ${problems.length - errors} warning(s)\n`);
  return hasErrors(problems) ? 1 : 0;
}

async function preview(args: readonly string[], env: Readonly<Record<string, string | undefined>>, out: Writable, err: Writable): Promise<number> {
  const { positional, options } = parseOptions(args, ['tone', 'mood', 'channel', 'locale', 'profile', 'dir'], ['json']);
  if (positional.length !== 1) throw new UsageError('preview needs exactly one template name');
  const config = settings(env);
  const tone = toneOf(options.tone, options.mood);
  const content = await ContentLibrary.load(options.dir ? path.resolve(options.dir) : config.contentDir, config.defaultLocale);
  if (!content.has(positional[0], options.locale)) {
    err.write(`content: no template "${positional[0]}"\n`);
    return 1;
  }
  const profile = options.profile ? await readProfile(options.profile, env) : undefined;
  if (options.profile && !profile) {
    err.write(`content: no customer profile "${options.profile}"\n`);
    return 1;
  }
  const result = previewReply(content, { template: positional[0], tone, channel: options.channel ?? 'webchat', locale: options.locale, profile });
  out.write(options.json === 'true' ? `${JSON.stringify(result)}\n` : `${previewAsText(result)}\n`);
  return 0;
}

function toneOf(tone: string | undefined, mood: string | undefined): Tone {
  if (tone !== undefined && mood !== undefined) throw new UsageError('give --tone or --mood, not both');
  if (tone !== undefined) {
    if (!isTone(tone)) throw new UsageError(`unknown tone "${tone}"`);
    return tone;
  }
  if (mood !== undefined) {
    if (!(mood in MOOD_TONES)) throw new UsageError(`unknown mood "${mood}"`);
    return MOOD_TONES[mood as Mood];
  }
  return 'neutral';
}

async function readProfile(id: string, env: Readonly<Record<string, string | undefined>>): Promise<CustomerProfile | undefined> {
  const storage = settings(env).storage;
  const store = await createStore(storage); // a running bot holding DATA_DIR: ATTUNE_DATA_DIR_LOCKED, reported by main
  try {
    return await store.customers.get(id);
  } finally {
    await store.close();
  }
}

function parseOptions(args: readonly string[], valued: readonly string[], flags: readonly string[]): { positional: string[]; options: Record<string, string | undefined> } {
  const positional: string[] = [];
  const options: Record<string, string | undefined> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const name = arg.slice(2);
    if (flags.includes(name)) options[name] = 'true';
    else if (valued.includes(name)) {
      const value = args[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      options[name] = value;
    } else throw new UsageError(`unknown option ${arg}`);
  }
  return { positional, options };
}

if (require.main === module) runMain('content', () => main(process.argv.slice(2)));
