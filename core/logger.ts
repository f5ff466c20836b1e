/**
 * Structured logging with pino. Personal data is never logged in clear: message text, names,
 * credentials and card numbers are redacted wherever they appear in a logged object.
 */
import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** Paths pino censors. `*.x` covers one level of nesting, which is how we log context objects. */
export const REDACTED_PATHS = [
  'text',
  '*.text',
  'name',
  '*.name',
  'firstName',
  '*.firstName',
  'password',
  '*.password',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  'req.headers.authorization',
  'cardNumber',
  '*.cardNumber',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // `service`, not pino's `name`: top-level `name` is redacted (a customer's name must never show).
      base: { pid: process.pid, service: 'attune' },
    },
    destination,
  );
}
