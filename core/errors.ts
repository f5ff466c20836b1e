/**
 * Every error attune raises on purpose has a code from this list. Tests assert codes, not message
 * text; the README documents each one.
 */
export const ERROR_CODES = {
  ATTUNE_CONFIG_INVALID: 'A configuration variable has a value that is not allowed.',
  ATTUNE_STORAGE_KIND_UNKNOWN: 'The storage factory was asked for a kind it does not know.',
  ATTUNE_STORAGE_UNAVAILABLE: 'The storage backend could not be reached.',
  ATTUNE_STORAGE_CONFLICT: 'A write was based on a stale eTag (optimistic concurrency).',
  ATTUNE_DATA_DIR_LOCKED: 'Another running process holds the embedded data directory.',
  ATTUNE_ACTIVITY_INVALID: 'An activity posted to /api/messages is malformed.',
  ATTUNE_REQUEST_INVALID: 'An API request body or parameter is malformed.',
  ATTUNE_UNAUTHORIZED: 'The request is not authenticated.',
  ATTUNE_FORBIDDEN: 'The signed-in staff member has a role that does not allow this request.',
  ATTUNE_CURRENT_PASSWORD_INCORRECT: 'A password change gave a current password that is not the account\'s: nothing was changed (counts against the sign-in throttle).',
  ATTUNE_STAFF_ACCOUNT_NOT_FOUND: 'No staff account has that name (npm run agents).',
  ATTUNE_RATE_LIMITED: 'Too many attempts (e.g. staff sign-ins) in a short time; retry later.',
  ATTUNE_NOT_FOUND: 'No page or resource at that path on this server (e.g. the queue board without Redis).',
  ATTUNE_NLU_MODEL_INVALID: 'An NLU model file is missing or unreadable.',
  ATTUNE_NLU_DATA_INVALID: 'Training or evaluation data is missing or malformed.',
  ATTUNE_CONTENT_INVALID: 'A content (.lg) file failed to parse or validate.',
  ATTUNE_ESCALATION_NOT_FOUND: 'No escalation with that id is visible to the signed-in staff member.',
  ATTUNE_ESCALATION_STATE: 'The escalation is not in a state that allows this (e.g. already taken by someone else).',
  ATTUNE_CONTENT_TEMPLATE_MISSING: 'A reply asked for a content template that does not exist.',
  ATTUNE_CONTENT_CONFLICT: 'A publish was based on a content version that is no longer the latest: someone else published meanwhile. Nothing was published; apply the edits to the latest version and publish again.',
  ATTUNE_CONTENT_VERSION_NOT_FOUND: 'No content version with that id was published.',
  ATTUNE_PREVIEW_PROFILE_INVALID: 'A content preview named a profile that is not one of the demo personas (real customers are never previewed).',
  ATTUNE_EXPERIMENT_NOT_FOUND: 'No experiment with that id exists.',
  ATTUNE_EXPERIMENT_STATE: 'The experiment is not in a state that allows this (e.g. starting one that was stopped).',
  ATTUNE_CONVERSATION_NOT_FOUND: "The customer's conversation is gone: no instance holds that Direct Line conversation (it ended, expired, or never existed), or the channel refused a message to it.",
  ATTUNE_DIRECT_LINE_UNAVAILABLE: 'Azure Direct Line did not give the web chat a token (DIRECT_LINE_SECRET set).',
  ATTUNE_MESSAGE_NOT_DELIVERED: "An agent's message sent again with the same message id had not been delivered the first time (it stays in the transcript, marked so); it is not sent twice: send it as a new message.",
  ATTUNE_EVENT_BUS_UNAVAILABLE: "The event bus (Redis) could not send an event that had to reach another instance (e.g. an agent's message for a web chat held there): nothing was delivered; try again.",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An error with a stable, documented code. */
export class AttuneError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AttuneError';
  }
}

export function isAttuneError(error: unknown, code?: ErrorCode): error is AttuneError {
  return error instanceof AttuneError && (code === undefined || error.code === code);
}

/**
 * The error a turn failed with, unwrapped from botbuilder-dialogs' DialogContextError (which wraps
 * whatever a dialog threw, e.g. an AttuneError saying storage is down, together with the dialog
 * state): told by its shape, so no dependency on the dialogs package here.
 */
export function rootError(error: unknown): unknown {
  const wrapper = error as { error?: unknown; dialogContext?: unknown } | null;
  return error instanceof Error && wrapper?.dialogContext !== undefined && wrapper.error !== undefined ? wrapper.error : error;
}
