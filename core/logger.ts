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

/** How deep `cause` chains are followed. */
const MAX_CAUSES = 3;

/**
 * Errors as logs keep them: type, message, stack, code and status, and their cause, and nothing
 * else. pino's default serializer copies every enumerable property, and errors carry what they
 * carry: botbuilder-dialogs wraps an error thrown in a dialog in a DialogContextError whose
 * `dialogContext.stack` is the whole dialog state (a customer's answers, a card ending), a driver
 * error may carry the request. Redaction paths only reach named fields, so errors are cut to an
 * allow-list instead. A DialogContextError is logged as the error it wraps, with the dialog's id.
 */
export function serializeError(error: unknown, depth = 0): Record<string, unknown> | string {
  if (!(error instanceof Error)) return typeof error === 'string' ? error : `non-error value (${typeof error})`;
  const wrapped = dialogContextErrorParts(error);
  if (wrapped) return { ...(typeof wrapped.error === 'string' ? { type: 'Error', message: wrapped.error } : serializeError(wrapped.error, depth) as Record<string, unknown>), dialog: wrapped.activeDialog };
  const fields = error as Error & { code?: unknown; statusCode?: unknown; status?: unknown };
  const out: Record<string, unknown> = { type: error.constructor?.name ?? error.name, message: error.message, stack: error.stack };
  if (typeof fields.code === 'string' || typeof fields.code === 'number') out.code = fields.code;
  const status = fields.statusCode ?? fields.status;
  if (typeof status === 'number') out.statusCode = status;
  if (error.cause !== undefined && depth < MAX_CAUSES) out.cause = serializeError(error.cause, depth + 1);
  return out;
}

/** The parts of botbuilder-dialogs' DialogContextError worth logging, told by its shape. */
function dialogContextErrorParts(error: Error): { error: unknown; activeDialog?: string } | undefined {
  const candidate = error as Error & { error?: unknown; dialogContext?: { activeDialog?: unknown } };
  if (candidate.dialogContext === undefined || candidate.error === undefined) return undefined;
  const activeDialog = candidate.dialogContext.activeDialog;
  return { error: candidate.error, activeDialog: typeof activeDialog === 'string' ? activeDialog : undefined };
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: { err: serializeError },
      // `service`, not pino's `name`: top-level `name` is redacted (a customer's name must never show).
      base: { pid: process.pid, service: 'attune' },
    },
    destination,
  );
}
