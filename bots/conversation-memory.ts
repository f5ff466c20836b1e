/**
 * What the bot remembers about one conversation between turns, besides dialog state. It lives in
 * botbuilder ConversationState next to the dialog stack, so a turn costs one state read and one
 * state write, and a restart resumes exactly where the customer was.
 */
import { CALM, type FrustrationState } from '../escalation/frustration-meter';
import type { CustomerLookup } from '../personalization/customer-context';

/** Who is answering the customer now. */
export type Responder = 'bot' | 'queued';

export interface ConversationMemory {
  lookup: CustomerLookup;
  frustration: FrustrationState;
  /** The ConversationRecord has been created. */
  opened: boolean;
  responder: Responder;
  /** The welcome was sent (a client may send several conversationUpdates). */
  welcomed: boolean;
  /** The queue position the customer was last told, so they hear again only when it moves. */
  lastToldPosition?: number;
  /** The bot offered a person unasked; it does so once per conversation. */
  personOffered: boolean;
}

export function freshMemory(): ConversationMemory {
  return { lookup: { resolved: false }, frustration: CALM, opened: false, responder: 'bot', welcomed: false, personOffered: false };
}
