/** Reading a JSON API request's path id and body, with a 400 naming every problem when they are wrong. */
import type { Request } from 'restify';
import type { z } from 'zod';
import { AttuneError } from '../core/errors';

/** The `:id` path parameter: letters, digits, `_` and `-`, at most 100. @throws AttuneError ATTUNE_REQUEST_INVALID */
export function idOf(req: Request, what = 'id'): string {
  const id = (req.params as { id?: unknown }).id;
  if (typeof id !== 'string' || !/^[\w-]{1,100}$/.test(id)) throw new AttuneError('ATTUNE_REQUEST_INVALID', `The ${what} is malformed.`);
  return id;
}

/** The body, checked by a zod schema. @throws AttuneError ATTUNE_REQUEST_INVALID naming each problem */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) throw new AttuneError('ATTUNE_REQUEST_INVALID', result.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; '));
  return result.data;
}
