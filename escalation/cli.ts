/**
 * `npm run escalation -- replay --data <file.jsonl> [--model <dir>]`
 *
 * Reads one recorded conversation per line `{"id":…,"turns":[{"role":"user"|"bot","text":…},…]}`
 * and writes one line per conversation `{"id":…,"turns":[{"frustration":…,"escalate":…,"reasons":[…]},…]}`
 * with one entry per user turn. A bad line is reported on stderr with its line number; the others
 * still run, and the exit code is then 1.
 */
import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import pino from 'pino';
import { loadConfig } from '../config/app-config';
import { findProjectRoot } from '../core/project-root';
import { loadRecognizer } from '../nlu/load-recognizer';
import { FrustrationMeter } from './frustration-meter';
import { recordedConversationSchema, replayConversation } from './replay';
import { runMain } from '../core/run-main';

const USAGE = 'usage: npm run escalation -- replay --data <file.jsonl> [--model <dir>]';

export async function main(argv: readonly string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const [command, ...rest] = argv;
  const options = parseOptions(rest);
  if (command !== 'replay' || !options || !options.data) {
    err.write(`${USAGE}\n`);
    return 2;
  }
  if (!existsSync(options.data)) {
    err.write(`replay: no such file: ${options.data}\n`);
    return 2;
  }
  const root = findProjectRoot();
  const config = loadConfig(process.env, root);
  const recognizer = await loadRecognizer(options.model ? path.resolve(options.model) : config.nluModelDir, pino({ level: 'silent' }));
  const meter = new FrustrationMeter(config.escalation.frustrationWeights);

  let lineNumber = 0;
  let bad = 0;
  for await (const line of readline.createInterface({ input: createReadStream(options.data), crlfDelay: Infinity })) {
    lineNumber++;
    if (line.trim() === '') continue;
    const parsed = parseLine(line);
    if (!parsed.ok) {
      bad++;
      err.write(`replay: line ${lineNumber}: ${parsed.error}\n`);
      continue;
    }
    const turns = replayConversation(parsed.conversation, recognizer, meter, config.escalation);
    out.write(`${JSON.stringify({ id: parsed.conversation.id, turns })}\n`);
  }
  return bad > 0 ? 1 : 0;
}

function parseLine(line: string): { ok: true; conversation: ReturnType<typeof recordedConversationSchema.parse> } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (error) {
    return { ok: false, error: `not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  const result = recordedConversationSchema.safeParse(json);
  if (!result.success) return { ok: false, error: result.error.issues.map((issue) => `${issue.path.join('.') || 'line'}: ${issue.message}`).join('; ') };
  return { ok: true, conversation: result.data };
}

function parseOptions(args: readonly string[]): { data?: string; model?: string } | undefined {
  const options: { data?: string; model?: string } = {};
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if ((flag !== '--data' && flag !== '--model') || value === undefined) return undefined;
    options[flag === '--data' ? 'data' : 'model'] = value;
  }
  return options;
}

if (require.main === module) runMain('replay', () => main(process.argv.slice(2)));
