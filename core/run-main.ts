/**
 * Runs a command-line entry point: its resolved number is the exit code; an unexpected error is
 * printed (with its stack) prefixed by the command's name, and exits 1. One place for what every
 * CLI in the project does at its bottom.
 */
export function runMain(name: string, main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
