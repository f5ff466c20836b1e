/**
 * Validates an activity before CloudAdapter sees it: the adapter turns some malformed activities
 * into 500s (no `type`, no `conversation`), and a customer's client deserves a 400 that says what
 * is wrong.
 */
import { z } from 'zod';

/** Longest message text accepted; longer is an abusive or broken client, not a customer. */
export const MAX_TEXT_LENGTH = 10_000;

// Plain (stripping) objects, not loose ones: only the verdict is used, never the parsed copy, and
// copying every unknown key of every activity doubled the cost of a check that runs on each turn.
const account = z.object({ id: z.string().min(1).max(512) });

const activitySchema = z
  .object({
    type: z.string().min(1).max(64),
    id: z.string().max(512).optional(),
    channelId: z.string().min(1).max(128),
    serviceUrl: z.string().max(2048).refine((value) => URL.canParse(value), 'serviceUrl must be an absolute URL').optional(),
    conversation: z.object({ id: z.string().min(1).max(512) }),
    from: account,
    recipient: account.optional(),
    text: z.string().max(MAX_TEXT_LENGTH, `text must be at most ${MAX_TEXT_LENGTH} characters`).optional(),
    locale: z.string().max(32).optional(),
    deliveryMode: z.string().max(32).optional(),
  })
  .refine((activity) => activity.deliveryMode === 'expectReplies' || activity.serviceUrl !== undefined, {
    message: 'serviceUrl is required (the bot replies by calling it) unless deliveryMode is "expectReplies"',
    path: ['serviceUrl'],
  });

export type ActivityValidation = { readonly ok: true } | { readonly ok: false; readonly problems: readonly string[] };

export function validateActivity(body: unknown): ActivityValidation {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, problems: ['the body must be a JSON object (a Bot Framework activity)'] };
  }
  const result = activitySchema.safeParse(body);
  if (result.success) return { ok: true };
  return { ok: false, problems: result.error.issues.slice(0, 10).map((issue) => `${issue.path.join('.') || 'activity'}: ${issue.message}`) };
}
