/**
 * What the bot remembers about one conversation between turns, besides dialog state. It lives in
 * botbuilder ConversationState next to the dialog stack, so a turn costs one state read and one
 * state write, and a restart resumes exactly where the customer was.
 */
import { CALM, type FrustrationState } from '../escalation/frustration-meter';
import type { CustomerLookup } from '../personalization/customer-context';
import type { PersonalMemory } from '../personalization/personal-memory';

/** Who is answering the customer now: the bot, or people (the chat waits for an agent or is with one). */
export type Responder = 'bot' | 'people';

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
  /** The bot's last message offered a person: the next message may say yes or no to it. */
  personOfferPending?: boolean;
  /** Offers, resume and profiling in this conversation (absent in state saved before they existed). */
  personal?: PersonalMemory;
}

export function freshMemory(): ConversationMemory {
  return { lookup: { resolved: false }, frustration: CALM, opened: false, responder: 'bot', welcomed: false, personOffered: false };
}

/**
 * True while the chat is queued for an agent or with one. State saved before `people` was named
 * holds `queued`; anything but `bot` means people, so those chats stay with them.
 */
export function withPeople(memory: Pick<ConversationMemory, 'responder'>): boolean {
  return memory.responder !== 'bot';
}

/**
 * Whether the bot's last message offered a person and this message may answer it. Taking it drops
 * the offer: the customer's next message answers it or moves on, and "yes" two messages later is
 * not a yes to it; nor is a "yes" that starts a new session after a silence (`sessionGapMs` since
 * the message the offer answered: on SMS or Teams a conversation lives for ever).
 */
export function takePersonOffer(memory: ConversationMemory, at: number, sessionGapMs: number): boolean {
  const pending = memory.personOfferPending === true;
  memory.personOfferPending = undefined;
  const offeredAfter = memory.frustration.lastAt;
  return pending && (offeredAfter === undefined || at - offeredAfter < sessionGapMs);
}
