/**
 * What every command-line tool of attune shares (scripts/agents.ts, customers.ts, seed.ts,
 * content/cli.ts): where it writes, how a wrong command line is reported (the message, then the
 * usage, exit code 2), and `help`.
 */
export type Writable = Pick<NodeJS.WritableStream, 'write'>;

/** Thrown by a tool's parser for a command line it cannot run. */
export class UsageError extends Error {}

export interface CommandLineTool<C extends { readonly kind: string }> {
  /** The tool's name as the user typed it (`npm run <name> -- …`), prefixed to its messages. */
  readonly name: string;
  readonly usage: string;
  readonly parse: (argv: readonly string[]) => C | { readonly kind: 'help' };
}

/**
 * Parses the command line. Returns the command to run, or the exit code when there is nothing
 * left to do: 0 after printing the usage for `help`, 2 after reporting a UsageError.
 */
export function parseCommandLine<C extends { readonly kind: string }>(tool: CommandLineTool<C>, argv: readonly string[], out: Writable, err: Writable): C | number {
  let command: C | { readonly kind: 'help' };
  try {
    command = tool.parse(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    err.write(`${tool.name}: ${error.message}\n\n${tool.usage}`);
    return 2;
  }
  if (command.kind === 'help') {
    out.write(tool.usage);
    return 0;
  }
  return command as C;
}
