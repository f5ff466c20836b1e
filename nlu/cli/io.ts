/** The streams a command talks through; tests pass their own. */
export interface CliIo {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

export const processIo: CliIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };

/** Bad command-line use: the message goes to stderr with the usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `usage: nlu <command> [options]

commands:
  train   --data <csv> [--data <csv> ...] --out <dir>
          Train the intent model on CSV files with header "text,category" (category "oos" marks
          out-of-scope messages: they measure the threshold and are never a class).
  eval    --model <dir> --data <csv> [--data <csv> ...]
          Per-intent precision/recall/F1 and overall metrics; the last line is one JSON object
          {"n","accuracy","macroF1","oosRecall","oosPrecision","p50us","p99us"}.
  analyze [--model <dir>]
          One message per line on stdin, one JSON object per line on stdout
          ({"text", "intent": {"intent", "confidence", "alternatives"}}). Default model: models/intent.
  cv      --data <csv> [--data <csv> ...] [--extra <csv> ...] [--folds 5] [--seed 42]
          Stratified cross-validation: the --data rows are split into folds by intent, each fold
          scored by a model trained on the other folds plus every --extra row (extra examples,
          other intents, out-of-scope messages). Prints each fold, the means and the most-confused
          intent pairs; the last line is one JSON object.
  bench   [--data-dir <dir>]
          Train on the shipped data, then time and measure it on BANKING77 test and the held-out
          out-of-scope and conversational sets.
`;
