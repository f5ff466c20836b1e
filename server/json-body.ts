/**
 * Parses JSON request bodies ourselves (after restify's size-limited bodyReader) so malformed JSON
 * gets attune's error shape `{ code, message }` like every other bad request, and keys that could
 * pollute prototypes are dropped at parse time.
 */
import type { Next, Request, Response } from 'restify';

const JSON_TYPE = /^application\/([\w.+-]+\+)?json\b/i;

function dropPrototypeKeys(key: string, value: unknown): unknown {
  return key === '__proto__' || key === 'constructor' || key === 'prototype' ? undefined : value;
}

export function parseJsonBody(req: Request, res: Response, next: Next): void {
  const raw: unknown = req.body;
  if (raw === undefined || raw === null || raw === '' || !JSON_TYPE.test(req.contentType())) {
    next();
    return;
  }
  try {
    req.body = JSON.parse(Buffer.isBuffer(raw) ? raw.toString('utf8') : String(raw), dropPrototypeKeys);
    next();
  } catch (error) {
    res.send(400, { code: 'ATTUNE_REQUEST_INVALID', message: `The body is not valid JSON: ${error instanceof Error ? error.message : String(error)}` });
    next(false);
  }
}
