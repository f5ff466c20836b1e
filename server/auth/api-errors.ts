/**
 * JSON errors for the staff APIs: an AttuneError's code becomes an HTTP status and a body
 * `{ code, message }`; anything else is a 500 that is logged and not explained to the client.
 */
import type { Request, Response } from 'restify';
import { isAttuneError, type ErrorCode } from '../../core/errors';
import type { Logger } from '../../core/logger';

/** A restify 11 route handler: async, no `next`. */
export type ApiHandler = (req: Request, res: Response) => Promise<void>;

const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  ATTUNE_REQUEST_INVALID: 400,
  ATTUNE_ACTIVITY_INVALID: 400,
  ATTUNE_PREVIEW_PROFILE_INVALID: 400,
  ATTUNE_UNAUTHORIZED: 401,
  ATTUNE_FORBIDDEN: 403,
  // Not 401: the session is fine, and the staff pages treat a 401 as "signed out".
  ATTUNE_CURRENT_PASSWORD_INCORRECT: 403,
  ATTUNE_STORAGE_CONFLICT: 409,
  ATTUNE_ESCALATION_STATE: 409,
  ATTUNE_EXPERIMENT_STATE: 409,
  ATTUNE_CONTENT_CONFLICT: 409,
  ATTUNE_MESSAGE_NOT_DELIVERED: 409,
  ATTUNE_RATE_LIMITED: 429,
  ATTUNE_STORAGE_UNAVAILABLE: 503,
  ATTUNE_EVENT_BUS_UNAVAILABLE: 503,
};

/** What the client is told for a 503, by code: retryable, and never the internal message. */
const UNAVAILABLE_MESSAGE_BY_CODE: Partial<Record<ErrorCode, string>> = {
  ATTUNE_EVENT_BUS_UNAVAILABLE: 'Could not reach the instance holding this chat; the message was not sent. Try again.',
};

/** The HTTP status for an error: 4xx for the client's errors, 503 for storage or the event bus, else 500. */
export function statusForError(error: unknown): number {
  if (!isAttuneError(error)) return 500;
  // Codes like ATTUNE_ESCALATION_NOT_FOUND, whichever module adds them.
  if (error.code.endsWith('_NOT_FOUND')) return 404;
  return STATUS_BY_CODE[error.code] ?? 500;
}

/**
 * Sends `error` as JSON. Server-side failures (5xx) are logged with the request path; the client
 * gets a generic message, since an internal message may name files, hosts or data.
 */
export function sendApiError(req: Request, res: Response, error: unknown, logger: Logger): void {
  const status = statusForError(error);
  if (status >= 500) logger.error({ err: error, path: req.path() }, 'staff API request failed');
  if (res.headersSent) return;
  if (status === 401) res.header('WWW-Authenticate', 'Bearer');
  if (status >= 500 || !isAttuneError(error)) {
    const code = isAttuneError(error) ? error.code : undefined;
    const message = status === 503 ? ((code && UNAVAILABLE_MESSAGE_BY_CODE[code]) ?? 'Storage is not reachable; try again shortly.') : 'Something went wrong on our side.';
    res.send(status, code ? { code, message } : { message });
    return;
  }
  res.send(status, { code: error.code, message: error.message });
}

/** Wraps a handler so that whatever it throws is answered by {@link sendApiError}. */
export function withApiErrors(handler: ApiHandler, logger: Logger): ApiHandler {
  return async (req, res) => {
    try {
      await handler(req, res);
    } catch (error) {
      sendApiError(req, res, error, logger);
    }
  };
}
