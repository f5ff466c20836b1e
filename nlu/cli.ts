/**
 * The NLU command line: `node dist/nlu/cli.js <command> …` (see USAGE). `main` returns the exit
 * code instead of exiting, so tests can drive it.
 */
import { isAttuneError } from '../core/errors';
import { analyzeCommand } from './cli/analyze-command';
import { benchCommand } from './cli/bench-command';
import { cvCommand } from './cli/cv-command';
import { evalCommand } from './cli/eval-command';
import { processIo, USAGE, UsageError, type CliIo } from './cli/io';
import { trainCommand } from './cli/train-command';
import { runMain } from '../core/run-main';

const COMMANDS: Readonly<Record<string, (args: readonly string[], io: CliIo) => Promise<number>>> = {
  train: trainCommand,
  eval: evalCommand,
  analyze: analyzeCommand,
  bench: benchCommand,
  cv: cvCommand,
};

/** Runs one command. Exit codes: 0 done, 1 bad data or model, 2 bad command line. */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    (command === undefined ? io.stderr : io.stdout).write(USAGE);
    return command === undefined ? 2 : 0;
  }
  const run = COMMANDS[command];
  if (!run) {
    io.stderr.write(`nlu: unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  try {
    return await run(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`nlu ${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (isAttuneError(error)) {
      io.stderr.write(`nlu ${command}: ${error.message} [${error.code}]\n`);
      return 1;
    }
    throw error;
  }
}

if (require.main === module) runMain('nlu', () => main(process.argv.slice(2)));
