/**
 * Parses JSON request bodies ourselves (after request-body.ts has read them, size-limited) so malformed JSON
 * gets attune's error shape `{ code, message }` like every other bad request, and keys that could
 * pollute prototypes are dropped at parse time.
 */
import type { Next, Request, Response } from 'restify';

const JSON_TYPE = /^application\/([\w.+-]+\+)?json\b/i;

function dropPrototypeKeys(key: string, value: unknown): unknown {
  return key === '__proto__' || key === 'constructor' || key === 'prototype' ? undefined : value;
}

/**
 * Whether the text could hold one of those keys: spelled out, or hidden behind a \u escape. A
 * reviver runs for every value of every body, so it is used only when it can change something.
 */
const MAY_HOLD_PROTOTYPE_KEY = /__proto__|constructor|prototype|\\u/;

export function parseJson(text: string): unknown {
  return MAY_HOLD_PROTOTYPE_KEY.test(text) ? JSON.parse(text, dropPrototypeKeys) : JSON.parse(text);
}

export function parseJsonBody(req: Request, res: Response, next: Next): void {
  const raw: unknown = req.body;
  if (raw === undefined || raw === null || raw === '' || !JSON_TYPE.test(req.contentType())) {
    next();
    return;
  }
  try {
    req.body = parseJson(Buffer.isBuffer(raw) ? raw.toString('utf8') : String(raw));
    next();
  } catch (error) {
    res.send(400, { code: 'ATTUNE_REQUEST_INVALID', message: `The body is not valid JSON: ${error instanceof Error ? error.message : String(error)}` });
    next(false);
  }
}
